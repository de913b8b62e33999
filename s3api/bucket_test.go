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

func TestBucketLifecycle(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()

	g.mustCreateBucket(t, "alpha")
	g.mustCreateBucket(t, "beta")

	out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Owner.ID); got != testAccessKey {
		t.Errorf("owner ID = %q, want %q", got, testAccessKey)
	}
	var names []string
	for _, b := range out.Buckets {
		names = append(names, aws.ToString(b.Name))
		if b.CreationDate == nil || b.CreationDate.IsZero() {
			t.Errorf("bucket %s has no creation date", aws.ToString(b.Name))
		}
	}
	if strings.Join(names, ",") != "alpha,beta" {
		t.Errorf("buckets = %v", names)
	}

	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha")}); err != nil {
		t.Errorf("HeadBucket: %v", err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("missing")})
	expectAPIError(t, err, "NotFound", http.StatusNotFound)

	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("alpha")})
	if err != nil {
		t.Fatal(err)
	}
	if loc.LocationConstraint != "" {
		t.Errorf("location = %q, want empty for us-east-1", loc.LocationConstraint)
	}

	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket: aws.String("gamma"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraintEuWest1,
		},
	})
	expectAPIError(t, err, "InvalidLocationConstraint", http.StatusBadRequest)

	vers, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("alpha")})
	if err != nil {
		t.Fatal(err)
	}
	if vers.Status != "" {
		t.Errorf("versioning status = %q, want none", vers.Status)
	}

	g.mustPut(t, "beta", "x", "data")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("beta")})
	expectAPIError(t, err, "BucketNotEmpty", http.StatusConflict)

	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")}); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha")})
	expectAPIError(t, err, "NotFound", http.StatusNotFound)
}

func TestBucketLocationInOtherRegion(t *testing.T) {
	g := startGateway(t, Config{Region: "eu-west-1"})
	c := g.client()
	ctx := context.Background()
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket: aws.String("euro"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraintEuWest1,
		},
	})
	if err != nil {
		t.Fatalf("CreateBucket with matching constraint: %v", err)
	}
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("euro")})
	if err != nil {
		t.Fatal(err)
	}
	if loc.LocationConstraint != types.BucketLocationConstraintEuWest1 {
		t.Errorf("location = %q, want eu-west-1", loc.LocationConstraint)
	}
}

func TestInvalidBucketName(t *testing.T) {
	g := startGateway(t, Config{})
	for _, name := range []string{"ab", "UPPER", "a..b", "192.168.1.1", "-dash", "under_score"} {
		req := g.signedRequest(t, http.MethodPut, "/"+name, nil, testSecretKey)
		resp, body := do(t, req)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "<Code>InvalidBucketName</Code>") {
			t.Errorf("PUT /%s: %d %s", name, resp.StatusCode, body)
		}
	}
}
