package s3api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// x-amz-expected-bucket-owner on every operation, and
// x-amz-source-expected-bucket-owner on a copy's source. The API
// references (e.g. DeleteBucket, PutObject): "If the account ID that you
// provide does not match the actual owner of the bucket, the request fails
// with the HTTP status code 403 Forbidden (access denied)"; CopyObject's
// ExpectedSourceBucketOwner says the same of the source bucket. The owner
// ID here is the owning user's name (with no user directory, the access
// key), as ListBuckets shows it.
// Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html
func TestExpectedBucketOwner(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "owned")
	g.mustPut(t, "owned", "src", "data")
	list, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	me := aws.ToString(list.Owner.ID)
	if me != testAccessKey {
		t.Fatalf("ListBuckets owner ID %q, want %q", me, testAccessKey)
	}
	const stranger = "111122223333"

	wrong := []struct {
		name string
		call func(owner string) error
	}{
		{"PutObject", func(o string) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("owned"), Key: aws.String("new"), Body: strings.NewReader("x"), ExpectedBucketOwner: aws.String(o)})
			return err
		}},
		{"GetObject", func(o string) error {
			_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("owned"), Key: aws.String("src"), ExpectedBucketOwner: aws.String(o)})
			return err
		}},
		{"ListObjectsV2", func(o string) error {
			_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("owned"), ExpectedBucketOwner: aws.String(o)})
			return err
		}},
		{"DeleteObjects", func(o string) error {
			_, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("owned"), ExpectedBucketOwner: aws.String(o),
				Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("src")}}}})
			return err
		}},
		{"DeleteObject", func(o string) error {
			_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("owned"), Key: aws.String("src"), ExpectedBucketOwner: aws.String(o)})
			return err
		}},
		{"DeleteBucket", func(o string) error {
			_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("owned"), ExpectedBucketOwner: aws.String(o)})
			return err
		}},
	}
	for _, tc := range wrong {
		expectAPIError(t, tc.call(stranger), "AccessDenied", http.StatusForbidden)
	}
	if !g.objectExists(t, "owned", "src") || g.objectExists(t, "owned", "new") {
		t.Fatal("a request with the wrong expected owner changed the bucket")
	}

	// An empty bucket, which a DeleteBucket would remove, survives too.
	g.mustCreateBucket(t, "empty")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("empty"), ExpectedBucketOwner: aws.String(stranger)})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	if _, err := g.layer.HeadBucket(ctx, "empty"); err != nil {
		t.Fatalf("DeleteBucket with the wrong owner removed the bucket: %v", err)
	}

	// The copy's source owner is checked on its own.
	g.mustCreateBucket(t, "target")
	copyFrom := func(srcOwner string) error {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("target"), Key: aws.String("copy"),
			CopySource: aws.String("owned/src"), ExpectedBucketOwner: aws.String(me), ExpectedSourceBucketOwner: aws.String(srcOwner)})
		return err
	}
	expectAPIError(t, copyFrom(stranger), "AccessDenied", http.StatusForbidden)
	if g.objectExists(t, "target", "copy") {
		t.Fatal("a copy with the wrong source owner was made")
	}
	if err := copyFrom(me); err != nil {
		t.Fatalf("copy with the right owners: %v", err)
	}

	// The right owner passes everywhere, DeleteBucket last.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("owned"), Key: aws.String("src"), ExpectedBucketOwner: aws.String(me)})
	if err != nil {
		t.Fatalf("GetObject with the right owner: %v", err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("owned"), Key: aws.String("src"), ExpectedBucketOwner: aws.String(me)}); err != nil {
		t.Fatalf("DeleteObject with the right owner: %v", err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("owned"), ExpectedBucketOwner: aws.String(me)}); err != nil {
		t.Fatalf("DeleteBucket with the right owner: %v", err)
	}
}
