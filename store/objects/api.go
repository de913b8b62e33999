// Package objects is the S3 mapping, written once over store.Store: buckets
// are directories, keys are paths, object metadata lives with the data file
// (as its attribute, when the store keeps attributes) or in files of the
// store keyed by the data file's ID, and listings come out in S3's UTF-8
// byte order.
package objects

import (
	"io"
	"time"

	"github.com/terngate/terngate/sse"
	"github.com/terngate/terngate/store"
)

// Metadata is what S3 keeps beside an object's bytes. It is stored durably in
// the store, keyed by the data file's ID, and written before or with the
// link of the data file, so an object and its metadata become visible
// together.
type Metadata struct {
	ContentType        string `json:"ct,omitempty"`
	ContentEncoding    string `json:"ce,omitempty"`
	ContentDisposition string `json:"cd,omitempty"`
	ContentLanguage    string `json:"cl,omitempty"`
	CacheControl       string `json:"cc,omitempty"`
	Expires            string `json:"ex,omitempty"`
	// User holds x-amz-meta-* headers, keyed by the lower-cased name after
	// the prefix.
	User map[string]string `json:"um,omitempty"`
	// Checksums maps an algorithm (any of checksum.Algorithms(), e.g. CRC32
	// or XXHASH128) to its base64 value.
	Checksums map[string]string `json:"ck,omitempty"`
	// ChecksumType is FULL_OBJECT or COMPOSITE when Checksums is set.
	ChecksumType string `json:"ckt,omitempty"`
	// Tags is the object's tag set (tags.go), in the order it was given.
	Tags []Tag `json:"tg,omitempty"`
	// StorageClass is the class the object was written with; empty for
	// STANDARD. It labels the object and decides nothing about where its
	// bytes are stored.
	StorageClass string `json:"sc,omitempty"`
	// RestoreExpiry is when the restored copy of an archived object
	// (GLACIER, DEEP_ARCHIVE) stops being readable, in Unix seconds; 0
	// if it was never restored.
	RestoreExpiry int64 `json:"re,omitempty"`
	// Object Lock (lock.go): the version's retention mode (GOVERNANCE or
	// COMPLIANCE, empty for none), when it ends (Unix nanoseconds), and
	// its legal hold (ON or OFF, empty if never set).
	LockMode  string `json:"lm,omitempty"`
	LockUntil int64  `json:"lu,omitempty"`
	LegalHold string `json:"lh,omitempty"`
}

// ObjectInfo describes an object.
type ObjectInfo struct {
	Bucket string
	Key    string
	// ETag without quotes: hex MD5, hex-N for multipart, or a synthetic
	// "<id>-<size>" form for files written by other clients (the dash keeps
	// clients from taking it for an MD5).
	ETag         string
	Size         int64
	LastModified time.Time
	Metadata     Metadata
	// PartSizes is set for objects assembled from parts (multipart).
	PartSizes []int64
	// PartChecksums are the parts' checksums, in the object's algorithm,
	// for objects assembled with a COMPOSITE checksum (else nil).
	PartChecksums []string
	// Encryption is set for an object stored encrypted: its bytes are read
	// with Object.NewPlainReader.
	Encryption *sse.Info
	// SealedParts is set for an encrypted multipart object: each part's
	// number and stored size (sse_multipart.go).
	SealedParts []SealedPart
	// Foreign is true for files that have no gateway metadata.
	Foreign bool
	// FileID is the store file holding the bytes.
	FileID store.ID
}

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name         string
	CreationTime time.Time
	Owner        string
	// Policy is the bucket policy document as the owner sent it, or nil.
	Policy []byte
	// PublicAccessBlock is the bucket's public access block, or nil.
	PublicAccessBlock *PublicAccessBlock
	// ObjectLock is the bucket's Object Lock configuration, or nil for a
	// bucket created without Object Lock.
	ObjectLock *ObjectLockConfig
	// Versioning is the bucket's versioning status: VersioningEnabled,
	// VersioningSuspended, or VersioningUnversioned if never enabled.
	Versioning string
}

// PutInput is a single-part write.
type PutInput struct {
	Bucket string
	Key    string
	// Body is read to EOF. A read error (including one a verifying wrapper
	// returns at EOF, such as a payload-hash mismatch) aborts the write and
	// is returned unchanged; nothing becomes visible.
	Body io.Reader
	// Size is the expected length, or -1 if unknown. A body of another
	// length fails with s3err.IncompleteBody.
	Size int64
	// ContentMD5, when set (16 bytes), must equal the body's MD5, else
	// s3err.BadDigest.
	ContentMD5 []byte
	Metadata   Metadata
	// IfNoneMatchStar makes the write fail with s3err.PreconditionFailed if
	// the key exists.
	IfNoneMatchStar bool
	// IfMatch, when set (an unquoted ETag or AnyETag), makes the write fail
	// with PreconditionFailed unless the current object's ETag matches it,
	// and with NoSuchKey if there is no current object.
	IfMatch string
	// BeforeCommit, when set, is called once the body has been read to EOF
	// and passed every check, before the metadata record is written: it may
	// complete the metadata with what only the body could tell (verified
	// checksums). An error aborts the write and is returned unchanged.
	BeforeCommit func(*Metadata) error
	// Encryption, when set, stores the body encrypted (sse.go).
	Encryption *Encryption
}

// ListInput is one page of a listing.
type ListInput struct {
	Bucket    string
	Prefix    string
	Delimiter string
	// After lists keys (and common prefixes) strictly greater than After;
	// it need not exist (marker, start-after, decoded continuation token).
	After   string
	MaxKeys int
}

// ListOutput is one page of a listing, in UTF-8 byte order.
type ListOutput struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	IsTruncated    bool
	// Last is the greatest key or common prefix returned: the value to
	// resume after.
	Last string
}

// Object is an open object: its description and its bytes, as they were at
// open time even if the key is overwritten meanwhile. Close it.
type Object struct {
	Info ObjectInfo
	File store.File
}

// Close releases the object.
func (o *Object) Close() error { return o.File.Close() }
