package kms

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/terngate/terngate/sse"
)

// countingRing counts the KMS calls reaching a real ring.
type countingRing struct {
	*Ring
	generates, decrypts int
}

func (c *countingRing) GenerateDataKey(ctx context.Context, keyID string, ec Context) (DataKey, error) {
	c.generates++
	return c.Ring.GenerateDataKey(ctx, keyID, ec)
}

func (c *countingRing) Decrypt(ctx context.Context, keyID string, sealed []byte, ec Context) ([]byte, error) {
	c.decrypts++
	return c.Ring.Decrypt(ctx, keyID, sealed, ec)
}

// A bucket key lives its lifetime, then the KMS is asked again (AWS keeps
// its bucket keys "for a limited time": user guide, "Reducing the cost of
// SSE-KMS with Amazon S3 Bucket Keys"); each bucket's context gets its own
// key; a failure is not cached.
func TestBucketKeysLifetime(t *testing.T) {
	keys, err := sse.ParseKeyRing([]byte("k1 " + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	ring := &countingRing{Ring: NewRing(keys, "us-east-1", "000000000000")}
	cache := NewBucketKeys(ring, time.Minute)
	now := time.Unix(1000, 0)
	cache.now = func() time.Time { return now }
	ctx := context.Background()
	a := Context{"aws:s3:arn": "arn:aws:s3:::a"}

	first, err := cache.Generate(ctx, "", a)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := cache.Generate(ctx, "", a)
	opened, err := cache.Decrypt(ctx, first.KeyID, first.Sealed, a)
	if err != nil || !bytes.Equal(again.Plaintext, first.Plaintext) || !bytes.Equal(opened, first.Plaintext) || ring.generates != 1 || ring.decrypts != 0 {
		t.Fatalf("within the lifetime: %v, %d generates, %d decrypts", err, ring.generates, ring.decrypts)
	}
	if other, _ := cache.Generate(ctx, "", Context{"aws:s3:arn": "arn:aws:s3:::b"}); bytes.Equal(other.Plaintext, first.Plaintext) || ring.generates != 2 {
		t.Fatal("another bucket shares the key")
	}
	if _, err := cache.Decrypt(ctx, first.KeyID, first.Sealed, Context{"aws:s3:arn": "arn:aws:s3:::b"}); err == nil {
		t.Fatal("a bucket key opened under another bucket's context")
	}
	if _, err := cache.Generate(ctx, "missing", a); err == nil || ring.generates != 3 {
		t.Fatalf("unknown key: %v", err)
	}
	if _, err := cache.Generate(ctx, "missing", a); err == nil || ring.generates != 4 {
		t.Fatal("a failure was cached")
	}

	now = now.Add(time.Minute)
	later, _ := cache.Generate(ctx, "", a)
	if bytes.Equal(later.Plaintext, first.Plaintext) || ring.generates != 5 {
		t.Fatal("a bucket key outlived its lifetime")
	}
	if _, err := cache.Decrypt(ctx, first.KeyID, first.Sealed, a); err != nil || ring.decrypts != 2 {
		t.Fatalf("an expired key was not opened again: %v, %d decrypts", err, ring.decrypts)
	}
}
