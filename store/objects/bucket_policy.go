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
func (l *Layer) SetBucketPolicy(ctx context.Context, bucket string, doc []byte) error {
	defer l.names.lock(l.root, bucket)()
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
	rec.Policy = string(doc)
	body, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("objects: encode bucket record: %w", err)
	}
	if err := l.writeSmallFile(ctx, e.ID, bucketRecordName, noteBucket, body); err != nil {
		return fmt.Errorf("objects: write bucket record of %q: %w", bucket, err)
	}
	return nil
}
