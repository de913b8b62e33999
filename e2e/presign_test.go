package e2e

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestPresignedURLs uploads and downloads through SDK-presigned URLs with a
// plain HTTP client, and checks an expired URL is refused.
func TestPresignedURLs(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	ctx := testContext(t, time.Minute)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("presigned")})
	mustNoErr(t, err, "CreateBucket")
	presigner := s3.NewPresignClient(c)

	body := []byte("uploaded through a presigned URL")
	put, err := presigner.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("presigned"), Key: aws.String("dir/a b+c.txt")})
	mustNoErr(t, err, "PresignPutObject")
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, put.URL, bytes.NewReader(body))
	mustNoErr(t, err, "new request")
	for k, vs := range put.SignedHeader {
		if !strings.EqualFold(k, "Host") {
			req.Header[k] = vs
		}
	}
	resp, err := http.DefaultClient.Do(req)
	mustNoErr(t, err, "presigned PUT")
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned PUT: %d %s", resp.StatusCode, msg)
	}

	get, err := presigner.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("presigned"), Key: aws.String("dir/a b+c.txt")})
	mustNoErr(t, err, "PresignGetObject")
	resp, err = http.Get(get.URL)
	mustNoErr(t, err, "presigned GET")
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
		t.Errorf("presigned GET: %d %q, want 200 %q", resp.StatusCode, got, body)
	}

	expiring, err := presigner.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("presigned"), Key: aws.String("dir/a b+c.txt")},
		s3.WithPresignExpires(time.Second))
	mustNoErr(t, err, "PresignGetObject expiring")
	time.Sleep(2100 * time.Millisecond)
	resp, err = http.Get(expiring.URL)
	mustNoErr(t, err, "expired presigned GET")
	msg, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	raw := rawResponse{status: resp.StatusCode, body: msg}
	if resp.StatusCode != http.StatusForbidden || raw.errorCode() != "AccessDenied" {
		t.Errorf("expired presigned GET: %d %s, want 403 AccessDenied", resp.StatusCode, msg)
	}
}
