package s3api

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/terngate/terngate/kms"
)

// countingKMS is a real provider that counts the calls made of it and
// remembers the contexts keys were drawn with.
type countingKMS struct {
	kms.Provider
	mu        sync.Mutex
	generates int
	decrypts  int
	contexts  []kms.Context
}

func (c *countingKMS) GenerateDataKey(ctx context.Context, keyID string, ec kms.Context) (kms.DataKey, error) {
	c.mu.Lock()
	c.generates++
	c.contexts = append(c.contexts, ec)
	c.mu.Unlock()
	return c.Provider.GenerateDataKey(ctx, keyID, ec)
}

func (c *countingKMS) Decrypt(ctx context.Context, keyID string, sealed []byte, ec kms.Context) ([]byte, error) {
	c.mu.Lock()
	c.decrypts++
	c.mu.Unlock()
	return c.Provider.Decrypt(ctx, keyID, sealed, ec)
}

func (c *countingKMS) counts() (generates, decrypts int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.generates, c.decrypts
}

// S3 Bucket Keys cut the KMS calls: "Amazon S3 uses a bucket-level key
// for SSE-KMS ... to create unique data keys for objects in the bucket",
// kept for a limited time, so many objects cost one KMS request (user
// guide, "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys"), and
// with a bucket key "the encryption context is the bucket ARN" (same
// page, "Changes to note before enabling an S3 Bucket Key"). Many PUTs,
// single and multipart, are one GenerateDataKey; many GETs from another
// gateway over the same store (a replica with its own cache) are one
// Decrypt; an object written without a bucket key keeps its own data key
// and still opens.
func TestSSEKMSBucketKeyCallsKMSOncePerBucket(t *testing.T) {
	ring := testKMSRing(t, "k1")
	writer := &countingKMS{Provider: ring}
	g, _ := startSSEMPGatewayWith(t, func(c *Config) { c.KMS = writer })
	g.mustCreateBucket(t, "bkeys")
	c := g.client()
	ctx := context.Background()

	const objects = 12
	bodies := map[string][]byte{}
	for i := range objects {
		key := fmt.Sprintf("o%d", i)
		bodies[key] = patterned(70<<10 + i)
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkeys"), Key: aws.String(key), Body: bytes.NewReader(bodies[key]),
			ServerSideEncryption: types.ServerSideEncryptionAwsKms, BucketKeyEnabled: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if !aws.ToBool(put.BucketKeyEnabled) || aws.ToString(put.SSEKMSKeyId) != ringARN("k1") {
			t.Fatalf("PUT %s: bucket key %v, key %q", key, aws.ToBool(put.BucketKeyEnabled), aws.ToString(put.SSEKMSKeyId))
		}
	}
	// A multipart upload under the bucket key uses the same one.
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkeys"), Key: aws.String("mp"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, BucketKeyEnabled: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	part1, part2 := patterned(sseMPMinPart), patterned(1000)
	var done []types.CompletedPart
	for n, body := range [][]byte{part1, part2} {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bkeys"), Key: aws.String("mp"), UploadId: mp.UploadId,
			PartNumber: aws.Int32(int32(n + 1)), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(n + 1)), ETag: up.ETag})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bkeys"), Key: aws.String("mp"),
		UploadId: mp.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		t.Fatal(err)
	}
	bodies["mp"] = append(append([]byte(nil), part1...), part2...)
	if gen, dec := writer.counts(); gen != 1 || dec != 0 {
		t.Fatalf("%d PUTs and a multipart upload under a bucket key: %d GenerateDataKey, %d Decrypt; want 1 and 0", objects, gen, dec)
	}
	if got := writer.contexts[0]["aws:s3:arn"]; got != "arn:aws:s3:::bkeys" || len(writer.contexts[0]) != 1 {
		t.Fatalf("bucket key drawn with context %v, want the bucket's ARN", writer.contexts[0])
	}
	// Without a bucket key, the object's own data key, bound to its ARN.
	bodies["own"] = patterned(1234)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkeys"), Key: aws.String("own"), Body: bytes.NewReader(bodies["own"]),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms}); err != nil {
		t.Fatal(err)
	}
	if gen, _ := writer.counts(); gen != 2 || writer.contexts[1]["aws:s3:arn"] != "arn:aws:s3:::bkeys/own" {
		t.Fatalf("PUT without a bucket key: %d GenerateDataKey, context %v", gen, writer.contexts[len(writer.contexts)-1])
	}

	reader := &countingKMS{Provider: ring}
	g2, stop2 := startSSEGatewayOver(t, g, Config{KMS: reader})
	defer stop2()
	c2 := g2.client()
	for round := range 2 {
		for key, body := range bodies {
			if key == "own" {
				continue
			}
			got, data := getBody(t, c2, "bkeys", key, "")
			if !bytes.Equal(data, body) || !aws.ToBool(got.BucketKeyEnabled) || got.ServerSideEncryption != types.ServerSideEncryptionAwsKms {
				t.Fatalf("round %d GET %s: %d bytes (want %d), bucket key %v", round, key, len(data), len(body), aws.ToBool(got.BucketKeyEnabled))
			}
			if _, data := getBody(t, c2, "bkeys", key, "bytes=65530-65545"); !bytes.Equal(data, body[65530:65546]) {
				t.Fatalf("ranged GET %s: %q", key, data)
			}
		}
	}
	if gen, dec := reader.counts(); gen != 0 || dec != 1 {
		t.Fatalf("GETs of %d bucket-key objects: %d GenerateDataKey, %d Decrypt; want 0 and 1", len(bodies)-1, gen, dec)
	}
	got, data := getBody(t, c2, "bkeys", "own", "")
	if !bytes.Equal(data, bodies["own"]) || aws.ToBool(got.BucketKeyEnabled) {
		t.Fatalf("GET of the object without a bucket key: %d bytes, bucket key %v", len(data), aws.ToBool(got.BucketKeyEnabled))
	}
	if _, dec := reader.counts(); dec != 2 {
		t.Fatalf("GET of an object with its own data key: %d Decrypt in all, want 2", dec)
	}
}
