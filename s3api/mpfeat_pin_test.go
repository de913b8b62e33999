package s3api

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// mpCreate starts an upload and returns its ID.
func mpCreate(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.CreateMultipartUpload(context.Background(), &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("CreateMultipartUpload %s/%s: %v", bucket, key, err)
	}
	return aws.ToString(out.UploadId)
}

// mpPart uploads one part and returns its entry for Complete.
func mpPart(t *testing.T, c *s3.Client, bucket, key, id string, n int32, body []byte) types.CompletedPart {
	t.Helper()
	out, err := c.UploadPart(context.Background(), &s3.UploadPartInput{
		Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
		PartNumber: aws.Int32(n), Body: bytes.NewReader(body),
	})
	if err != nil {
		t.Fatalf("UploadPart %d: %v", n, err)
	}
	return types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag}
}

func mpComplete(c *s3.Client, bucket, key, id string, parts ...types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
	return c.CompleteMultipartUpload(context.Background(), &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
}

// An upload keeps its key's directory although its parts are no entries:
// deleting the last object beside it must not prune the directory away.
func TestUploadPinsItsDirectory(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "pin")

	g.mustPut(t, "pin", "deep/dir/neighbour", "x")
	id := mpCreate(t, c, "pin", "deep/dir/object")
	part := mpPart(t, c, "pin", "deep/dir/object", id, 1, []byte("hello"))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("pin"), Key: aws.String("deep/dir/neighbour")}); err != nil {
		t.Fatal(err)
	}

	// The directory now holds only the upload: no key, so no prefix.
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("pin"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.CommonPrefixes) != 0 || len(list.Contents) != 0 {
		t.Fatalf("listing shows the upload's directory: prefixes %v, objects %d", list.CommonPrefixes, len(list.Contents))
	}
	list, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("pin"), Prefix: aws.String("deep/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 0 {
		t.Fatalf("recursive listing shows %d objects, want none", len(list.Contents))
	}

	if _, err := mpComplete(c, "pin", "deep/dir/object", id, part); err != nil {
		t.Fatalf("Complete after the neighbour was deleted: %v", err)
	}
	if got := getString(t, c, "pin", "deep/dir/object"); got != "hello" {
		t.Fatalf("object = %q", got)
	}

	// With the upload over, deleting the object prunes the directories.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("pin"), Key: aws.String("deep/dir/object")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("pin")}); err != nil {
		t.Fatalf("DeleteBucket after everything finished: %v", err)
	}
}

// Aborting an upload removes its marker, so the directory is pruned and
// a prefix listing stays empty.
func TestAbortUnpinsDirectory(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "unpin")
	id := mpCreate(t, c, "unpin", "a/b/c")
	mpPart(t, c, "unpin", "a/b/c", id, 1, []byte("data"))
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("unpin"), Key: aws.String("a/b/c"), UploadId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if g.objectExists(t, "unpin", "a/b/c") {
		t.Fatal("aborted upload left an object")
	}
	// Bucket deletion would fail with BucketNotEmpty if a marker stayed
	// in a directory the object layer cannot name.
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("unpin")}); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
}

// DeleteBucket with uploads in flight (and no keys) deletes the bucket and
// aborts the uploads, as S3 does; a bucket with keys stays, and so do its
// uploads.
func TestDeleteBucketAbortsUploadsInFlight(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "inflight")
	idTop := mpCreate(t, c, "inflight", "top")
	mpPart(t, c, "inflight", "top", idTop, 1, []byte("one"))
	idDeep := mpCreate(t, c, "inflight", "x/y/z")
	mpPart(t, c, "inflight", "x/y/z", idDeep, 1, []byte("two"))
	g.mustPut(t, "inflight", "kept", "k")

	_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("inflight")})
	expectAPIError(t, err, "BucketNotEmpty", http.StatusConflict)
	if _, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("inflight"), Key: aws.String("top"), UploadId: aws.String(idTop)}); err != nil {
		t.Fatalf("a refused DeleteBucket aborted an upload: %v", err)
	}

	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("inflight"), Key: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("inflight")}); err != nil {
		t.Fatalf("DeleteBucket with only uploads in flight: %v", err)
	}
	uploads := []struct{ key, id string }{{"top", idTop}, {"x/y/z", idDeep}}
	for _, u := range uploads {
		// A missing bucket is reported before a missing upload.
		_, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("inflight"), Key: aws.String(u.key), UploadId: aws.String(u.id)})
		expectAPIError(t, err, "NoSuchBucket", http.StatusNotFound)
	}
	// The name is free again, and the old uploads do not come back.
	g.mustCreateBucket(t, "inflight")
	for _, u := range uploads {
		_, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("inflight"), Key: aws.String(u.key), UploadId: aws.String(u.id)})
		expectAPIError(t, err, "NoSuchUpload", http.StatusNotFound)
	}
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("inflight")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.Uploads) != 0 {
		t.Fatalf("recreated bucket lists %d uploads", len(ups.Uploads))
	}
}
