package objects

import (
	"context"

	"github.com/terngate/terngate/s3err"
)

// taggingDocument holds a bucket's tag set as the Tagging document
// GetBucketTagging answers (the caller builds and validates it).
var taggingDocument = bucketDocument{name: "tagging", what: "tag set", missing: s3err.NoSuchTagSet}

// SetBucketTagging stores doc as the bucket's tag set, replacing any; an
// empty doc removes it.
func (l *Layer) SetBucketTagging(ctx context.Context, bucket string, doc []byte) error {
	return l.setBucketDocument(ctx, bucket, taggingDocument, doc)
}

// BucketTagging returns the bucket's tag set document as stored, or
// s3err.NoSuchTagSet.
func (l *Layer) BucketTagging(ctx context.Context, bucket string) ([]byte, error) {
	return l.bucketDocument(ctx, bucket, taggingDocument)
}
