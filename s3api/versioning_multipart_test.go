package s3api

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// CompleteMultipartUpload answers the version it made in x-amz-version-id
// (API_CompleteMultipartUpload: "x-amz-version-id: Version ID of the newly
// created object, in case the bucket has versioning turned on"), and
// UploadPartCopy copies the version x-amz-copy-source names, echoing it in
// x-amz-copy-source-version-id (API_UploadPartCopy, as API_CopyObject
// does); GET of the version answers it as API_GetObject says.
func TestVersionsAndMultipart(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "vmpu")
	putVersioning(t, c, "vmpu", types.BucketVersioningStatusEnabled)
	v1 := putVersion(t, c, "vmpu", "src", "old bytes")
	putVersion(t, c, "vmpu", "src", "new bytes")

	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("vmpu"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("vmpu"), Key: aws.String("big"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String("vmpu/src?versionId=" + v1)})
	if err != nil || aws.ToString(part.CopySourceVersionId) != v1 {
		t.Fatalf("UploadPartCopy from %s: %+v %v", v1, part, err)
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("vmpu"), Key: aws.String("big"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.CopyPartResult.ETag}}}})
	if err != nil {
		t.Fatal(err)
	}
	vid := aws.ToString(done.VersionId)
	if !strings.HasPrefix(vid, "v") {
		t.Fatalf("CompleteMultipartUpload answered version %q", vid)
	}
	if body, id := getVersionBody(t, c, "vmpu", "big", vid); body != "old bytes" || id != vid {
		t.Errorf("the completed version reads %q (%s)", body, id)
	}
}
