package s3api

import (
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// copySelfMessage is AWS's refusal of a copy that would change nothing.
const copySelfMessage = "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	objectChecksum
}

// copyObject copies x-amz-copy-source onto the target, or rewrites the
// target's metadata when both are the same object.
func (s *server) copyObject(r *request) error {
	src, err := parseCopySource(r.header("x-amz-copy-source"))
	if err != nil {
		return err
	}
	replace, err := metadataDirectiveReplace(r)
	if err != nil {
		return err
	}
	if err := checkCannedACL(r); err != nil {
		return err
	}
	var md objects.Metadata
	if replace {
		if md, err = metadataFromRequest(r); err != nil {
			return err
		}
	}

	var info objects.ObjectInfo
	if src.bucket == r.bucket && src.key == r.key && src.version == "" && !(replace && r.hasHeader("x-amz-checksum-algorithm")) && !copySetsEncryption(r) {
		info, err = s.copyOntoItself(r, replace, md)
	} else {
		// A new checksum algorithm needs the bytes read again, even in place.
		info, err = s.copyFrom(r, src, replace, md)
	}
	if err != nil {
		return err
	}
	setWrittenVersionHeader(r, info)
	res := copyObjectResult{
		Xmlns:        s3Namespace,
		LastModified: isoTime(info.LastModified),
		ETag:         quoteETag(info.ETag),
	}
	if len(info.Metadata.Checksums) > 0 {
		res.objectChecksum = *xmlChecksum(info.Metadata.Checksums, info.Metadata.ChecksumType)
	}
	s.writeXML(r, res)
	return nil
}

func (s *server) copyOntoItself(r *request, replace bool, md objects.Metadata) (objects.ObjectInfo, error) {
	// A copy in place may change only the storage class (copySelfMessage).
	if !replace && !r.hasHeader("x-amz-storage-class") {
		return objects.ObjectInfo{}, s3err.InvalidRequest.With(copySelfMessage)
	}
	info, err := s.layer.Stat(r.ctx, r.bucket, r.key)
	if err != nil {
		return objects.ObjectInfo{}, err
	}
	if err := checkReadable(info); err != nil {
		return objects.ObjectInfo{}, err
	}
	if info.Encryption != nil || r.versioned() {
		// The bytes are rewritten under the encryption the request (or
		// the bucket's default) asks for, as AWS does; in a versioned
		// bucket the copy is a new version and the copied one keeps its
		// metadata (versions_object.go).
		return s.copyFrom(r, target{bucket: r.bucket, key: r.key}, replace, md)
	}
	if err := checkConditions(r, copySourceConditions, info); err != nil {
		return objects.ObjectInfo{}, err
	}
	if err := selfCopyPreconditions(r, info); err != nil {
		return objects.ObjectInfo{}, err
	}
	if !replace {
		md = info.Metadata
	}
	// Checksums describe the bytes, which do not change.
	md.Checksums, md.ChecksumType = info.Metadata.Checksums, info.Metadata.ChecksumType
	md.StorageClass = requestStorageClass(r)
	md.RestoreExpiry = 0 // the copy is a new object, not a restored one
	// The metadata is rewritten in place: the version keeps its own lock,
	// which a copy may not change.
	if namesLock(r) {
		return objects.ObjectInfo{}, s3err.NotImplemented.ForHeader(lockModeHeader)
	}
	md.LockMode, md.LockUntil, md.LegalHold = info.Metadata.LockMode, info.Metadata.LockUntil, info.Metadata.LegalHold
	if md.Tags, err = copyTags(r, info.Metadata.Tags); err != nil {
		return objects.ObjectInfo{}, err
	}
	return s.layer.ReplaceMetadata(r.ctx, r.bucket, r.key, info.ETag, md)
}

func (s *server) copyFrom(r *request, src target, replace bool, md objects.Metadata) (objects.ObjectInfo, error) {
	obj, err := s.openCopySource(r, src)
	if err != nil {
		return objects.ObjectInfo{}, err
	}
	defer obj.Close()
	if err := checkReadable(obj.Info); err != nil {
		return objects.ObjectInfo{}, err
	}
	srcKey, err := copySourceKey(r, obj.Info)
	if err != nil {
		return objects.ObjectInfo{}, err
	}
	defer srcKey.zero()
	if err := checkConditions(r, copySourceConditions, obj.Info); err != nil {
		return objects.ObjectInfo{}, err
	}
	if obj.Info.Size > s.cfg.MaxPutSize {
		return objects.ObjectInfo{}, s3err.InvalidRequest.With(
			"The specified copy source is larger than the maximum allowable size for a copy source: %d", s.cfg.MaxPutSize)
	}
	if !replace {
		md = obj.Info.Metadata
	}
	if md.Tags, err = copyTags(r, obj.Info.Metadata.Tags); err != nil {
		return objects.ObjectInfo{}, err
	}
	// A copy is STANDARD unless it asks for another class (API_CopyObject),
	// and a new object, not a restored one.
	md.StorageClass = requestStorageClass(r)
	md.RestoreExpiry = 0
	if err := s.lockForWrite(r, &md, true); err != nil {
		return objects.ObjectInfo{}, err
	}
	body, err := openRange(obj, srcKey, 0, obj.Info.Size)
	if err != nil {
		return objects.ObjectInfo{}, fmt.Errorf("reading copy source %s/%s: %w", src.bucket, src.key, err)
	}
	enc, err := s.encryptionForPut(r)
	if err != nil {
		return objects.ObjectInfo{}, err
	}
	defer enc.zero()
	sums, err := newCopyChecksum(r, obj.Info.Metadata, body)
	if err != nil {
		return objects.ObjectInfo{}, err
	}
	in := objects.PutInput{
		Bucket:       r.bucket,
		Key:          r.key,
		Body:         sums.body,
		Size:         obj.Info.Size,
		Metadata:     md,
		BeforeCommit: sums.commit,
		Encryption:   enc.input(),
	}
	if err := putPreconditions(r, &in); err != nil {
		return objects.ObjectInfo{}, err
	}
	info, err := s.layer.Put(r.ctx, in)
	if err == nil {
		enc.setHeaders(r)
	}
	return info, err
}

// parseCopySource reads "[/]bucket/key[?versionId=null]", URL-encoded.
func parseCopySource(header string) (target, error) {
	raw, query, _ := strings.Cut(header, "?")
	var version string
	if query != "" {
		v, ok := strings.CutPrefix(query, "versionId=")
		if !ok {
			return target{}, s3err.InvalidArgument.With("Invalid copy source: unexpected query %q.", query)
		}
		if err := objects.ValidVersionID("x-amz-copy-source", v); err != nil {
			return target{}, err
		}
		version = v
	}
	decoded, err := unescapePath(strings.TrimPrefix(raw, "/"))
	if err != nil {
		return target{}, s3err.InvalidArgument.With("Invalid copy source encoding.")
	}
	// S3 words a missing bucket and a missing key apart
	// (versity/versitygw#1388 and #1389 record S3's answers).
	bucket, key, _ := strings.Cut(decoded, "/")
	if bucket == "" {
		return target{}, s3err.InvalidArgument.With("Invalid copy source bucket name")
	}
	if key == "" {
		return target{}, s3err.InvalidArgument.With("Invalid copy source object key")
	}
	if err := validateBucketName(bucket); err != nil {
		return target{}, err
	}
	if err := validateKey(key); err != nil {
		return target{}, err
	}
	return target{bucket: bucket, key: key, version: version}, nil
}

func metadataDirectiveReplace(r *request) (bool, error) {
	switch d := r.header("x-amz-metadata-directive"); d {
	case "", "COPY":
		return false, nil
	case "REPLACE":
		return true, nil
	default:
		// S3's text, naming the header as it does for x-amz-tagging-directive
		// (basho/riak_cs keys this text by x-amz-metadata-directive in its
		// table of S3's errors; MinIO sends the same text).
		return false, s3err.InvalidArgument.With("Unknown metadata directive.").ForArgument("x-amz-metadata-directive", d)
	}
}

// isoTime is the timestamp form of S3's XML documents.
func isoTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
