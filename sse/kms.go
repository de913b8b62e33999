package sse

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
