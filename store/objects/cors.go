package objects

import (
	"context"
	"errors"
	"fmt"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// corsName is the bucket's CORS configuration, kept verbatim next to the
// lifecycle configuration in the bucket's metadata directory (DeleteBucket
// removes it with the directory).
const corsName = "cors"

// SetBucketCORS stores doc (the caller validates it) as the bucket's CORS
// configuration, replacing any; an empty doc removes it.
func (l *Layer) SetBucketCORS(ctx context.Context, bucket string, doc []byte) error {
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
		e, err := l.st.Lookup(ctx, meta, corsName)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err == nil {
			err = l.st.UnlinkFile(ctx, meta, corsName, e.ID)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("objects: remove CORS configuration of %q: %w", bucket, err)
		}
		return nil
	}
	if err := l.writeSmallFile(ctx, meta, corsName, noteBucket, doc); err != nil {
		return fmt.Errorf("objects: write CORS configuration of %q: %w", bucket, err)
	}
	return nil
}

// BucketCORS returns the bucket's CORS configuration as stored, or
// s3err.NoSuchCORSConfiguration.
func (l *Layer) BucketCORS(ctx context.Context, bucket string) ([]byte, error) {
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return nil, err
	}
	meta, err := l.st.Lookup(ctx, bid, metaDirName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, s3err.NoSuchCORSConfiguration
	}
	if err != nil {
		return nil, fmt.Errorf("objects: metadata directory: %w", err)
	}
	e, err := l.st.Lookup(ctx, meta.ID, corsName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, s3err.NoSuchCORSConfiguration
	}
	if err != nil {
		return nil, fmt.Errorf("objects: CORS configuration of %q: %w", bucket, err)
	}
	return l.readSmallFile(ctx, e.ID)
}
