package s3api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestObjectLockVersionsAfterVersioningAPI is Object Lock through the
// versioning S3 surface (x-amz-version-id, DELETE ?versionId,
// DeleteObjects with VersionId, Get/PutBucketVersioning). What it pins,
// from ceph/s3-tests
// (test_object_lock_delete_object_with_retention,
// test_object_lock_multi_delete_object_with_retention,
// test_object_lock_delete_object_with_legal_hold_on,
// test_object_lock_suspend_versioning):
//   - deleting a locked version is 403 AccessDenied "Access Denied because
//     object protected by object lock."; GOVERNANCE gives way to
//     x-amz-bypass-governance-retention: true, a legal hold does not;
//   - DeleteObjects reports the locked version as an AccessDenied error
//     and deletes the others;
//   - a DELETE without versionId only adds a delete marker, which the
//     lock allows, and the locked version stays readable;
//   - versioning of a lock bucket is Enabled and cannot be suspended (409
//     InvalidBucketState "An Object Lock configuration is present on this
//     bucket, so the versioning state cannot be changed.").
func TestObjectLockVersionsAfterVersioningAPI(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()
	g.lockedBucket(t, "lock")
	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("lock")})
	if err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("GetBucketVersioning of a lock bucket: %+v, %v", v.Status, err)
	}
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("lock"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	expectAPIError(t, err, "InvalidBucketState", http.StatusConflict)

	put := func(key string, in s3.PutObjectInput) string {
		t.Helper()
		in.Bucket, in.Key, in.Body, in.ChecksumAlgorithm = aws.String("lock"), aws.String(key), strings.NewReader("abc"), types.ChecksumAlgorithmCrc32
		out, err := c.PutObject(ctx, &in)
		if err != nil || aws.ToString(out.VersionId) == "" {
			t.Fatalf("PutObject %s: version %q, %v", key, aws.ToString(out.VersionId), err)
		}
		return aws.ToString(out.VersionId)
	}
	deleteVersion := func(key, id string, bypass bool) error {
		_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("lock"), Key: aws.String(key), VersionId: aws.String(id), BypassGovernanceRetention: aws.Bool(bypass)})
		return err
	}
	until := time.Now().Add(time.Hour)
	gov := put("gov", s3.PutObjectInput{ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(until)})
	expectAPIError(t, deleteVersion("gov", gov, false), "AccessDenied", http.StatusForbidden)

	// A delete marker is allowed, and hides nothing the lock keeps.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("lock"), Key: aws.String("gov")}); err != nil {
		t.Fatalf("DELETE without versionId: %v", err)
	}
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lock"), Key: aws.String("gov"), VersionId: aws.String(gov)}); err != nil {
		t.Fatalf("locked version after a delete marker: %v", err)
	}
	if err := deleteVersion("gov", gov, true); err != nil {
		t.Fatalf("delete GOVERNANCE version with the bypass: %v", err)
	}

	comp := put("comp", s3.PutObjectInput{ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: aws.Time(until)})
	expectAPIError(t, deleteVersion("comp", comp, true), "AccessDenied", http.StatusForbidden)
	held := put("held", s3.PutObjectInput{ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	expectAPIError(t, deleteVersion("held", held, true), "AccessDenied", http.StatusForbidden)
	free := put("free", s3.PutObjectInput{})

	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("lock"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("comp"), VersionId: aws.String(comp)}, {Key: aws.String("free"), VersionId: aws.String(free)}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "comp" || aws.ToString(out.Errors[0].Code) != "AccessDenied" ||
		aws.ToString(out.Errors[0].VersionId) != comp || len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].VersionId) != free {
		t.Fatalf("DeleteObjects under lock: deleted %+v, errors %+v", out.Deleted, out.Errors)
	}
}
