package objects

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/terngate/terngate/store"
)

// SetBucketPolicy stores doc as the bucket's policy, or removes the policy
// when doc is empty. The caller validates the document; the layer keeps it
// verbatim in the bucket record, which is replaced atomically, so a reader
// sees the old policy or the new one, never a mix.
//
// admit, if not nil, sees the bucket's public access block (nil if none)
// under the same lock as the write, and its error refuses the policy: a
// block put concurrently cannot slip between the check and the write.
func (l *Layer) SetBucketPolicy(ctx context.Context, bucket string, doc []byte, admit func(*PublicAccessBlock) error) error {
	return l.updateBucketRecord(ctx, bucket, func(rec *bucketRecord) error {
		if admit != nil {
			if err := admit(rec.PublicAccessBlock); err != nil {
				return err
			}
		}
		rec.Policy = string(doc)
		return nil
	})
}

// updateBucketRecord rewrites the bucket's record with change applied,
// holding the bucket's name (its lease too, with several gateways, the one
// CreateBucket takes) so that updates, from any gateway, do not lose each
// other. An error from change leaves the record as it was.
func (l *Layer) updateBucketRecord(ctx context.Context, bucket string, change func(*bucketRecord) error) error {
	hold, err := l.holdBucket(ctx, bucket)
	if err != nil {
		return err
	}
	defer hold.release(ctx)
	return l.rewriteBucketRecord(ctx, hold, bucket, change)
}

// holdBucket holds the bucket's name, and its lease with several gateways:
// what CreateBucket holds, and every change of the bucket's record.
func (l *Layer) holdBucket(ctx context.Context, bucket string) (*nameHold, error) {
	return l.holdName(ctx, l.root, l.root, bucket, store.Transient{})
}

// rewriteBucketRecord is updateBucketRecord for a caller that holds the
// bucket (holdBucket).
func (l *Layer) rewriteBucketRecord(ctx context.Context, hold *nameHold, bucket string, change func(*bucketRecord) error) error {
	e, err := l.bucketEntry(ctx, bucket)
	if err != nil {
		return err
	}
	rec, err := l.readBucketRecord(ctx, e.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// An adopted directory: it gets a record with no owner.
		rec = bucketRecord{Created: e.CreationTime.UnixNano()}
	case err != nil:
		return err
	}
	if err := change(&rec); err != nil {
		return err
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("objects: encode bucket record: %w", err)
	}
	if err := hold.commit(l); err != nil {
		return err
	}
	if err := l.writeSmallFile(ctx, e.ID, bucketRecordName, noteBucket, body); err != nil {
		return fmt.Errorf("objects: write bucket record of %q: %w", bucket, err)
	}
	l.buckets.latest.put(e.ID, rec)
	if rec.Versioning != VersioningUnversioned {
		return l.dropReplacedBucketRecords(ctx, e.ID)
	}
	return nil
}
