package objects

import (
	"context"
	"errors"
	"fmt"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// lifecycleName is the bucket's lifecycle configuration, kept verbatim in
// the bucket's metadata directory: DeleteBucket removes that directory
// whole, and the metadata sweep skips files that are not in a shard.
const lifecycleName = "lifecycle"

// SetBucketLifecycle stores doc (the caller validates it) as the bucket's
// lifecycle configuration, replacing any; an empty doc removes it.
func (l *Layer) SetBucketLifecycle(ctx context.Context, bucket string, doc []byte) error {
	defer l.bucketLocks.rlock(bucket)()
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return err
	}
	meta, err := l.makeDirs(ctx, bid, []string{metaDirName}, false)
	if err != nil {
		return fmt.Errorf("objects: metadata directory: %w", err)
	}
	if len(doc) == 0 {
		e, err := l.st.Lookup(ctx, meta, lifecycleName)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err == nil {
			err = l.st.UnlinkFile(ctx, meta, lifecycleName, e.ID)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("objects: remove lifecycle of %q: %w", bucket, err)
		}
		return nil
	}
	if err := l.writeSmallFile(ctx, meta, lifecycleName, noteBucket, doc); err != nil {
		return fmt.Errorf("objects: write lifecycle of %q: %w", bucket, err)
	}
	return nil
}

// BucketLifecycle returns the bucket's lifecycle configuration as stored, or
// s3err.NoSuchLifecycleConfiguration.
func (l *Layer) BucketLifecycle(ctx context.Context, bucket string) ([]byte, error) {
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return nil, err
	}
	meta, err := l.st.Lookup(ctx, bid, metaDirName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, s3err.NoSuchLifecycleConfiguration
	}
	if err != nil {
		return nil, fmt.Errorf("objects: metadata directory: %w", err)
	}
	e, err := l.st.Lookup(ctx, meta.ID, lifecycleName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, s3err.NoSuchLifecycleConfiguration
	}
	if err != nil {
		return nil, fmt.Errorf("objects: lifecycle of %q: %w", bucket, err)
	}
	return l.readSmallFile(ctx, e.ID)
}
