package s3api

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ListBuckets' bucket-region "limits the response to buckets that are
// located in the specified" Region (API_ListBuckets). Every bucket of a
// gateway is in its one Region, so naming another lists none, and naming
// its own lists them all; the filter was accepted and ignored before.
func TestListBucketsBucketRegion(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "region-a")
	g.mustCreateBucket(t, "region-b")
	c := g.client()
	ctx := context.Background()

	other, err := c.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String("eu-west-1")})
	if err != nil {
		t.Fatal(err)
	}
	if len(other.Buckets) != 0 {
		t.Errorf("bucket-region=eu-west-1 listed %d buckets of a us-east-1 gateway", len(other.Buckets))
	}

	own, err := c.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String(testRegion)})
	if err != nil {
		t.Fatal(err)
	}
	if len(own.Buckets) != 2 {
		t.Fatalf("bucket-region=%s listed %d buckets, want 2", testRegion, len(own.Buckets))
	}
}
