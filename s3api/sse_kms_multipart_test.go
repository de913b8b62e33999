package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// An SSE-KMS multipart upload with aws-sdk-go-v2: CreateMultipartUpload,
// UploadPart and CompleteMultipartUpload answer aws:kms and the key's ARN
// (API_CreateMultipartUpload, API_UploadPart and
// API_CompleteMultipartUpload list x-amz-server-side-encryption,
// -aws-kms-key-id and -bucket-key-enabled among their response headers),
// parts need no key headers (the gateway asks the KMS), the object reads
// back whole, by range across parts and by part number, and the store
// holds no plaintext of it.
func TestSSEKMSMultipart(t *testing.T) {
	g, dir := startSSEMPGatewayWith(t, func(c *Config) { c.KMS = testKMSRing(t, "k1", "k2") })
	g.mustCreateBucket(t, "ssekmsmp")
	c := g.client()
	ctx := context.Background()
	sizes := []int{150000, 120001}
	var body []byte
	for _, n := range sizes {
		body = append(body, numberedBody(len(body) + n)[len(body):]...)
	}
	checkKMS := func(what string, alg types.ServerSideEncryption, keyID *string, bucketKey *bool) {
		t.Helper()
		if alg != types.ServerSideEncryptionAwsKms || aws.ToString(keyID) != ringARN("k2") || !aws.ToBool(bucketKey) {
			t.Fatalf("%s: %q key %q bucket key %v, want aws:kms %s true", what, alg, aws.ToString(keyID), aws.ToBool(bucketKey), ringARN("k2"))
		}
	}
	created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String("ssekmsmp"), Key: aws.String("o"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("k2"), BucketKeyEnabled: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	checkKMS("CreateMultipartUpload", created.ServerSideEncryption, created.SSEKMSKeyId, created.BucketKeyEnabled)
	var parts []types.CompletedPart
	at := 0
	for i, n := range sizes {
		number := int32(i + 1)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("ssekmsmp"), Key: aws.String("o"), UploadId: created.UploadId,
			PartNumber: aws.Int32(number), Body: bytes.NewReader(body[at : at+n])})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", number, err)
		}
		checkKMS(fmt.Sprintf("UploadPart %d", number), out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled)
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(number), ETag: out.ETag})
		at += n
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("ssekmsmp"), Key: aws.String("o"), UploadId: created.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	checkKMS("CompleteMultipartUpload", done.ServerSideEncryption, done.SSEKMSKeyId, done.BucketKeyEnabled)

	got, data := getBody(t, c, "ssekmsmp", "o", "")
	if !bytes.Equal(data, body) {
		t.Fatalf("GET: %d bytes, want %d as written", len(data), len(body))
	}
	checkKMS("GET", got.ServerSideEncryption, got.SSEKMSKeyId, got.BucketKeyEnabled)
	for _, rng := range []string{"bytes=149990-150010", "bytes=-5", "bytes=65536-200000"} {
		_, part := getBody(t, c, "ssekmsmp", "o", rng)
		if !bytes.Equal(part, sliceRange(t, body, rng)) {
			t.Fatalf("GET %s: wrong bytes", rng)
		}
	}
	second, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssekmsmp"), Key: aws.String("o"), PartNumber: aws.Int32(2)})
	if err != nil {
		t.Fatalf("GET ?partNumber=2: %v", err)
	}
	defer second.Body.Close()
	p2, err := io.ReadAll(second.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p2, body[sizes[0]:]) {
		t.Fatalf("GET ?partNumber=2: %d bytes, want part 2", len(p2))
	}
	sum := md5.Sum(body)
	if etag := aws.ToString(done.ETag); etag == `"`+hex.EncodeToString(sum[:])+`"` {
		t.Fatalf("Complete ETag %s is the MD5 of the data", etag)
	}
	expectNoPlaintextExcept(t, dir, []byte(plaintextMarker), 0)
}
