package s3api

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestBucketOwnershipControls: every bucket is BucketOwnerEnforced, the
// Object Ownership AWS gives new buckets (S3 user guide,
// about-object-ownership.html); API_PutBucketOwnershipControls' other
// values, ObjectWriter and BucketOwnerPreferred, enable ACLs, which
// terngate does not implement, so they are NotImplemented as on
// CreateBucket's x-amz-object-ownership, and so is deleting the controls
// (a bucket without them is ObjectWriter).
func TestBucketOwnershipControls(t *testing.T) {
	g := startGatewayWith(t, Config{Users: twoUsers{}}, twoUsers{})
	g.mustCreateBucket(t, "owned")
	ctx := context.Background()
	c := g.client()
	bucket := aws.String("owned")

	enforced := func() {
		t.Helper()
		got, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: bucket})
		if err != nil {
			t.Fatalf("GetBucketOwnershipControls: %v", err)
		}
		if r := got.OwnershipControls.Rules; len(r) != 1 || r[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
			t.Fatalf("rules %+v", r)
		}
	}
	enforced()

	if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{
		Bucket: bucket,
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{
			{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced},
		}},
	}); err != nil {
		t.Fatalf("PutBucketOwnershipControls BucketOwnerEnforced: %v", err)
	}
	for _, o := range []types.ObjectOwnership{types.ObjectOwnershipObjectWriter, types.ObjectOwnershipBucketOwnerPreferred} {
		_, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{
			Bucket:            bucket,
			OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: o}}},
		})
		expectAPIError(t, err, "NotImplemented", http.StatusNotImplemented)
	}
	_, err := c.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: bucket})
	expectAPIError(t, err, "NotImplemented", http.StatusNotImplemented)
	enforced()

	for _, doc := range []string{
		"<OwnershipControls><Rule><ObjectOwnership>Everyone</ObjectOwnership></Rule></OwnershipControls>",
		"<OwnershipControls></OwnershipControls>",
		"<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>",
	} {
		resp, body := do(t, g.signedRequest(t, http.MethodPut, "/owned?ownershipControls", []byte(doc), testSecretKey))
		checkErrorXML(t, resp, body, http.StatusBadRequest, "MalformedXML")
	}

	// Configuration of the bucket is the owner's.
	bob := g.clientAs(bobAccessKey, bobSecretKey)
	_, err = bob.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: bucket})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	_, err = c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("missing")})
	expectAPIError(t, err, "NoSuchBucket", http.StatusNotFound)
}
