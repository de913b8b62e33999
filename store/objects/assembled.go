package objects

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/terngate/terngate/store"
)

// Conditions are the preconditions of a write that replaces a key.
type Conditions struct {
	// IfNoneMatchStar fails the write with PreconditionFailed if the key exists.
	IfNoneMatchStar bool
	// IfMatch, when set (an unquoted ETag or AnyETag), fails it unless the
	// current ETag matches it, and with NoSuchKey if there is no object.
	IfMatch string
}

// PartDir resolves, creating it if needed, the directory that will hold key.
// Multipart uploads create their part files there: MoveData and LinkFile
// need every file of an assembly to belong to the directory it is linked in.
// The chain is resolved afresh (not from the cache), since the directory has
// to outlive the upload, not just this request.
func (l *Layer) PartDir(ctx context.Context, bucket, key string) (store.ID, error) {
	p, err := pathOfKey(key)
	if err != nil {
		return 0, err
	}
	defer l.bucketLocks.rlock(bucket)()
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return 0, err
	}
	dir, err := l.makeDirs(ctx, bid, p.dirs, false)
	if err != nil {
		return 0, fmt.Errorf("objects: part directory of %q: %w", key, err)
	}
	return dir, nil
}

// AssembledPart is one part of an assembled object: its size and, for a
// COMPOSITE checksum, its checksum.
type AssembledPart struct {
	Size     int64
	Checksum string
	// Number and StoredSize describe a part of an encrypted object
	// (LinkAssembledEncrypted): its number, from which its key derives,
	// and its size in the store.
	Number     int
	StoredSize int64
}

// LinkAssembled makes t, a transient file in key's PartDir whose bytes are
// already complete, the object key: it stores the record (ETag, size, the
// parts' sizes and checksums: the file's attribute where the store keeps
// attributes, else a record file) and links t under the same naming rules, locks and preconditions as
// Put, atomically replacing any object of that name. On error nothing is
// visible and t is left to the caller.
func (l *Layer) LinkAssembled(ctx context.Context, bucket, key string, t store.Transient, md Metadata, etag string, parts []AssembledPart, cond Conditions) (ObjectInfo, error) {
	return l.linkAssembled(ctx, bucket, key, t, record{Meta: md, ETag: etag}, parts, cond)
}

// linkAssembled is LinkAssembled of a record that may already describe the
// object's encryption.
func (l *Layer) linkAssembled(ctx context.Context, bucket, key string, t store.Transient, rec record, parts []AssembledPart, cond Conditions) (ObjectInfo, error) {
	p, err := pathOfKey(key)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer l.bucketLocks.rlock(bucket)()
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return ObjectInfo{}, err
	}
	dir, err := l.makeDirs(ctx, bid, p.dirs, true)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("objects: directory of %q: %w", key, err)
	}
	defer l.dirLocks.rlock(dir)()
	rec.Modified = time.Now().UnixNano()
	for _, part := range parts {
		rec.Size += part.Size
		rec.Parts = append(rec.Parts, part.Size)
		if part.Checksum != "" {
			rec.PartSums = append(rec.PartSums, part.Checksum)
		}
	}
	if len(rec.PartSums) != len(parts) {
		rec.PartSums = nil // all or nothing: a part's checksum is found by its index
	}
	flag := l.stampVersion(ctx, bid, &rec)
	linkAs, err := l.recordLinker(ctx, bid, dir, t, rec)
	if err != nil {
		return ObjectInfo{}, err
	}
	in := PutInput{Bucket: bucket, Key: key, IfNoneMatchStar: cond.IfNoneMatchStar, IfMatch: cond.IfMatch}
	old, _, err := l.linkWith(ctx, in, bid, dir, p.name, t, linkAs)
	if err != nil {
		l.removeRecord(context.WithoutCancel(ctx), bid, t.ID)
		if errors.Is(err, store.ErrNotFound) {
			return ObjectInfo{}, fmt.Errorf("objects: assembled file of %q is gone (directory pruned or deadline passed): %w", key, err)
		}
		return ObjectInfo{}, err
	}
	// Readers that opened the replaced file still need its record.
	l.afterReplace(ctx, bid, old)
	l.afterNullWrite(ctx, bid, bucket, p, flag)
	return rec.info(bucket, key, t.ID), nil
}
