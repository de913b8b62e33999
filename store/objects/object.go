package objects

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// resolveAttempts bounds the retries of a read racing with overwrites.
// An attempt is a lookup and an open; since a small overwrite on the local
// store is one transaction, a key overwritten back to back can change
// several times under one read, so the bound is generous before a read
// gives up with 503.
const resolveAttempts = 16

// locate finds the file currently holding key. The bucket's directory comes
// from the cache (cachedBucketID); if the store answers that it, or a
// directory below it, was removed, the key is resolved once more afresh.
func (l *Layer) locate(ctx context.Context, bucket, key string) (store.ID, store.ID, slot, keyPath, error) {
	return l.locateVia(ctx, bucket, key, l.st.Lookup)
}

// locateVia is locate looking names up with lookup (see readLookup).
func (l *Layer) locateVia(ctx context.Context, bucket, key string, lookup lookupFunc) (store.ID, store.ID, slot, keyPath, error) {
	p, err := pathOfKey(key)
	if err != nil {
		return 0, 0, slot{}, p, err
	}
	bid, fromCache, err := l.cachedBucketID(ctx, bucket)
	if err != nil {
		return 0, 0, slot{}, p, err
	}
	dir, s, err := l.locateIn(ctx, bid, p, lookup)
	if errors.Is(err, store.ErrDirectoryGone) {
		if fromCache {
			l.forgetBucket(bucket)
			if bid, err = l.bucketID(ctx, bucket); err != nil {
				return 0, 0, slot{}, p, err
			}
		}
		dir, s, err = l.locateIn(ctx, bid, p, lookup)
	}
	if errors.Is(err, store.ErrNotFound) {
		// Also a directory removed again since: the key was gone then.
		return 0, 0, slot{}, p, s3err.NoSuchKey
	}
	if err != nil {
		return 0, 0, slot{}, p, err
	}
	if !s.found {
		return 0, 0, slot{}, p, s3err.NoSuchKey
	}
	return bid, dir, s, p, nil
}

// locateIn finds who holds key path p in the bucket directory bid.
func (l *Layer) locateIn(ctx context.Context, bid store.ID, p keyPath, lookup lookupFunc) (store.ID, slot, error) {
	dir, err := l.objectDir(ctx, bid, p)
	if err != nil {
		return 0, slot{}, err
	}
	s, err := l.lookupSlotVia(ctx, dir, p.name, lookup)
	return dir, s, err
}

// Stat describes an object.
func (l *Layer) Stat(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	for range resolveAttempts {
		var read readLookup
		bid, _, s, _, err := l.locateVia(ctx, bucket, key, read.lookupFunc(l, false))
		if err != nil {
			return ObjectInfo{}, err
		}
		info, err := l.describe(ctx, bucket, key, bid, s.file.ID, nil, read.attributeOf(s.file))
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
		var read readLookup
		bid, _, s, _, err := l.locateVia(ctx, bucket, key, read.lookupFunc(l, true))
		if err != nil {
			read.close()
			return nil, err
		}
		f := read.takeFile(s.file)
		read.close()
		if f == nil {
			f, err = l.st.OpenFile(ctx, s.file.ID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("objects: open %q: %w", key, err)
			}
		}
		info, err := l.describe(ctx, bucket, key, bid, s.file.ID, f, read.attributeOf(s.file))
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
// size of a foreign file as it was opened; attr, if not nil, the file's
// attribute as its lookup brought it back.
func (l *Layer) describe(ctx context.Context, bucket, key string, bid, id store.ID, f store.File, attr *[]byte) (ObjectInfo, error) {
	rec, err := l.readRecordGiven(ctx, bid, id, attr)
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
	return l.rewriteRecord(ctx, bucket, key, func(rec *record) error {
		if ifETag != "" && ifETag != rec.ETag {
			return s3err.PreconditionFailedOn("If-Match")
		}
		rec.Meta = md
		rec.Modified = time.Now().UnixNano()
		return nil
	})
}

// errObjectMoved: the name no longer holds the file a record was staged for.
var errObjectMoved = errors.New("objects: object replaced while its metadata was being replaced")

// currentRecord is file id's record or, for a foreign file, the record
// that gives it its synthetic ETag. store.ErrNotFound if the file is gone.
func (l *Layer) currentRecord(ctx context.Context, bid, id store.ID, key string) (record, error) {
	rec, err := l.readRecord(ctx, bid, id)
	if errors.Is(err, store.ErrNotFound) {
		fi, serr := l.st.StatFile(ctx, id)
		if serr != nil {
			if errors.Is(serr, store.ErrNotFound) {
				return record{}, serr
			}
			return record{}, fmt.Errorf("objects: stat %q: %w", key, serr)
		}
		return record{ETag: foreignETag(id, fi.Size), Size: fi.Size}, nil
	}
	if err != nil {
		return record{}, fmt.Errorf("objects: metadata of %q: %w", key, err)
	}
	return rec, nil
}

// stagedRecord is a record written to a transient file, not yet linked.
type stagedRecord struct {
	t   store.Transient
	dir store.ID
}

func (l *Layer) stageRecord(ctx context.Context, bid, id store.ID, rec record) (stagedRecord, error) {
	body, err := json.Marshal(rec)
	if err != nil {
		return stagedRecord{}, fmt.Errorf("objects: encode metadata: %w", err)
	}
	dir, err := l.recordDir(ctx, bid, id, true)
	if err != nil {
		return stagedRecord{}, fmt.Errorf("objects: metadata directory: %w", err)
	}
	t, err := l.st.CreateTransient(ctx, dir, notePut)
	if err != nil {
		return stagedRecord{}, fmt.Errorf("objects: write metadata of %016x: %w", uint64(id), err)
	}
	if _, err := l.st.Append(ctx, t, bytes.NewReader(body)); err != nil {
		_ = l.st.ScrapTransient(context.WithoutCancel(ctx), t)
		return stagedRecord{}, fmt.Errorf("objects: write metadata of %016x: %w", uint64(id), err)
	}
	return stagedRecord{t: t, dir: dir}, nil
}

// linkRecord links a staged record of file id if name in dir still holds
// id, under the name's hold.
func (l *Layer) linkRecord(ctx context.Context, bid, dir store.ID, name string, id store.ID, staged stagedRecord) error {
	hold, err := l.holdName(ctx, bid, dir, name, staged.t)
	if err != nil {
		return err
	}
	defer hold.release(ctx)
	s, err := l.inspect(ctx, dir, name)
	if err != nil {
		return err
	}
	if !s.found || s.file.ID != id {
		return errObjectMoved
	}
	if err := hold.commit(l); err != nil {
		return err
	}
	if _, err := l.st.LinkFile(ctx, staged.t, staged.dir, recordName(id)); err != nil {
		return hold.fenced(fmt.Errorf("objects: write metadata of %016x: %w", uint64(id), err))
	}
	return nil
}
