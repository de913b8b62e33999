package s3api

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/terngate/terngate/auth"
)

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func (g *gateway) minioClient(t *testing.T, trailing bool) *minio.Client {
	t.Helper()
	u, _ := url.Parse(g.endpoint)
	c, err := minio.New(u.Host, &minio.Options{
		Creds:           miniocreds.NewStaticV4(testAccessKey, testSecretKey, ""),
		Secure:          false,
		Region:          testRegion,
		BucketLookup:    minio.BucketLookupPath,
		TrailingHeaders: trailing,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (g *gateway) getBytes(t *testing.T, bucket, key string) []byte {
	t.Helper()
	out, err := g.client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// minio-go over plain HTTP signs every upload chunk by chunk
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD); with a checksum it adds a signed
// trailer (…-PAYLOAD-TRAILER). The object must hold the decoded bytes, not
// the framing, and keep no aws-chunked Content-Encoding.
func TestMinioGoSignedChunkedRoundTrip(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "mcbucket")
	ctx := context.Background()

	big := randomBytes(t, 40<<20)
	mc := g.minioClient(t, false)
	if _, err := mc.PutObject(ctx, "mcbucket", "big.bin", bytes.NewReader(big), int64(len(big)), minio.PutObjectOptions{DisableMultipart: true}); err != nil {
		t.Fatalf("minio PutObject 40 MiB: %v", err)
	}
	if got := g.getBytes(t, "mcbucket", "big.bin"); !bytes.Equal(got, big) {
		t.Fatalf("40 MiB object differs after a signed aws-chunked PUT (got %d bytes)", len(got))
	}
	head, err := g.client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mcbucket"), Key: aws.String("big.bin"), ChecksumMode: s3types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if head.ContentEncoding != nil {
		t.Errorf("stored Content-Encoding %q, want none (aws-chunked is stripped)", *head.ContentEncoding)
	}
	if head.ChecksumCRC64NVME == nil || head.ChecksumType != s3types.ChecksumTypeFullObject {
		t.Errorf("default CRC64NVME not stored: %+v / %q", head.ChecksumCRC64NVME, head.ChecksumType)
	}

	tc := g.minioClient(t, true)
	for _, alg := range []minio.ChecksumType{minio.ChecksumCRC32, minio.ChecksumCRC32C, minio.ChecksumSHA1, minio.ChecksumSHA256, minio.ChecksumCRC64NVME} {
		data := randomBytes(t, 300<<10)
		key := "trailer-" + alg.String()
		if _, err := tc.PutObject(ctx, "mcbucket", key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{DisableMultipart: true, Checksum: alg}); err != nil {
			t.Fatalf("minio PutObject with %s trailer: %v", alg, err)
		}
		if got := g.getBytes(t, "mcbucket", key); !bytes.Equal(got, data) {
			t.Fatalf("%s: object differs after a signed-trailer PUT", alg)
		}
		h, err := g.client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mcbucket"), Key: aws.String(key), ChecksumMode: s3types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		if h.ChecksumType != s3types.ChecksumTypeFullObject {
			t.Errorf("%s: checksum type %q", alg, h.ChecksumType)
		}
	}
	// The SHA256 trailer was verified and stored.
	data := []byte("trailer checked")
	if _, err := tc.PutObject(ctx, "mcbucket", "sha", bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{DisableMultipart: true, Checksum: minio.ChecksumSHA256}); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	h, err := g.client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mcbucket"), Key: aws.String("sha"), ChecksumMode: s3types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(h.ChecksumSHA256) != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("stored SHA256 %q, want %q", aws.ToString(h.ChecksumSHA256), base64.StdEncoding.EncodeToString(sum[:]))
	}
}

// Every broken aws-chunked body is refused with its S3 error and leaves
// the previous object in place.
func TestChunkedBodiesRejected(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "neg")
	g.mustPut(t, "neg", "obj", "previous")
	data := randomBytes(t, 200<<10)
	crc := make([]byte, 4)
	c := crc32.ChecksumIEEE(data)
	crc[0], crc[1], crc[2], crc[3] = byte(c>>24), byte(c>>16), byte(c>>8), byte(c)
	goodCRC := base64.StdEncoding.EncodeToString(crc)

	cases := []struct {
		name   string
		build  func() *http.Request
		status int
		code   string
	}{
		{"bad signature in chunk 2", func() *http.Request {
			req := g.streamingRequest(t, "/neg/obj", auth.StreamingPayload, len(data), testSecretKey, nil)
			return withBody(req, newChunkSigner(t, req, testSecretKey).signedChunks(data, 64<<10, 2))
		}, 403, "SignatureDoesNotMatch"},
		{"truncated chunk", func() *http.Request {
			req := g.streamingRequest(t, "/neg/obj", auth.StreamingPayload, len(data), testSecretKey, nil)
			body := newChunkSigner(t, req, testSecretKey).signedChunks(data, 64<<10, -1)
			return withBody(req, body[:100<<10])
		}, 400, "IncompleteBody"},
		{"decoded length larger than the body", func() *http.Request {
			req := g.streamingRequest(t, "/neg/obj", auth.StreamingPayload, len(data)+1, testSecretKey, nil)
			return withBody(req, newChunkSigner(t, req, testSecretKey).signedChunks(data, 64<<10, -1))
		}, 400, "IncompleteBody"},
		{"trailer checksum mismatch", func() *http.Request {
			req := g.streamingRequest(t, "/neg/obj", auth.StreamingUnsignedPayloadTrailer, len(data), testSecretKey,
				map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32", "X-Amz-Sdk-Checksum-Algorithm": "CRC32"})
			return withBody(req, unsignedChunks(data, "x-amz-checksum-crc32:AAAAAA=="))
		}, 400, "BadDigest"},
		{"promised trailer missing", func() *http.Request {
			req := g.streamingRequest(t, "/neg/obj", auth.StreamingUnsignedPayloadTrailer, len(data), testSecretKey,
				map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32"})
			return withBody(req, unsignedChunks(data))
		}, 400, "MalformedTrailerError"},
		{"malformed trailer line", func() *http.Request {
			req := g.streamingRequest(t, "/neg/obj", auth.StreamingUnsignedPayloadTrailer, len(data), testSecretKey,
				map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32"})
			return withBody(req, unsignedChunks(data, "no colon here"))
		}, 400, "MalformedTrailerError"},
		{"wrong header signature on an unsigned-trailer payload", func() *http.Request {
			req := g.streamingRequest(t, "/neg/obj", auth.StreamingUnsignedPayloadTrailer, len(data), "not-the-secret",
				map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32"})
			return withBody(req, unsignedChunks(data, "x-amz-checksum-crc32:"+goodCRC))
		}, 403, "SignatureDoesNotMatch"},
		{"chunk size not hex", func() *http.Request {
			req := g.streamingRequest(t, "/neg/obj", auth.StreamingUnsignedPayloadTrailer, len(data), testSecretKey, nil)
			return withBody(req, []byte("zz\r\nabc\r\n0\r\n\r\n"))
		}, 400, "IncompleteBody"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, tc.build())
			checkErrorXML(t, resp, body, tc.status, tc.code)
			if got := g.getBytes(t, "neg", "obj"); string(got) != "previous" {
				t.Fatalf("previous object replaced: %q", got[:min(len(got), 32)])
			}
		})
	}

	// The same unsigned-trailer body with the right signature and CRC is
	// stored, and the CRC is kept.
	req := g.streamingRequest(t, "/neg/obj", auth.StreamingUnsignedPayloadTrailer, len(data), testSecretKey,
		map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32", "Content-Encoding": "gzip,aws-chunked"})
	resp, body := do(t, withBody(req, unsignedChunks(data, "x-amz-checksum-crc32:"+goodCRC)))
	if resp.StatusCode != 200 || resp.Header.Get("x-amz-checksum-crc32") != goodCRC {
		t.Fatalf("good unsigned-trailer PUT: %d %s (checksum header %q)", resp.StatusCode, body, resp.Header.Get("x-amz-checksum-crc32"))
	}
	if got := g.getBytes(t, "neg", "obj"); !bytes.Equal(got, data) {
		t.Fatal("good unsigned-trailer PUT stored other bytes")
	}
	info, err := g.layer.Stat(context.Background(), "neg", "obj")
	if err != nil {
		t.Fatal(err)
	}
	if info.Metadata.ContentEncoding != "gzip" || info.Metadata.Checksums["CRC32"] != goodCRC {
		t.Errorf("stored metadata %+v, want Content-Encoding gzip and the CRC32", info.Metadata)
	}
}
