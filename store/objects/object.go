package objects

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// resolveAttempts bounds the retries of a read racing with overwrites.
const resolveAttempts = 4

// locate finds the file currently holding key.
func (l *Layer) locate(ctx context.Context, bucket, key string) (store.ID, store.ID, slot, keyPath, error) {
	p, err := pathOfKey(key)
	if err != nil {
		return 0, 0, slot{}, p, err
	}
	bid, dir, err := l.objectDir(ctx, bucket, p)
	if errors.Is(err, store.ErrNotFound) {
		return 0, 0, slot{}, p, s3err.NoSuchKey
	}
	if err != nil {
		return 0, 0, slot{}, p, err
	}
	s, err := l.inspect(ctx, dir, p.name)
	if err != nil {
		return 0, 0, slot{}, p, err
	}
	if !s.found {
		return 0, 0, slot{}, p, s3err.NoSuchKey
	}
	return bid, dir, s, p, nil
}

// Stat describes an object.
func (l *Layer) Stat(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	for range resolveAttempts {
		bid, _, s, _, err := l.locate(ctx, bucket, key)
		if err != nil {
			return ObjectInfo{}, err
		}
		info, err := l.describe(ctx, bucket, key, bid, s.file.ID, nil)
		if errors.Is(err, store.ErrNotFound) {
			continue // overwritten or deleted meanwhile
		}
		return info, err
	}
	return ObjectInfo{}, fmt.Errorf("objects: %q keeps changing: %w", key, s3err.ServiceUnavailable)
}

// Open opens an object. Its bytes and description stay those of the moment
// it was opened.
func (l *Layer) Open(ctx context.Context, bucket, key string) (*Object, error) {
	for range resolveAttempts {
		bid, _, s, _, err := l.locate(ctx, bucket, key)
		if err != nil {
			return nil, err
		}
		f, err := l.st.OpenFile(ctx, s.file.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("objects: open %q: %w", key, err)
		}
		info, err := l.describe(ctx, bucket, key, bid, s.file.ID, f)
		if err != nil {
			f.Close()
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			return nil, err
		}
		return &Object{Info: info, File: f}, nil
	}
	return nil, fmt.Errorf("objects: %q keeps changing: %w", key, s3err.ServiceUnavailable)
}

// describe builds the ObjectInfo of file id. A missing record means either
// that the file was replaced since it was looked up (its record is removed
// after the replacement), reported as store.ErrNotFound so the caller looks
// again, or that another client wrote the file. f, if open, supplies the
// size of a foreign file as it was opened.
func (l *Layer) describe(ctx context.Context, bucket, key string, bid, id store.ID, f store.File) (ObjectInfo, error) {
	rec, err := l.readRecord(ctx, bid, id)
	if err == nil {
		return rec.info(bucket, key, id), nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return ObjectInfo{}, fmt.Errorf("objects: metadata of %q: %w", key, err)
	}
	_, _, s, _, err := l.locate(ctx, bucket, key)
	if err != nil {
		if errors.Is(err, s3err.NoSuchKey) {
			return ObjectInfo{}, store.ErrNotFound
		}
		return ObjectInfo{}, err
	}
	if s.file.ID != id {
		return ObjectInfo{}, store.ErrNotFound
	}
	fi, err := l.st.StatFile(ctx, id)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("objects: stat %q: %w", key, err)
	}
	if f != nil {
		fi.Size = f.Size()
	}
	return foreignInfo(bucket, key, fi), nil
}

// Delete removes an object. A missing key is not an error (S3 answers 204).
// Directories left empty are pruned up to the bucket.
func (l *Layer) Delete(ctx context.Context, bucket, key string) error {
	return l.DeleteIf(ctx, bucket, key, DeleteConditions{})
}

// ReplaceMetadata replaces an object's metadata in place (a copy onto itself
// with the REPLACE directive): same bytes, same ETag, new LastModified. If
// ifETag is set the object's ETag must equal it, else PreconditionFailed.
func (l *Layer) ReplaceMetadata(ctx context.Context, bucket, key string, ifETag string, md Metadata) (ObjectInfo, error) {
	p, err := pathOfKey(key)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer l.bucketLocks.rlock(bucket)()
	bid, dir, err := l.objectDir(ctx, bucket, p)
	if errors.Is(err, store.ErrNotFound) {
		return ObjectInfo{}, s3err.NoSuchKey
	}
	if err != nil {
		return ObjectInfo{}, err
	}
	defer l.names.lock(dir, p.name)()
	s, err := l.inspect(ctx, dir, p.name)
	if err != nil {
		return ObjectInfo{}, err
	}
	if !s.found {
		return ObjectInfo{}, s3err.NoSuchKey
	}
	id := s.file.ID
	rec, err := l.readRecord(ctx, bid, id)
	if errors.Is(err, store.ErrNotFound) {
		// A foreign file gains a record carrying its synthetic ETag.
		fi, serr := l.st.StatFile(ctx, id)
		if serr != nil {
			return ObjectInfo{}, fmt.Errorf("objects: stat %q: %w", key, serr)
		}
		rec, err = record{ETag: foreignETag(id, fi.Size), Size: fi.Size}, nil
	}
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("objects: metadata of %q: %w", key, err)
	}
	if ifETag != "" && ifETag != rec.ETag {
		return ObjectInfo{}, s3err.PreconditionFailedOn("If-Match")
	}
	rec.Meta = md
	rec.Modified = time.Now().UnixNano()
	if err := l.writeRecord(ctx, bid, id, rec); err != nil {
		return ObjectInfo{}, err
	}
	return rec.info(bucket, key, id), nil
}
