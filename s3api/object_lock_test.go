package s3api

import (
	"context"
	"crypto/md5"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/terngate/terngate/store/objects"
)

// lockedBucket creates bucket with Object Lock enabled.
func (g *gateway) lockedBucket(t *testing.T, bucket string) {
	t.Helper()
	_, err := g.client().CreateBucket(context.Background(), &s3.CreateBucketInput{
		Bucket: aws.String(bucket), ObjectLockEnabledForBucket: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("CreateBucket %s with Object Lock: %v", bucket, err)
	}
}

func lockConfig(mode types.ObjectLockRetentionMode, days, years int32) *types.ObjectLockConfiguration {
	cfg := &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}
	if mode != "" {
		d := &types.DefaultRetention{Mode: mode}
		if days != 0 {
			d.Days = aws.Int32(days)
		}
		if years != 0 {
			d.Years = aws.Int32(years)
		}
		cfg.Rule = &types.ObjectLockRule{DefaultRetention: d}
	}
	return cfg
}

// TestObjectLockConfiguration: CreateBucket with Object Lock turns
// versioning on, Get/PutObjectLockConfiguration keep the default
// retention, and their errors are AWS's (ceph/s3-tests
// test_object_lock_put_obj_lock*, test_object_lock_get_obj_lock*):
// Days with Years, an unknown or lower-case mode, ObjectLockEnabled other
// than Enabled are MalformedXML; a period of 0 is InvalidRetentionPeriod;
// a bucket without Object Lock (test_object_lock_put_obj_lock_invalid_bucket,
// test_object_lock_get_obj_lock_invalid_bucket) answers 409 InvalidBucketState to a put
// ("Versioning must be 'Enabled' on the bucket to apply a Object Lock
// configuration", as CloudFormation relays it) and 404
// ObjectLockConfigurationNotFoundError, with BucketName, to a get.
func TestObjectLockConfiguration(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()
	g.lockedBucket(t, "lock")
	// GetBucketVersioning answers the status once the versioning API is
	// whole (TestObjectLockVersionsAfterVersioningAPI); the layer has it.
	v, err := g.layer.BucketVersioning(ctx, "lock")
	if err != nil || v.Status != objects.VersioningEnabled {
		t.Fatalf("versioning of a bucket created with Object Lock: %+v, %v", v, err)
	}
	got, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("lock")})
	if err != nil || got.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled || got.ObjectLockConfiguration.Rule != nil {
		t.Fatalf("configuration of a new lock bucket: %+v, %v", got.ObjectLockConfiguration, err)
	}
	for _, want := range []*types.ObjectLockConfiguration{
		lockConfig(types.ObjectLockRetentionModeGovernance, 1, 0),
		lockConfig(types.ObjectLockRetentionModeCompliance, 0, 1),
	} {
		if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("lock"), ObjectLockConfiguration: want}); err != nil {
			t.Fatalf("PutObjectLockConfiguration: %v", err)
		}
		got, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("lock")})
		if err != nil {
			t.Fatal(err)
		}
		d, w := got.ObjectLockConfiguration.Rule.DefaultRetention, want.Rule.DefaultRetention
		if d.Mode != w.Mode || aws.ToInt32(d.Days) != aws.ToInt32(w.Days) || aws.ToInt32(d.Years) != aws.ToInt32(w.Years) {
			t.Fatalf("default retention %+v, want %+v", d, w)
		}
	}
	bad := []struct {
		name   string
		cfg    *types.ObjectLockConfiguration
		code   string
		status int
	}{
		{"days and years", lockConfig(types.ObjectLockRetentionModeGovernance, 1, 1), "MalformedXML", 400},
		{"zero days", lockConfig(types.ObjectLockRetentionModeGovernance, -1, 0), "InvalidRetentionPeriod", 400},
		{"negative years", lockConfig(types.ObjectLockRetentionModeGovernance, 0, -1), "InvalidRetentionPeriod", 400},
		{"lower-case mode", lockConfig("governance", 1, 0), "MalformedXML", 400},
		{"unknown mode", lockConfig("abc", 1, 0), "MalformedXML", 400},
		{"disabled", &types.ObjectLockConfiguration{ObjectLockEnabled: "Disabled"}, "MalformedXML", 400},
	}
	for _, b := range bad {
		_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("lock"), ObjectLockConfiguration: b.cfg})
		code, status := apiErrorCode(t, err)
		if code != b.code || status != b.status {
			t.Errorf("%s: %s/%d, want %s/%d", b.name, code, status, b.code, b.status)
		}
	}

	g.mustCreateBucket(t, "plain")
	_, err = c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("plain"), ObjectLockConfiguration: lockConfig(types.ObjectLockRetentionModeGovernance, 1, 0)})
	expectAPIError(t, err, "InvalidBucketState", http.StatusConflict)
	resp, e := sendWithHeaders(t, g, "GET", "/plain?object-lock", nil, nil)
	if resp.StatusCode != http.StatusNotFound || e.Code != "ObjectLockConfigurationNotFoundError" || e.Message != "Object Lock configuration does not exist for this bucket" {
		t.Fatalf("GetObjectLockConfiguration on a plain bucket: %d %+v", resp.StatusCode, e)
	}
	var named struct{ BucketName string }
	_, raw := do(t, g.signedRequest(t, "GET", "/plain?object-lock", nil, testSecretKey))
	if err := xml.Unmarshal(raw, &named); err != nil || named.BucketName != "plain" {
		t.Fatalf("BucketName of ObjectLockConfigurationNotFoundError: %q (%s)", named.BucketName, raw)
	}
}

func retentionOf(t *testing.T, c *s3.Client, bucket, key string) *types.ObjectLockRetention {
	t.Helper()
	out, err := c.GetObjectRetention(context.Background(), &s3.GetObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObjectRetention %s: %v", key, err)
	}
	return out.Retention
}

// TestObjectRetentionAndLegalHold: the lock headers of PutObject reach
// HeadObject and Get/PutObjectRetention and Get/PutObjectLegalHold; a
// GOVERNANCE retention is shortened or changed only with
// x-amz-bypass-governance-retention, a COMPLIANCE one never, both are
// extended freely (ceph/s3-tests test_object_lock_put_obj_retention_*,
// test_object_lock_changing_mode_from_governance_with_bypass,
// test_object_lock_changing_mode_from_compliance,
// test_object_lock_uploading_obj,
// test_object_lock_get_obj_metadata).
func TestObjectRetentionAndLegalHold(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()
	g.lockedBucket(t, "lock")
	until := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("lock"), Key: aws.String("g"), Body: strings.NewReader("abc"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(until),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn,
		// Over plain HTTP the SDK sends no checksum unless asked, and
		// a locked PUT needs one.
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	})
	if err != nil {
		t.Fatalf("PutObject with Object Lock headers: %v", err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lock"), Key: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	if head.ObjectLockMode != types.ObjectLockModeGovernance || !aws.ToTime(head.ObjectLockRetainUntilDate).Equal(until) || head.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("HeadObject lock: %s %v %s", head.ObjectLockMode, head.ObjectLockRetainUntilDate, head.ObjectLockLegalHoldStatus)
	}
	if r := retentionOf(t, c, "lock", "g"); r.Mode != types.ObjectLockRetentionModeGovernance || !aws.ToTime(r.RetainUntilDate).Equal(until) {
		t.Fatalf("GetObjectRetention: %+v", r)
	}
	hold, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("lock"), Key: aws.String("g")})
	if err != nil || hold.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("GetObjectLegalHold: %+v, %v", hold, err)
	}
	if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("lock"), Key: aws.String("g"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}}); err != nil {
		t.Fatal(err)
	}
	hold, err = c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("lock"), Key: aws.String("g")})
	if err != nil || hold.LegalHold.Status != types.ObjectLockLegalHoldStatusOff {
		t.Fatalf("GetObjectLegalHold after OFF: %+v, %v", hold, err)
	}

	putRetention := func(key string, mode types.ObjectLockRetentionMode, until time.Time, bypass bool) error {
		_, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{
			Bucket: aws.String("lock"), Key: aws.String(key),
			Retention:                 &types.ObjectLockRetention{Mode: mode, RetainUntilDate: aws.Time(until)},
			BypassGovernanceRetention: aws.Bool(bypass),
		})
		return err
	}
	earlier := until.AddDate(0, 0, -1)
	expectAPIError(t, putRetention("g", types.ObjectLockRetentionModeGovernance, earlier, false), "AccessDenied", http.StatusForbidden)
	expectAPIError(t, putRetention("g", types.ObjectLockRetentionModeCompliance, until, false), "AccessDenied", http.StatusForbidden)
	if err := putRetention("g", types.ObjectLockRetentionModeGovernance, until.AddDate(0, 0, 2), false); err != nil {
		t.Fatalf("extending GOVERNANCE: %v", err)
	}
	if err := putRetention("g", types.ObjectLockRetentionModeGovernance, earlier, true); err != nil {
		t.Fatalf("shortening GOVERNANCE with the bypass: %v", err)
	}
	if r := retentionOf(t, c, "lock", "g"); !aws.ToTime(r.RetainUntilDate).Equal(earlier) {
		t.Fatalf("retention after the bypass: %+v", r)
	}
	if err := putRetention("g", types.ObjectLockRetentionModeCompliance, until, true); err != nil {
		t.Fatalf("GOVERNANCE to COMPLIANCE with the bypass: %v", err)
	}
	expectAPIError(t, putRetention("g", types.ObjectLockRetentionModeCompliance, earlier, true), "AccessDenied", http.StatusForbidden)
	expectAPIError(t, putRetention("g", types.ObjectLockRetentionModeGovernance, until, true), "AccessDenied", http.StatusForbidden)
	if r := retentionOf(t, c, "lock", "g"); r.Mode != types.ObjectLockRetentionModeCompliance || !aws.ToTime(r.RetainUntilDate).Equal(until) {
		t.Fatalf("COMPLIANCE retention changed by refused requests: %+v", r)
	}

	// A version without retention or legal hold: 404
	// NoSuchObjectLockConfiguration to both gets (noobaa/noobaa-core#9371
	// pins S3's answer for the legal hold).
	g.mustPut(t, "lock", "free", "x")
	_, err = c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("lock"), Key: aws.String("free")})
	expectAPIError(t, err, "NoSuchObjectLockConfiguration", http.StatusNotFound)
	_, err = c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("lock"), Key: aws.String("free")})
	expectAPIError(t, err, "NoSuchObjectLockConfiguration", http.StatusNotFound)
	expectAPIError(t, putRetention("free", "governance", until, false), "MalformedXML", http.StatusBadRequest)
	expectAPIError(t, putRetention("free", types.ObjectLockRetentionModeGovernance, time.Now().Add(-time.Hour), false), "InvalidArgument", http.StatusBadRequest)
	_, err = c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("lock"), Key: aws.String("free"),
		LegalHold: &types.ObjectLockLegalHold{Status: "abc"}})
	expectAPIError(t, err, "MalformedXML", http.StatusBadRequest)

	// A bucket without Object Lock: 400 InvalidRequest (ceph/s3-tests
	// test_object_lock_*_invalid_bucket).
	g.mustCreateBucket(t, "plain")
	g.mustPut(t, "plain", "k", "x")
	_, err = c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String("plain"), Key: aws.String("k"),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(until)}})
	expectAPIError(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("plain"), Key: aws.String("k")})
	expectAPIError(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("plain"), Key: aws.String("k")})
	expectAPIError(t, err, "InvalidRequest", http.StatusBadRequest)
	resp, e := sendWithHeaders(t, g, "GET", "/plain/k?legal-hold", nil, nil)
	if resp.StatusCode != http.StatusBadRequest || e.Message != "Bucket is missing Object Lock Configuration" {
		t.Fatalf("GetObjectLegalHold on a bucket without Object Lock: %d %+v (versity/versitygw#883)", resp.StatusCode, e)
	}
}

// TestObjectLockHeaders: raw PutObject requests with lock headers. A PUT
// whose version gets a lock (its headers or the bucket's default) needs
// Content-MD5 or a checksum: InvalidRequest "Content-MD5 OR x-amz-checksum-
// HTTP header is required for Put Object requests with Object Lock
// parameters", AWS's text as SDK users quote it (awslabs/aws-sdk-rust
// users' logs, AWS Glue documentation). Mode and date come together, the
// mode is GOVERNANCE or COMPLIANCE, the date in the future. Nothing
// refused is stored.
func TestObjectLockHeaders(t *testing.T) {
	g := startGateway(t, Config{})
	g.lockedBucket(t, "lock")
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	sum := md5.Sum([]byte("data"))
	withMD5 := func(h map[string]string) map[string]string {
		h["Content-MD5"] = b64(sum[:])
		return h
	}
	cases := []struct {
		name    string
		headers map[string]string
		code    string
		message string
	}{
		{"no integrity check", map[string]string{lockModeHeader: "GOVERNANCE", lockUntilHeader: future}, "InvalidRequest",
			"Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters"},
		{"legal hold without integrity check", map[string]string{lockLegalHoldHeader: "ON"}, "InvalidRequest",
			"Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters"},
		{"mode alone", withMD5(map[string]string{lockModeHeader: "GOVERNANCE"}), "InvalidArgument",
			"x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"},
		{"date alone", withMD5(map[string]string{lockUntilHeader: future}), "InvalidArgument",
			"x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"},
		{"unknown mode", withMD5(map[string]string{lockModeHeader: "FOREVER", lockUntilHeader: future}), "InvalidArgument", "Unknown wormMode directive."},
		{"past date", withMD5(map[string]string{lockModeHeader: "COMPLIANCE", lockUntilHeader: "2001-01-01T00:00:00Z"}), "InvalidArgument",
			"The retain until date must be in the future!"},
		{"bad legal hold", withMD5(map[string]string{lockLegalHoldHeader: "MAYBE"}), "InvalidArgument", "Legal Hold must be either of 'ON' or 'OFF'"},
	}
	for _, tc := range cases {
		resp, e := sendWithHeaders(t, g, "PUT", "/lock/refused", []byte("data"), tc.headers)
		if resp.StatusCode != http.StatusBadRequest || e.Code != tc.code || e.Message != tc.message {
			t.Errorf("%s: %d %s %q, want 400 %s %q", tc.name, resp.StatusCode, e.Code, e.Message, tc.code, tc.message)
		}
	}
	if g.objectExists(t, "lock", "refused") {
		t.Fatal("a refused PUT stored the object")
	}
	// With a checksum header instead of Content-MD5 the PUT is taken.
	resp, e := sendWithHeaders(t, g, "PUT", "/lock/ok", []byte("data"), map[string]string{
		lockModeHeader: "COMPLIANCE", lockUntilHeader: future, "x-amz-checksum-crc32": "rfPzYw==",
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT with lock headers and a checksum: %d %+v", resp.StatusCode, e)
	}

	// The bucket's default retention needs the check too, and applies.
	c := g.client()
	if _, err := c.PutObjectLockConfiguration(context.Background(), &s3.PutObjectLockConfigurationInput{
		Bucket: aws.String("lock"), ObjectLockConfiguration: lockConfig(types.ObjectLockRetentionModeGovernance, 1, 0),
	}); err != nil {
		t.Fatal(err)
	}
	resp, e = sendWithHeaders(t, g, "PUT", "/lock/default", []byte("data"), nil)
	if resp.StatusCode != http.StatusBadRequest || e.Code != "InvalidRequest" {
		t.Fatalf("PUT under a default retention without a check: %d %+v", resp.StatusCode, e)
	}
	before := time.Now()
	resp, e = sendWithHeaders(t, g, "PUT", "/lock/default", []byte("data"), withMD5(map[string]string{}))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT under a default retention with Content-MD5: %d %+v", resp.StatusCode, e)
	}
	head, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("lock"), Key: aws.String("default")})
	if err != nil {
		t.Fatal(err)
	}
	until := aws.ToTime(head.ObjectLockRetainUntilDate)
	if head.ObjectLockMode != types.ObjectLockModeGovernance || until.Before(before.AddDate(0, 0, 1).Truncate(time.Millisecond)) || until.After(time.Now().AddDate(0, 0, 1)) {
		t.Fatalf("default retention: %s until %v", head.ObjectLockMode, until)
	}
}
