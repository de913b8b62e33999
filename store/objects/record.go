package objects

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/terngate/terngate/sse"
	"github.com/terngate/terngate/store"
)

// record is an object's metadata as stored: the data file's attribute when
// the store keeps attributes (attributes.go), else one small file of the
// store per data file, at <bucket>/%_meta/<low byte of id>/<16-hex id>. The
// data file's ID is never reused, so a record can never describe the wrong
// bytes.
type record struct {
	Meta     Metadata `json:"m"`
	ETag     string   `json:"e"`
	Size     int64    `json:"s"`
	Modified int64    `json:"t"` // Unix nanoseconds
	Parts    []int64  `json:"p,omitempty"`
	// PartSums are the parts' COMPOSITE checksums, served with ?partNumber.
	PartSums []string `json:"ps,omitempty"`
	// SSE describes the encryption of an encrypted object's bytes.
	SSE *sse.Info `json:"x,omitempty"`
	// Version is how the object was written in a bucket that was ever
	// versioned (recordVersioned or recordNull; empty otherwise): a restore
	// gives a version's edge a new creation time, so whether it is the null
	// version cannot be told by time (docs/versioning.md).
	Version string `json:"vn,omitempty"`
	// SealedParts describe the parts of an encrypted multipart object
	// (sse_multipart.go).
	SealedParts []SealedPart `json:"xp,omitempty"`
}

// notePut marks the transient files of a PUT (data and record), which
// ReclaimOrphanPuts scraps.
const notePut = "put"

// maxRecordSize bounds what readRecord will load; real records are a few KiB.
const maxRecordSize = 1 << 20

func recordName(id store.ID) string { return fmt.Sprintf("%016x", uint64(id)) }

func recordShard(id store.ID) string { return fmt.Sprintf("%02x", uint64(id)&0xff) }

func parseRecordName(name string) (store.ID, bool) {
	if len(name) != 16 {
		return 0, false
	}
	v, err := strconv.ParseUint(name, 16, 64)
	return store.ID(v), err == nil
}

func (r record) info(bucket, key string, id store.ID) ObjectInfo {
	return ObjectInfo{
		Bucket:        bucket,
		Key:           key,
		ETag:          r.ETag,
		Size:          r.Size,
		LastModified:  time.Unix(0, r.Modified).UTC(),
		Metadata:      r.Meta,
		PartSizes:     r.Parts,
		PartChecksums: r.PartSums,
		Encryption:    r.SSE,
		SealedParts:   r.SealedParts,
		FileID:        id,
	}
}

// foreignInfo describes a file without a record: written by another client.
func foreignInfo(bucket, key string, fi store.FileInfo) ObjectInfo {
	return ObjectInfo{
		Bucket:       bucket,
		Key:          key,
		ETag:         foreignETag(fi.ID, fi.Size),
		Size:         fi.Size,
		LastModified: fi.Mtime.UTC(),
		Metadata:     Metadata{ContentType: "binary/octet-stream"},
		Foreign:      true,
		FileID:       fi.ID,
	}
}

// foreignETag contains a dash so no client takes it for an MD5.
func foreignETag(id store.ID, size int64) string {
	return fmt.Sprintf("%016x-%d", uint64(id), size)
}

// recordDir finds (or, with create, makes) the directory holding id's record.
func (l *Layer) recordDir(ctx context.Context, bucket, id store.ID, create bool) (store.ID, error) {
	dirs := []string{metaDirName, recordShard(id)}
	if !create {
		ids, err := l.dirChain(ctx, bucket, dirs, true)
		if err != nil {
			return 0, err
		}
		return ids[len(ids)-1], nil
	}
	dir, err := l.makeDirs(ctx, bucket, dirs, true)
	if errors.Is(err, store.ErrNotFound) {
		dir, err = l.makeDirs(ctx, bucket, dirs, false)
	}
	return dir, err
}

// recordDirKey is the directory cache's key of the directory of id's record.
func recordDirKey(bucket, id store.ID) dirCacheKey {
	return dirCacheKey{bucket, metaDirName + "/" + recordShard(id)}
}

// cachedRecordDir is the directory of id's record as last resolved, if it
// is cached. Record directories are only ever removed (with the bucket, or
// by another gateway), never moved, so a cached one the store can still
// find is current; one removed answers store.ErrDirectoryGone (or, to a
// link in it, store.ErrNotFound), and the caller resolves it again.
func (l *Layer) cachedRecordDir(bucket, id store.ID) (store.ID, bool) {
	return l.dirs.get(recordDirKey(bucket, id))
}

// writeRecord stores rec as the record of file id, atomically replacing any
// record it had.
func (l *Layer) writeRecord(ctx context.Context, bucket, id store.ID, rec record) error {
	body, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("objects: encode metadata: %w", err)
	}
	if dir, ok := l.cachedRecordDir(bucket, id); ok {
		err := l.writeSmallFile(ctx, dir, recordName(id), notePut, body)
		if err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("objects: write metadata of %016x: %w", uint64(id), err)
		}
		// The directory was removed since it was cached: the record is
		// still in memory, so it is written again where it now belongs.
		l.dirs.remove(recordDirKey(bucket, id))
	}
	dir, err := l.recordDir(ctx, bucket, id, true)
	if err != nil {
		return fmt.Errorf("objects: metadata directory: %w", err)
	}
	if err := l.writeSmallFile(ctx, dir, recordName(id), notePut, body); err != nil {
		return fmt.Errorf("objects: write metadata of %016x: %w", uint64(id), err)
	}
	return nil
}

// writeSmallFile creates name in dir holding body, replacing any file there:
// in one step if the store links small files whole, else as a transient file
// appended to and linked.
func (l *Layer) writeSmallFile(ctx context.Context, dir store.ID, name, note string, body []byte) error {
	if st, ok := l.attributed(); ok && int64(len(body)) <= st.MaxInlineSize() {
		_, err := st.LinkInlineFile(ctx, dir, name, body, nil)
		return err
	}
	t, err := l.st.CreateTransient(ctx, dir, note)
	if err != nil {
		return err
	}
	if _, err = l.st.Append(ctx, t, bytes.NewReader(body)); err == nil {
		_, err = l.st.LinkFile(ctx, t, dir, name)
	}
	if err != nil {
		_ = l.st.ScrapTransient(context.WithoutCancel(ctx), t)
	}
	return err
}

// readRecord loads the record of file id; store.ErrNotFound if it has none.
func (l *Layer) readRecord(ctx context.Context, bucket, id store.ID) (record, error) {
	return l.readRecordGiven(ctx, bucket, id, nil)
}

// readRecordGiven is readRecord given file id's attribute when it was read
// already (nil when it was not).
func (l *Layer) readRecordGiven(ctx context.Context, bucket, id store.ID, attr *[]byte) (record, error) {
	if st, ok := l.attributed(); ok {
		rec, err := l.attributeRecord(ctx, st, id, attr)
		if !errors.Is(err, store.ErrNotFound) {
			return rec, err
		}
		// No attribute: a record file written before the store kept them.
	}
	e, _, err := l.lookupRecord(ctx, bucket, id)
	if err != nil {
		return record{}, err
	}
	// A record file is immutable, so its parsed form is cached by its ID.
	if rec, ok := l.records.get(e.ID); ok {
		return rec, nil
	}
	body, err := l.readSmallFileUncached(ctx, e.ID) // the parsed record is cached instead
	if err != nil {
		return record{}, err
	}
	var rec record
	if err := json.Unmarshal(body, &rec); err != nil {
		return record{}, fmt.Errorf("objects: decode metadata of %016x: %w", uint64(id), err)
	}
	l.records.put(e.ID, rec)
	return rec, nil
}

// lookupRecord finds the record file of file id and its directory: in the
// cached directory when there is one (one lookup instead of two), else, or
// when the store answers that it was removed, in the directory resolved
// afresh.
func (l *Layer) lookupRecord(ctx context.Context, bucket, id store.ID) (store.Entry, store.ID, error) {
	if dir, ok := l.cachedRecordDir(bucket, id); ok {
		e, err := l.st.Lookup(ctx, dir, recordName(id))
		if !errors.Is(err, store.ErrDirectoryGone) {
			return e, dir, err
		}
		l.dirs.remove(recordDirKey(bucket, id))
	}
	dir, err := l.recordDir(ctx, bucket, id, false)
	if err != nil {
		return store.Entry{}, 0, err
	}
	e, err := l.st.Lookup(ctx, dir, recordName(id))
	return e, dir, err
}

// maxCachedSmallFile bounds the bodies readSmallFile keeps: bucket records
// and the like, read on every request, are far smaller.
const maxCachedSmallFile = 4 << 10

// readSmallFile reads a whole small file. A linked file never changes and
// its ID is never reused, so small bodies are cached by ID: the bucket
// record every request reads (after a fresh Lookup) costs no open and read.
// Callers must not modify the returned bytes.
func (l *Layer) readSmallFile(ctx context.Context, id store.ID) ([]byte, error) {
	if body, ok := l.smallFiles.get(id); ok {
		return body, nil
	}
	body, err := l.readSmallFileUncached(ctx, id)
	if err == nil && len(body) <= maxCachedSmallFile {
		l.smallFiles.put(id, body)
	}
	return body, err
}

func (l *Layer) readSmallFileUncached(ctx context.Context, id store.ID) ([]byte, error) {
	f, err := l.st.OpenFile(ctx, id)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if f.Size() > maxRecordSize {
		return nil, fmt.Errorf("objects: record file %016x is %d bytes", uint64(id), f.Size())
	}
	body := make([]byte, f.Size())
	if _, err := f.ReadAt(body, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("objects: read record file %016x: %w", uint64(id), err)
	}
	return body, nil
}

// removeRecord deletes the record of a file that is no longer linked. Best
// effort: SweepOrphanMetadata removes what this misses.
func (l *Layer) removeRecord(ctx context.Context, bucket, id store.ID) {
	e, dir, err := l.lookupRecord(ctx, bucket, id)
	if err != nil {
		return
	}
	_ = l.st.UnlinkFile(ctx, dir, recordName(id), e.ID)
	l.records.remove(e.ID)
}
