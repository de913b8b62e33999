package s3api

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// A DELETE without a version in a versioned bucket always adds a delete
// marker, also for a key that was never written and for one whose latest
// version is already a marker, and answers it (user guide, "Working with
// delete markers": "Amazon S3 inserts a delete marker ... even if the
// object does not exist"; API_DeleteObject: x-amz-version-id "Returns the
// version ID of the delete marker created as a result of the DELETE
// operation"). DeleteObjects does the same per key (API_DeleteObjects,
// DeleteMarkerVersionId). Under Suspended the marker is the null version.
func TestDeleteAlwaysAddsAMarker(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "vmark")
	putVersioning(t, c, "vmark", types.BucketVersioningStatusEnabled)

	del := func(key string) string {
		t.Helper()
		out, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vmark"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("DELETE %s: %v", key, err)
		}
		if !aws.ToBool(out.DeleteMarker) || aws.ToString(out.VersionId) == "" {
			t.Fatalf("DELETE %s: delete marker %v, version %q", key, aws.ToBool(out.DeleteMarker), aws.ToString(out.VersionId))
		}
		return aws.ToString(out.VersionId)
	}
	first := del("never-written")
	second := del("never-written")
	if first == second {
		t.Fatalf("two DELETEs answered one marker %s", first)
	}
	putVersion(t, c, "vmark", "dir/k", "x")
	del("dir/k")
	del("dir/k")
	many, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("vmark"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("never-written")}, {Key: aws.String("also-never")}}}})
	if err != nil || len(many.Deleted) != 2 {
		t.Fatalf("DeleteObjects: %+v %v", many, err)
	}
	for _, d := range many.Deleted {
		if !aws.ToBool(d.DeleteMarker) || aws.ToString(d.DeleteMarkerVersionId) == "" {
			t.Fatalf("DeleteObjects of %s: %+v", aws.ToString(d.Key), d)
		}
	}

	list, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("vmark")})
	if err != nil {
		t.Fatal(err)
	}
	markers := map[string]int{}
	for _, m := range list.DeleteMarkers {
		markers[aws.ToString(m.Key)]++
	}
	if markers["never-written"] != 3 || markers["dir/k"] != 2 || markers["also-never"] != 1 || len(list.Versions) != 1 {
		t.Fatalf("markers %v and %d versions, want 3 on never-written, 2 on dir/k, 1 on also-never, and dir/k's version", markers, len(list.Versions))
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("vmark"), Key: aws.String("never-written")}); err == nil {
		t.Fatal("HEAD of a key whose latest is a marker succeeded")
	}

	putVersioning(t, c, "vmark", types.BucketVersioningStatusSuspended)
	out, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vmark"), Key: aws.String("suspended")})
	if err != nil || !aws.ToBool(out.DeleteMarker) || aws.ToString(out.VersionId) != "null" {
		t.Fatalf("DELETE under Suspended: %+v %v, want the null delete marker", out, err)
	}
}
