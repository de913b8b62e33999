package e2e

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
)

// TestBoto3ObjectLock runs testdata/boto3_object_lock.py: Object Lock
// through boto3's own calls (API_PutObjectLockConfiguration,
// API_PutObjectRetention, API_PutObjectLegalHold), on the local store or,
// with TERNFS_REGISTRY, on the cluster.
func TestBoto3ObjectLock(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	runBoto3Script(t, g, "testdata/boto3_object_lock.py", "boto3-lock")
}

// TestMinioObjectLock: minio-go's MakeBucket with ObjectLocking,
// SetObjectLockConfig/GetObjectLockConfig (API_PutObjectLockConfiguration),
// PutObject with Mode, RetainUntilDate and LegalHold (API_PutObject),
// PutObjectRetention/GetObjectRetention with GovernanceBypass
// (API_PutObjectRetention), and
// PutObjectLegalHold/GetObjectLegalHold, as StatObject reports them.
func TestMinioObjectLock(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	mc := g.minioClient(t)
	ctx := testContext(t, time.Minute)
	const bucket = "minio-lock"
	mustNoErr(t, mc.MakeBucket(ctx, bucket, minio.MakeBucketOptions{ObjectLocking: true}), "MakeBucket with ObjectLocking")

	mode, validity, unit := minio.Governance, uint(2), minio.Days
	mustNoErr(t, mc.SetObjectLockConfig(ctx, bucket, &mode, &validity, &unit), "SetObjectLockConfig")
	enabled, gotMode, gotValidity, gotUnit, err := mc.GetObjectLockConfig(ctx, bucket)
	mustNoErr(t, err, "GetObjectLockConfig")
	if enabled != "Enabled" || gotMode == nil || *gotMode != minio.Governance || gotValidity == nil || *gotValidity != 2 || gotUnit == nil || *gotUnit != minio.Days {
		t.Fatalf("GetObjectLockConfig: %s %v %v %v", enabled, gotMode, gotValidity, gotUnit)
	}

	until := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = mc.PutObject(ctx, bucket, "k", strings.NewReader("data"), 4, minio.PutObjectOptions{
		Mode: minio.Compliance, RetainUntilDate: until, LegalHold: minio.LegalHoldEnabled, SendContentMd5: true,
	})
	mustNoErr(t, err, "PutObject with a lock")
	st, err := mc.StatObject(ctx, bucket, "k", minio.StatObjectOptions{})
	mustNoErr(t, err, "StatObject")
	if st.Metadata.Get("x-amz-object-lock-mode") != "COMPLIANCE" || st.Metadata.Get("x-amz-object-lock-legal-hold") != "ON" {
		t.Fatalf("StatObject lock headers: %v", st.Metadata)
	}
	gotRetMode, gotUntil, err := mc.GetObjectRetention(ctx, bucket, "k", "")
	mustNoErr(t, err, "GetObjectRetention")
	if gotRetMode == nil || *gotRetMode != minio.Compliance || gotUntil == nil || !gotUntil.Equal(until) {
		t.Fatalf("GetObjectRetention: %v %v", gotRetMode, gotUntil)
	}
	earlier := until.AddDate(-1, 0, 0)
	gov := minio.Governance
	err = mc.PutObjectRetention(ctx, bucket, "k", minio.PutObjectRetentionOptions{Mode: &gov, RetainUntilDate: &earlier, GovernanceBypass: true})
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) || resp.Code != "AccessDenied" || resp.Message != "Access Denied because object protected by object lock." {
		t.Fatalf("shortening COMPLIANCE with the bypass: %v", err)
	}

	hold, err := mc.GetObjectLegalHold(ctx, bucket, "k", minio.GetObjectLegalHoldOptions{})
	mustNoErr(t, err, "GetObjectLegalHold")
	if hold == nil || *hold != minio.LegalHoldEnabled {
		t.Fatalf("GetObjectLegalHold: %v", hold)
	}
	off := minio.LegalHoldDisabled
	mustNoErr(t, mc.PutObjectLegalHold(ctx, bucket, "k", minio.PutObjectLegalHoldOptions{Status: &off}), "PutObjectLegalHold OFF")
	if hold, err := mc.GetObjectLegalHold(ctx, bucket, "k", minio.GetObjectLegalHoldOptions{}); err != nil || *hold != minio.LegalHoldDisabled {
		t.Fatalf("GetObjectLegalHold after OFF: %v, %v", hold, err)
	}

	// GOVERNANCE gives way to the bypass.
	_, err = mc.PutObject(ctx, bucket, "g", strings.NewReader("data"), 4, minio.PutObjectOptions{SendContentMd5: true})
	mustNoErr(t, err, "PutObject under the default retention")
	gotRetMode, _, err = mc.GetObjectRetention(ctx, bucket, "g", "")
	if err != nil || gotRetMode == nil || *gotRetMode != minio.Governance {
		t.Fatalf("default retention through GetObjectRetention: %v, %v", gotRetMode, err)
	}
	soon := time.Now().Add(time.Hour).UTC().Truncate(time.Second) // the default runs two days
	err = mc.PutObjectRetention(ctx, bucket, "g", minio.PutObjectRetentionOptions{Mode: &gov, RetainUntilDate: &soon})
	if !errors.As(err, &resp) || resp.Code != "AccessDenied" {
		t.Fatalf("shortening GOVERNANCE without the bypass: %v", err)
	}
	mustNoErr(t, mc.PutObjectRetention(ctx, bucket, "g", minio.PutObjectRetentionOptions{Mode: &gov, RetainUntilDate: &soon, GovernanceBypass: true}),
		"shortening GOVERNANCE with the bypass")
	if _, gotUntil, err := mc.GetObjectRetention(ctx, bucket, "g", ""); err != nil || !gotUntil.Equal(soon) {
		t.Fatalf("retention after the bypass: %v, %v", gotUntil, err)
	}
}
