package s3api

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// BenchmarkSSE measures PUT and GET of 16 MiB objects over real HTTP on
// the local store, plaintext and SSE-S3, in the same run: compare the
// MB/s of each encrypted sub-benchmark with its plaintext twin (goal: at
// least 0.8 of it with AES-NI).
func BenchmarkSSE(b *testing.B) {
	g, stop := startSSEGatewayIn(b, b.TempDir(), Config{MasterKeys: testKeyRing(b, "bench")})
	defer stop()
	g.mustCreateBucket(b, "bench")
	c := g.client()
	ctx := context.Background()
	body := patterned(16 << 20)
	for _, mode := range []struct {
		name string
		sse  types.ServerSideEncryption
	}{{"plain", ""}, {"sse-s3", types.ServerSideEncryptionAes256}} {
		put := func(key string) {
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(key),
				Body: bytes.NewReader(body), ServerSideEncryption: mode.sse}); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(mode.name+"-put", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for i := 0; b.Loop(); i++ {
				put(mode.name + "-put")
			}
		})
		put(mode.name + "-get")
		b.Run(mode.name+"-get", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(mode.name + "-get")})
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, out.Body)
				out.Body.Close()
				if err != nil || n != int64(len(body)) {
					b.Fatalf("read %d bytes: %v", n, err)
				}
			}
		})
	}
}
