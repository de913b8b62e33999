package objects

import (
	"context"
	"errors"
	"fmt"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// bucketDocument is a bucket configuration kept verbatim, as the client
// sent it (the caller validates it), in a file of the bucket's metadata
// directory: DeleteBucket removes that directory whole, and the metadata
// sweep skips files that are not in a shard.
type bucketDocument struct {
	name    string // the file's name in the metadata directory
	what    string // what it is, for error messages
	missing error  // S3's answer when the bucket has none
}

var (
	lifecycleDocument = bucketDocument{name: "lifecycle", what: "lifecycle", missing: s3err.NoSuchLifecycleConfiguration}
	corsDocument      = bucketDocument{name: "cors", what: "CORS configuration", missing: s3err.NoSuchCORSConfiguration}
)

// SetBucketLifecycle stores doc as the bucket's lifecycle configuration,
// replacing any; an empty doc removes it.
func (l *Layer) SetBucketLifecycle(ctx context.Context, bucket string, doc []byte) error {
	return l.setBucketDocument(ctx, bucket, lifecycleDocument, doc)
}

// BucketLifecycle returns the bucket's lifecycle configuration as stored, or
// s3err.NoSuchLifecycleConfiguration.
func (l *Layer) BucketLifecycle(ctx context.Context, bucket string) ([]byte, error) {
	return l.bucketDocument(ctx, bucket, lifecycleDocument)
}

// SetBucketCORS stores doc as the bucket's CORS configuration, replacing
// any; an empty doc removes it.
func (l *Layer) SetBucketCORS(ctx context.Context, bucket string, doc []byte) error {
	return l.setBucketDocument(ctx, bucket, corsDocument, doc)
}

// BucketCORS returns the bucket's CORS configuration as stored, or
// s3err.NoSuchCORSConfiguration.
func (l *Layer) BucketCORS(ctx context.Context, bucket string) ([]byte, error) {
	return l.bucketDocument(ctx, bucket, corsDocument)
}

func (l *Layer) setBucketDocument(ctx context.Context, bucket string, d bucketDocument, doc []byte) error {
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
		e, err := l.st.Lookup(ctx, meta, d.name)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err == nil {
			err = l.st.UnlinkFile(ctx, meta, d.name, e.ID)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("objects: remove %s of %q: %w", d.what, bucket, err)
		}
		return nil
	}
	if err := l.writeSmallFile(ctx, meta, d.name, noteBucket, doc); err != nil {
		return fmt.Errorf("objects: write %s of %q: %w", d.what, bucket, err)
	}
	return nil
}

func (l *Layer) bucketDocument(ctx context.Context, bucket string, d bucketDocument) ([]byte, error) {
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return nil, err
	}
	meta, err := l.st.Lookup(ctx, bid, metaDirName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, d.missing
	}
	if err != nil {
		return nil, fmt.Errorf("objects: metadata directory: %w", err)
	}
	e, err := l.st.Lookup(ctx, meta.ID, d.name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, d.missing
	}
	if err != nil {
		return nil, fmt.Errorf("objects: %s of %q: %w", d.what, bucket, err)
	}
	return l.readSmallFile(ctx, e.ID)
}
