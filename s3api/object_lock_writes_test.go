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

// TestObjectLockMultipartAndCopy: CreateMultipartUpload keeps the lock
// (API_CreateMultipartUpload)
// headers for Complete, and the bucket's default retention runs from the
// Complete, when the object is created; a copy takes the request's lock or
// the destination's default, never its source's (API_CopyObject: the
// x-amz-object-lock-* headers are "to apply to the object copy").
func TestObjectLockMultipartAndCopy(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.lockedBucket(t, "lock")
	if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{
		Bucket: aws.String("lock"), ObjectLockConfiguration: lockConfig(types.ObjectLockRetentionModeGovernance, 1, 0),
	}); err != nil {
		t.Fatal(err)
	}
	upload := func(key string, hold types.ObjectLockLegalHoldStatus) {
		t.Helper()
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("lock"), Key: aws.String(key), ObjectLockLegalHoldStatus: hold})
		if err != nil {
			t.Fatalf("CreateMultipartUpload: %v", err)
		}
		part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("lock"), Key: aws.String(key), UploadId: up.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("part one"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatalf("UploadPart: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // the default must run from the Complete, not the Create
		if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("lock"), Key: aws.String(key), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
			t.Fatalf("CompleteMultipartUpload: %v", err)
		}
	}
	head := func(key string) *s3.HeadObjectOutput {
		t.Helper()
		out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lock"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("HeadObject %s: %v", key, err)
		}
		return out
	}

	before := time.Now()
	upload("mp", types.ObjectLockLegalHoldStatusOn)
	h := head("mp")
	until := aws.ToTime(h.ObjectLockRetainUntilDate)
	if h.ObjectLockMode != types.ObjectLockModeGovernance || h.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn ||
		until.Before(before.Add(50*time.Millisecond).AddDate(0, 0, 1).Truncate(time.Millisecond)) || until.After(time.Now().AddDate(0, 0, 1)) {
		t.Fatalf("completed upload's lock: %s until %v (started %v), hold %s", h.ObjectLockMode, until, before, h.ObjectLockLegalHoldStatus)
	}

	// The source's COMPLIANCE retention stays with the source.
	far := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lock"), Key: aws.String("src"), Body: strings.NewReader("abc"),
		ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: aws.Time(far), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("lock"), Key: aws.String("copy"), CopySource: aws.String("lock/src")}); err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	if h := head("copy"); h.ObjectLockMode != types.ObjectLockModeGovernance || aws.ToTime(h.ObjectLockRetainUntilDate).Equal(far) {
		t.Fatalf("copy's lock: %s until %v, want the bucket default", h.ObjectLockMode, h.ObjectLockRetainUntilDate)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("lock"), Key: aws.String("copy2"), CopySource: aws.String("lock/src"),
		ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: aws.Time(far)}); err != nil {
		t.Fatalf("CopyObject with lock headers: %v", err)
	}
	if h := head("copy2"); h.ObjectLockMode != types.ObjectLockModeCompliance || !aws.ToTime(h.ObjectLockRetainUntilDate).Equal(far) {
		t.Fatalf("copy's own lock: %s until %v", h.ObjectLockMode, h.ObjectLockRetainUntilDate)
	}

	// Lock headers on an upload to a bucket without Object Lock.
	g.mustCreateBucket(t, "plain")
	_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("plain"), Key: aws.String("k"), ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	expectAPIError(t, err, "InvalidRequest", http.StatusBadRequest)
}

// TestObjectLockPolicyActions: a write that sets a lock needs
// s3:PutObjectRetention or s3:PutObjectLegalHold besides s3:PutObject
// (API_PutObject), and the governance bypass needs
// s3:BypassGovernanceRetention (AWS user guide, object-lock-managing:
// "Bypassing governance mode"); without it the request is judged as if it
// had not asked. The bucket configuration is the owner's.
func TestObjectLockPolicyActions(t *testing.T) {
	g := startGatewayWith(t, Config{Users: twoUsers{}}, twoUsers{})
	ctx := context.Background()
	alice, bob := g.client(), g.clientAs(bobAccessKey, bobSecretKey)
	g.lockedBucket(t, "locked")
	grant := func(actions string) {
		t.Helper()
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":[` + actions +
			`],"Resource":["arn:aws:s3:::locked","arn:aws:s3:::locked/*"]}]}`
		if _, err := alice.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("locked"), Policy: aws.String(doc)}); err != nil {
			t.Fatalf("PutBucketPolicy: %v", err)
		}
	}
	grant(`"s3:PutObject","s3:GetObjectRetention","s3:PutObjectRetention","s3:GetBucketObjectLockConfiguration"`)
	until := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	_, err := bob.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("locked"), Key: aws.String("held"), Body: strings.NewReader("x"),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	if g.objectExists(t, "locked", "held") {
		t.Fatal("a PUT refused for its legal hold stored the object")
	}
	if _, err := bob.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("locked"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(until), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}); err != nil {
		t.Fatalf("PutObject with a retention and s3:PutObjectRetention: %v", err)
	}
	shorten := func() error {
		_, err := bob.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String("locked"), Key: aws.String("k"),
			Retention:                 &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(until.Add(-time.Hour))},
			BypassGovernanceRetention: aws.Bool(true)})
		return err
	}
	expectAPIError(t, shorten(), "AccessDenied", http.StatusForbidden)
	_, err = bob.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("locked")})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)

	// Reads answer the lock headers only with the Get actions
	// (API_HeadObject: "only returned if the requester has the
	// s3:GetObjectRetention permission").
	if _, err := alice.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("locked"), Key: aws.String("k"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}}); err != nil {
		t.Fatal(err)
	}
	grant(`"s3:GetObject","s3:GetObjectRetention"`)
	head, err := bob.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("locked"), Key: aws.String("k")})
	if err != nil || head.ObjectLockMode != types.ObjectLockModeGovernance || head.ObjectLockLegalHoldStatus != "" {
		t.Fatalf("HEAD with s3:GetObjectRetention alone: %s %q, %v", head.ObjectLockMode, head.ObjectLockLegalHoldStatus, err)
	}
	grant(`"s3:GetObject","s3:GetObjectLegalHold"`)
	head, err = bob.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("locked"), Key: aws.String("k")})
	if err != nil || head.ObjectLockMode != "" || head.ObjectLockRetainUntilDate != nil || head.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOff {
		t.Fatalf("HEAD with s3:GetObjectLegalHold alone: %s %v %q, %v", head.ObjectLockMode, head.ObjectLockRetainUntilDate, head.ObjectLockLegalHoldStatus, err)
	}

	grant(`"s3:PutObject","s3:GetObjectRetention","s3:PutObjectRetention","s3:BypassGovernanceRetention"`)
	if err := shorten(); err != nil {
		t.Fatalf("shortening GOVERNANCE with s3:BypassGovernanceRetention: %v", err)
	}
	out, err := bob.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("locked"), Key: aws.String("k")})
	if err != nil || !aws.ToTime(out.Retention.RetainUntilDate).Equal(until.Add(-time.Hour)) {
		t.Fatalf("retention after the bypass: %+v, %v", out, err)
	}
}

// TestDeleteObjectsBypassIsPerKey: bypassing GOVERNANCE needs
// s3:BypassGovernanceRetention (AWS user guide, object-lock-managing), an
// action on objects (Service Authorization Reference, Amazon S3: its
// resource type is object), so DeleteObjects gives the bypass key by key,
// as far as the policy grants it, not by a grant on the bucket.
func TestDeleteObjectsBypassIsPerKey(t *testing.T) {
	g := startGatewayWith(t, Config{Users: twoUsers{}}, twoUsers{})
	ctx := context.Background()
	alice, bob := g.client(), g.clientAs(bobAccessKey, bobSecretKey)
	g.lockedBucket(t, "locked")
	until := time.Now().Add(2 * time.Hour)
	versions := map[string]string{}
	for _, key := range []string{"open/a", "kept/b"} {
		out, err := alice.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("locked"), Key: aws.String(key), Body: strings.NewReader("x"),
			ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(until), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatalf("PutObject %s: %v", key, err)
		}
		versions[key] = aws.ToString(out.VersionId)
	}
	doc := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":["s3:DeleteObjectVersion"],"Resource":["arn:aws:s3:::locked/*"]},` +
		`{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":["s3:BypassGovernanceRetention"],"Resource":["arn:aws:s3:::locked/open/*"]}]}`
	if _, err := alice.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("locked"), Policy: aws.String(doc)}); err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
	out, err := bob.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("locked"), BypassGovernanceRetention: aws.Bool(true),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{
			{Key: aws.String("open/a"), VersionId: aws.String(versions["open/a"])},
			{Key: aws.String("kept/b"), VersionId: aws.String(versions["kept/b"])},
		}}})
	if err != nil {
		t.Fatalf("DeleteObjects: %v", err)
	}
	if len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "open/a" {
		t.Fatalf("deleted %+v, want open/a alone (the bypass is granted on open/*)", out.Deleted)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "kept/b" || aws.ToString(out.Errors[0].Code) != "AccessDenied" {
		t.Fatalf("errors %+v, want AccessDenied for kept/b (no bypass granted there)", out.Errors)
	}
	if _, err := alice.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("locked"), Key: aws.String("kept/b"), VersionId: aws.String(versions["kept/b"])}); err != nil {
		t.Fatalf("the version the bypass did not cover: %v", err)
	}
}
