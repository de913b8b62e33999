package objects

import (
	"context"
	"errors"
	"fmt"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// rewriteRecord replaces the record of the object key holds with what
// change makes of it, leaving the bytes alone. change may refuse (its error
// is returned unchanged); it is called again if the object is replaced
// meanwhile, with the new object's record.
//
// The new record is staged (a transient file) before the name is held, so
// that with leases it is the holder another gateway can fence; it is
// linked only if the object is still the file it was staged for. Everything
// the record keeps about the bytes (ETag, size, parts) belongs to that file
// and change must not alter it.
func (l *Layer) rewriteRecord(ctx context.Context, bucket, key string, change func(*record) error) (ObjectInfo, error) {
	p, err := pathOfKey(key)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer l.bucketLocks.rlock(bucket)()
	for range resolveAttempts {
		bid, dir, s, _, err := l.locate(ctx, bucket, key)
		if err != nil {
			return ObjectInfo{}, err
		}
		id := s.file.ID
		rec, err := l.recordToRewrite(ctx, bid, id, key)
		if errors.Is(err, store.ErrNotFound) {
			continue // replaced meanwhile
		}
		if err != nil {
			return ObjectInfo{}, err
		}
		if err := change(&rec); err != nil {
			return ObjectInfo{}, err
		}
		err = l.replaceRecord(ctx, bid, dir, p.name, id, rec)
		if errors.Is(err, errObjectMoved) {
			continue
		}
		if err != nil {
			return ObjectInfo{}, err
		}
		return rec.info(bucket, key, id), nil
	}
	return ObjectInfo{}, fmt.Errorf("objects: %q keeps changing: %w", key, s3err.ServiceUnavailable)
}

// recordToRewrite is currentRecord, with a foreign file's modification
// time and default metadata: once rewritten, the record is all that
// describes the file.
func (l *Layer) recordToRewrite(ctx context.Context, bid, id store.ID, key string) (record, error) {
	rec, err := l.currentRecord(ctx, bid, id, key)
	if err != nil || rec.Modified != 0 {
		return rec, err
	}
	fi, err := l.st.StatFile(ctx, id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return record{}, err
		}
		return record{}, fmt.Errorf("objects: stat %q: %w", key, err)
	}
	rec.Modified = fi.Mtime.UnixNano()
	if rec.Meta.ContentType == "" {
		rec.Meta.ContentType = foreignInfo("", "", fi).Metadata.ContentType
	}
	return rec, nil
}

// replaceRecord makes rec file id's record if name in dir still holds id:
// errObjectMoved if it does not.
func (l *Layer) replaceRecord(ctx context.Context, bid, dir store.ID, name string, id store.ID, rec record) error {
	if st, ok := l.attributeWriter(); ok {
		return l.replaceAttributeRecord(ctx, st, bid, dir, name, id, rec)
	}
	staged, err := l.stageRecord(ctx, bid, id, rec)
	if err != nil {
		return err
	}
	err = l.linkRecord(ctx, bid, dir, name, id, staged)
	if err != nil {
		_ = l.st.ScrapTransient(context.WithoutCancel(ctx), staged.t)
	}
	return err
}
