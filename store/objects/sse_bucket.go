package objects

import (
	"context"

	"github.com/terngate/terngate/s3err"
)

var encryptionDocument = bucketDocument{name: "encryption", what: "encryption configuration", missing: s3err.ServerSideEncryptionConfigurationNotFoundError}

// SetBucketEncryption stores doc as the bucket's default encryption
// configuration, replacing any; an empty doc removes it.
func (l *Layer) SetBucketEncryption(ctx context.Context, bucket string, doc []byte) error {
	return l.setBucketDocument(ctx, bucket, encryptionDocument, doc)
}

// BucketEncryption returns the bucket's default encryption configuration as
// stored, or s3err.ServerSideEncryptionConfigurationNotFoundError.
func (l *Layer) BucketEncryption(ctx context.Context, bucket string) ([]byte, error) {
	return l.bucketDocument(ctx, bucket, encryptionDocument)
}
