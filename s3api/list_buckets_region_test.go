package s3api

import (
	"context"
	"strings"
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

// ListBuckets pages by max-buckets and continuation-token and filters by
// prefix (API_ListBuckets); a paged answer names each bucket's Region.
func TestListBucketsPaging(t *testing.T) {
	g := startGateway(t, Config{})
	for _, b := range []string{"page-a", "page-b", "page-c", "other"} {
		g.mustCreateBucket(t, b)
	}
	c := g.client()
	ctx := context.Background()
	var names []string
	in := &s3.ListBucketsInput{MaxBuckets: aws.Int32(2), Prefix: aws.String("page-")}
	for pages := 0; ; pages++ {
		if pages == 3 {
			t.Fatalf("no end after %d pages: %v", pages, names)
		}
		out, err := c.ListBuckets(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Buckets) > 2 {
			t.Fatalf("max-buckets=2 answered %d", len(out.Buckets))
		}
		for _, b := range out.Buckets {
			names = append(names, aws.ToString(b.Name))
			if aws.ToString(b.BucketRegion) != testRegion {
				t.Errorf("%s: BucketRegion %q", aws.ToString(b.Name), aws.ToString(b.BucketRegion))
			}
		}
		if out.ContinuationToken == nil {
			break
		}
		in.ContinuationToken = out.ContinuationToken
	}
	if strings.Join(names, ",") != "page-a,page-b,page-c" {
		t.Fatalf("listed %v", names)
	}
}
