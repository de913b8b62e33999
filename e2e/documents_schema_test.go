package e2e

import (
	"bytes"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/cors"
	"github.com/minio/minio-go/v7/pkg/lifecycle"
	"github.com/minio/minio-go/v7/pkg/tags"
)

// Every request document minio-go writes passes the gateway's check of
// documents against S3's schema (an element S3 does not know is
// MalformedXML, S3's answer as recorded in ceph/ceph#23486;
// s3api.TestUnknownElementsAreMalformedXML): bucket
// versioning, tagging, lifecycle (an expiration, a noncurrent expiration and
// an abort rule, filtered), CORS, the Object Lock configuration, object
// tagging, retention, legal hold and DeleteObjects of versions. Each
// setting is read back, so a document accepted but misread fails too.
func TestMinioGoDocumentsPassTheSchemaCheck(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	mc := g.minioClient(t)
	ctx := testContext(t, 2*time.Minute)
	const bucket = "mgo-docs"
	mustNoErr(t, mc.MakeBucket(ctx, bucket, minio.MakeBucketOptions{ObjectLocking: true}), "MakeBucket with Object Lock")
	mustNoErr(t, mc.SetBucketVersioning(ctx, bucket, minio.BucketVersioningConfiguration{Status: "Enabled"}), "SetBucketVersioning")

	bucketTags, err := tags.NewTags(map[string]string{"team": "storage"}, false)
	mustNoErr(t, err, "tags")
	mustNoErr(t, mc.SetBucketTagging(ctx, bucket, bucketTags), "SetBucketTagging")
	gotTags, err := mc.GetBucketTagging(ctx, bucket)
	mustNoErr(t, err, "GetBucketTagging")
	if gotTags.ToMap()["team"] != "storage" {
		t.Errorf("bucket tags %v", gotTags.ToMap())
	}

	lc := lifecycle.NewConfiguration()
	lc.Rules = []lifecycle.Rule{
		{ID: "logs", Status: "Enabled", RuleFilter: lifecycle.Filter{Prefix: "logs/"},
			Expiration:                  lifecycle.Expiration{Days: 30},
			NoncurrentVersionExpiration: lifecycle.NoncurrentVersionExpiration{NoncurrentDays: 7}},
		{ID: "uploads", Status: "Enabled", RuleFilter: lifecycle.Filter{Prefix: "tmp/"},
			AbortIncompleteMultipartUpload: lifecycle.AbortIncompleteMultipartUpload{DaysAfterInitiation: 2}},
	}
	mustNoErr(t, mc.SetBucketLifecycle(ctx, bucket, lc), "SetBucketLifecycle")
	gotLC, err := mc.GetBucketLifecycle(ctx, bucket)
	mustNoErr(t, err, "GetBucketLifecycle")
	if len(gotLC.Rules) != 2 || gotLC.Rules[0].Expiration.Days != 30 || gotLC.Rules[0].RuleFilter.Prefix != "logs/" {
		t.Errorf("lifecycle read back %+v", gotLC.Rules)
	}

	corsCfg := cors.NewConfig([]cors.Rule{{AllowedOrigin: []string{"https://app.example.com"}, AllowedMethod: []string{"GET", "PUT"},
		AllowedHeader: []string{"*"}, ExposeHeader: []string{"ETag"}, MaxAgeSeconds: 600}})
	mustNoErr(t, mc.SetBucketCors(ctx, bucket, corsCfg), "SetBucketCors")
	gotCORS, err := mc.GetBucketCors(ctx, bucket)
	mustNoErr(t, err, "GetBucketCors")
	if len(gotCORS.CORSRules) != 1 || gotCORS.CORSRules[0].MaxAgeSeconds != 600 {
		t.Errorf("CORS read back %+v", gotCORS.CORSRules)
	}

	mode, validity, unit := minio.Governance, uint(1), minio.Days
	mustNoErr(t, mc.SetObjectLockConfig(ctx, bucket, &mode, &validity, &unit), "SetObjectLockConfig")
	_, gotMode, gotValidity, gotUnit, err := mc.GetObjectLockConfig(ctx, bucket)
	mustNoErr(t, err, "GetObjectLockConfig")
	if gotMode == nil || *gotMode != minio.Governance || gotValidity == nil || *gotValidity != 1 || gotUnit == nil || *gotUnit != minio.Days {
		t.Errorf("Object Lock configuration read back %v %v %v", gotMode, gotValidity, gotUnit)
	}

	// The default retention makes Content-MD5 (or a checksum) required.
	body := []byte("versioned body")
	info, err := mc.PutObject(ctx, bucket, "doc", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{SendContentMd5: true})
	mustNoErr(t, err, "PutObject")
	objTags, err := tags.NewTags(map[string]string{"kind": "doc"}, true)
	mustNoErr(t, err, "object tags")
	mustNoErr(t, mc.PutObjectTagging(ctx, bucket, "doc", objTags, minio.PutObjectTaggingOptions{VersionID: info.VersionID}), "PutObjectTagging")
	gotObjTags, err := mc.GetObjectTagging(ctx, bucket, "doc", minio.GetObjectTaggingOptions{VersionID: info.VersionID})
	mustNoErr(t, err, "GetObjectTagging")
	if gotObjTags.ToMap()["kind"] != "doc" {
		t.Errorf("object tags %v", gotObjTags.ToMap())
	}

	// Past the default retention's day: extending needs no bypass.
	until := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	mustNoErr(t, mc.PutObjectRetention(ctx, bucket, "doc", minio.PutObjectRetentionOptions{Mode: &mode, RetainUntilDate: &until, VersionID: info.VersionID}), "PutObjectRetention")
	gotRetMode, gotUntil, err := mc.GetObjectRetention(ctx, bucket, "doc", info.VersionID)
	mustNoErr(t, err, "GetObjectRetention")
	if gotRetMode == nil || *gotRetMode != minio.Governance || gotUntil == nil || !gotUntil.Equal(until) {
		t.Errorf("retention read back %v %v, want GOVERNANCE %v", gotRetMode, gotUntil, until)
	}
	on := minio.LegalHoldEnabled
	mustNoErr(t, mc.PutObjectLegalHold(ctx, bucket, "doc", minio.PutObjectLegalHoldOptions{Status: &on, VersionID: info.VersionID}), "PutObjectLegalHold")
	gotHold, err := mc.GetObjectLegalHold(ctx, bucket, "doc", minio.GetObjectLegalHoldOptions{VersionID: info.VersionID})
	mustNoErr(t, err, "GetObjectLegalHold")
	if gotHold == nil || *gotHold != minio.LegalHoldEnabled {
		t.Errorf("legal hold read back %v", gotHold)
	}

	// DeleteObjects naming versions, bypassing governance: the version
	// under a legal hold stays (no bypass lifts one), the other goes.
	plain, err := mc.PutObject(ctx, bucket, "plain", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{SendContentMd5: true})
	mustNoErr(t, err, "PutObject plain")
	objs := make(chan minio.ObjectInfo, 2)
	objs <- minio.ObjectInfo{Key: "plain", VersionID: plain.VersionID}
	objs <- minio.ObjectInfo{Key: "doc", VersionID: info.VersionID}
	close(objs)
	failed := map[string]string{}
	for e := range mc.RemoveObjects(ctx, bucket, objs, minio.RemoveObjectsOptions{GovernanceBypass: true}) {
		failed[e.ObjectName] = minio.ToErrorResponse(e.Err).Code
	}
	if len(failed) != 1 || failed["doc"] != "AccessDenied" {
		t.Errorf("RemoveObjects failures %v, want only doc, under its legal hold (AccessDenied)", failed)
	}
	if _, err := mc.StatObject(ctx, bucket, "plain", minio.StatObjectOptions{VersionID: plain.VersionID}); err == nil {
		t.Errorf("the version of plain that DeleteObjects named is still there")
	}
}
