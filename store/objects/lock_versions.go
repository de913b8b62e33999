package objects

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// errLockOnDeleteMarker refuses a retention or legal hold request that
// names a delete marker, which holds no object to lock: 405, as S3 answers
// the object operations a marker cannot serve.
var errLockOnDeleteMarker = s3err.MethodNotAllowed

// lockedVersion is one version of a key found for a lock request, with the
// key's name held as deleteVersion holds it, so that nothing removes or
// replaces the version meanwhile.
type lockedVersion struct {
	bid  store.ID
	v    keyVersion
	hold *nameHold
}

// holdVersion finds the version named versionID of key and holds its name;
// the caller releases the hold.
func (l *Layer) holdVersion(ctx context.Context, bucket, key, versionID string) (lockedVersion, error) {
	want, err := parseVersionID("versionId", versionID)
	if err != nil {
		return lockedVersion{}, err
	}
	p, err := pathOfKey(key)
	if err != nil {
		return lockedVersion{}, err
	}
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return lockedVersion{}, err
	}
	state, err := l.BucketVersioning(ctx, bucket)
	if err != nil {
		return lockedVersion{}, err
	}
	dir, err := l.objectDir(ctx, bid, p)
	if errors.Is(err, store.ErrNotFound) {
		return lockedVersion{}, s3err.NoSuchVersion
	}
	if err != nil {
		return lockedVersion{}, err
	}
	hold, err := l.holdName(ctx, bid, dir, p.name, store.Transient{})
	if err != nil {
		return lockedVersion{}, err
	}
	versions, err := l.keyVersions(ctx, bid, p, state)
	if err != nil {
		hold.release(ctx)
		return lockedVersion{}, err
	}
	i := indexOfVersion(versions, want)
	if i < 0 {
		hold.release(ctx)
		return lockedVersion{}, s3err.NoSuchVersion
	}
	if versions[i].isMarker {
		hold.release(ctx)
		return lockedVersion{}, errLockOnDeleteMarker
	}
	return lockedVersion{bid: bid, v: versions[i], hold: hold}, nil
}

// rewriteVersionRecord is rewriteRecord for one version of key (a request
// with ?versionId=; none means the current object). The version's record
// is replaced in place under the key's name hold: a PUT or a version
// delete of the key waits for it, and nothing else rewrites an older
// version's record.
func (l *Layer) rewriteVersionRecord(ctx context.Context, bucket, key, versionID string, change func(*record) error) (ObjectInfo, error) {
	if versionID == "" {
		return l.rewriteRecord(ctx, bucket, key, change)
	}
	defer l.bucketLocks.rlock(bucket)()
	lv, err := l.holdVersion(ctx, bucket, key, versionID)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer lv.hold.release(ctx)
	id := lv.v.edge.ID
	rec, err := l.recordToRewrite(ctx, lv.bid, id, key)
	if err != nil {
		return ObjectInfo{}, err
	}
	if err := change(&rec); err != nil {
		return ObjectInfo{}, err
	}
	if err := lv.hold.commit(l); err != nil {
		return ObjectInfo{}, err
	}
	if err := l.replaceVersionRecord(ctx, lv.bid, id, rec); err != nil {
		return ObjectInfo{}, err
	}
	return rec.info(bucket, key, id), nil
}

// replaceVersionRecord writes rec as file id's record where readRecord
// finds it: the file's attribute when the store keeps one, else the record
// file.
func (l *Layer) replaceVersionRecord(ctx context.Context, bid, id store.ID, rec record) error {
	if st, ok := l.attributed(); ok {
		if _, err := st.FileAttribute(ctx, id); err == nil {
			body, err := json.Marshal(rec)
			if err != nil {
				return fmt.Errorf("objects: encode metadata: %w", err)
			}
			if err := st.SetFileAttribute(ctx, id, body); err != nil {
				return fmt.Errorf("objects: write metadata of %016x: %w", uint64(id), err)
			}
			return nil
		}
	}
	return l.writeRecord(ctx, bid, id, rec)
}

// VersionMetadata returns the metadata of one version of key (the current
// object when versionID is empty): what GetObjectRetention and
// GetObjectLegalHold read.
func (l *Layer) VersionMetadata(ctx context.Context, bucket, key, versionID string) (Metadata, error) {
	if versionID == "" {
		info, err := l.Stat(ctx, bucket, key)
		return info.Metadata, err
	}
	defer l.bucketLocks.rlock(bucket)()
	lv, err := l.holdVersion(ctx, bucket, key, versionID)
	if err != nil {
		return Metadata{}, err
	}
	defer lv.hold.release(ctx)
	rec, err := l.currentRecord(ctx, lv.bid, lv.v.edge.ID, key)
	if err != nil {
		return Metadata{}, err
	}
	return rec.Meta, nil
}
