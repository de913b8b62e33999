package objects

import "context"

// PublicAccessBlock is a bucket's S3 public access block configuration
// (API_PublicAccessBlockConfiguration). The layer records it; the API
// layer decides what each setting refuses.
type PublicAccessBlock struct {
	BlockPublicAcls       bool `json:"blockPublicAcls"`
	IgnorePublicAcls      bool `json:"ignorePublicAcls"`
	BlockPublicPolicy     bool `json:"blockPublicPolicy"`
	RestrictPublicBuckets bool `json:"restrictPublicBuckets"`
}

// SetBucketPublicAccessBlock records block as the bucket's public access
// block, replacing any; nil removes it. HeadBucket returns it.
func (l *Layer) SetBucketPublicAccessBlock(ctx context.Context, bucket string, block *PublicAccessBlock) error {
	return l.updateBucketRecord(ctx, bucket, func(rec *bucketRecord) error {
		rec.PublicAccessBlock = block
		return nil
	})
}
