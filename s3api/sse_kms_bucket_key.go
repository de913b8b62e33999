package s3api

import (
	"fmt"

	"github.com/terngate/terngate/kms"
	"github.com/terngate/terngate/sse"
	"github.com/terngate/terngate/store/objects"
)

// S3 Bucket Keys (user guide, "Reducing the cost of SSE-KMS with Amazon S3
// Bucket Keys"): "a bucket-level key for SSE-KMS can reduce your AWS KMS
// request costs by up to 99 percent by decreasing the request traffic from
// Amazon S3 to AWS KMS". S3 asks the KMS for a bucket key, keeps it "for a
// limited time", and derives the objects' keys from it; with a bucket key
// "the encryption context is the bucket ARN" rather than the object's.
// Here: one data key per bucket, master key and client context, drawn with
// aws:s3:arn = arn:aws:s3:::bucket and cached (kms.BucketKeys); each
// object gets a random key sealed under it, and its record keeps the
// bucket key's KMS ciphertext so any gateway over the store can open it.

func bucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }

// bucketKeyContext is the context a bucket key is drawn with: the client's
// pairs and the bucket's ARN.
func bucketKeyContext(client kms.Context, bucket string) kms.Context {
	ec := make(kms.Context, len(client)+1)
	for k, v := range client {
		ec[k] = v
	}
	ec[objectARNContext] = bucketARN(bucket)
	return ec
}

// sealUnderBucketKey is sealForKMS with a bucket key: the KMS is asked
// only when the bucket has no live key.
func sealUnderBucketKey(r *request, w kmsWrite, stored string) (*objects.Encryption, string, error) {
	bk, err := r.sse.bucketKeys.Generate(r.ctx, w.keyID, bucketKeyContext(w.context, r.bucket))
	if err != nil {
		return nil, "", kmsError("GenerateDataKey", err)
	}
	defer clear(bk.Plaintext)
	info, key, err := sse.KMSBucketKeyInfo(bk.KeyID, bk.Plaintext, bk.Sealed, stored, r.bucket, r.key)
	if err != nil {
		return nil, "", err
	}
	return &objects.Encryption{Info: info, Key: key}, bk.KeyID, nil
}

// openUnderBucketKey opens the key of an object written under a bucket
// key: the bucket key from the cache or the KMS, then the object's own.
func openUnderBucketKey(r *request, enc sse.Info, client kms.Context, bucket, object string) (*sse.ObjectKey, error) {
	plain, err := r.sse.bucketKeys.Decrypt(r.ctx, enc.KeyID, enc.Sealed, bucketKeyContext(client, bucket))
	if err != nil {
		return nil, fmt.Errorf("object %s/%s: %w", bucket, object, kmsError("Decrypt", err))
	}
	defer clear(plain)
	key, err := sse.UnwrapKMSObjectKey(enc, plain, bucket, object)
	if err != nil {
		return nil, fmt.Errorf("object %s/%s: bucket key: %w", bucket, object, err)
	}
	return key, nil
}
