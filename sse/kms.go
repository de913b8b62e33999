package sse

import "fmt"

// ModeKMS is SSE-KMS: the object key is a data key drawn from a key
// management service (package kms); Info.KeyID is the ARN of the master
// key it is sealed under and Info.Sealed the KMS's sealed copy, opened by
// the KMS again on every read with the object's encryption context.
const ModeKMS Mode = "KMS"

// KMSInfo is the record of an SSE-KMS object whose key the KMS drew as
// dataKey (plaintext, copied into the returned ObjectKey) and sealed as
// sealed under keyARN. Zero the key once done.
func KMSInfo(keyARN string, dataKey, sealed []byte, context string, bucketKey bool) (Info, *ObjectKey) {
	key := new(ObjectKey)
	copy(key[:], dataKey)
	return Info{Mode: ModeKMS, KeyID: keyARN, Sealed: sealed, Context: context, BucketKey: bucketKey}, key
}

// KMSBucketKeyInfo is the record of an SSE-KMS object written under a
// bucket key: the KMS drew bucketKey (plaintext) and sealed it as sealed
// under keyARN once for many objects; this object gets a fresh random key,
// sealed under the bucket key and bound to bucket/object like any sealed
// object key. Zero the returned key once done.
func KMSBucketKeyInfo(keyARN string, bucketKey, sealed []byte, context, bucket, object string) (Info, *ObjectKey, error) {
	key, err := NewObjectKey()
	if err != nil {
		return Info{}, nil, err
	}
	wrapped, err := Seal(key, ModeKMS, keyARN, bucketKey, bucket, object)
	if err != nil {
		key.Zero()
		return Info{}, nil, fmt.Errorf("sse: seal under bucket key: %w", err)
	}
	return Info{Mode: ModeKMS, KeyID: keyARN, Sealed: sealed, Context: context, BucketKey: true, Wrapped: wrapped.Sealed}, key, nil
}

// UnwrapKMSObjectKey opens info.Wrapped, the object key of an SSE-KMS
// object written under a bucket key, with that bucket key's plaintext.
func UnwrapKMSObjectKey(info Info, bucketKey []byte, bucket, object string) (*ObjectKey, error) {
	return Unseal(Info{Mode: ModeKMS, KeyID: info.KeyID, Sealed: info.Wrapped}, bucketKey, bucket, object)
}
