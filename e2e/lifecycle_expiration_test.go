package e2e

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestLifecycleExpirationDeletesObjects: an Expiration rule whose Date has
// passed applies to every object it matches (AWS user guide, "Lifecycle
// rules: Based on a specific date"), so the gateway's expirer, running
// every 200ms here, deletes the objects under the prefix within the size
// range and leaves the rest.
func TestLifecycleExpirationDeletesObjects(t *testing.T) {
	g := startGateway(t, newDataDir(t), "--lifecycle-interval=200ms")
	c := g.sdkClient()
	const bucket = "lc-expire"
	createBucketSDK(t, c, bucket)
	ctx := testContext(t, time.Minute)

	bodies := map[string]string{
		"tmp/big":      "0123456789abcdef",
		"tmp/deep/big": "0123456789abcdef",
		"tmp/small":    "0123",
		"keep/big":     "0123456789abcdef",
		"tmpx":         "0123456789abcdef",
	}
	for key, body := range bodies {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
		mustNoErr(t, err, "PUT %s", key)
	}
	past := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	rules := []types.LifecycleRule{{
		ID: aws.String("expire-big-tmp"), Status: types.ExpirationStatusEnabled,
		Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{
			Prefix: aws.String("tmp/"), ObjectSizeGreaterThan: aws.Int64(8),
		}},
		Expiration: &types.LifecycleExpiration{Date: aws.Time(past)},
	}, {
		ID: aws.String("off"), Status: types.ExpirationStatusDisabled,
		Filter:     &types.LifecycleRuleFilter{Prefix: aws.String("keep/")},
		Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)},
	}}
	_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: aws.String(bucket), LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules},
	})
	mustNoErr(t, err, "PUT lifecycle")

	got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	mustNoErr(t, err, "GET lifecycle")
	if len(got.Rules) != 2 || got.Rules[0].Expiration == nil || !aws.ToTime(got.Rules[0].Expiration.Date).Equal(past) ||
		got.Rules[0].Filter == nil || got.Rules[0].Filter.And == nil || aws.ToInt64(got.Rules[0].Filter.And.ObjectSizeGreaterThan) != 8 ||
		aws.ToInt32(got.Rules[1].Expiration.Days) != 1 {
		t.Fatalf("GET lifecycle returned %+v", got.Rules)
	}

	exists := func(key string) bool {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		var nf *types.NotFound
		if err != nil && !errors.As(err, &nf) {
			t.Fatalf("HEAD %s: %v", key, err)
		}
		return err == nil
	}
	deadline := time.Now().Add(20 * time.Second)
	for exists("tmp/big") || exists("tmp/deep/big") {
		if time.Now().After(deadline) {
			t.Fatal("objects expired by the lifecycle's Date are still there after 20s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// A few more rounds, to see the others stay.
	time.Sleep(time.Second)
	for _, key := range []string{"tmp/small", "keep/big", "tmpx"} {
		if !exists(key) {
			t.Errorf("%s was deleted though no enabled rule matches it", key)
		}
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("tmp/")})
	mustNoErr(t, err, "LIST tmp/")
	if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "tmp/small" {
		t.Errorf("tmp/ lists %d objects, want only tmp/small", len(list.Contents))
	}
}

// TestLifecycleExpirationRefusals: what the gateway cannot perform is
// refused, never stored and ignored; Date off midnight is AWS's
// InvalidArgument (API_LifecycleExpiration: "The time is always midnight
// UTC").
func TestLifecycleExpirationRefusals(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	const bucket = "lc-refuse"
	createBucketSDK(t, c, bucket)
	ctx := testContext(t, time.Minute)
	put := func(rule types.LifecycleRule) error {
		rule.ID, rule.Status = aws.String("r"), types.ExpirationStatusEnabled
		_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
			Bucket: aws.String(bucket), LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{rule}},
		})
		return err
	}
	err := put(types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
		Expiration: &types.LifecycleExpiration{Date: aws.Time(time.Date(2020, 1, 1, 10, 0, 0, 0, time.UTC))}})
	expectAPIError(t, err, "InvalidArgument", http.StatusBadRequest, "Date not at midnight")
	err = put(types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Tag: &types.Tag{Key: aws.String("k"), Value: aws.String("v")}},
		AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}})
	expectAPIError(t, err, "InvalidRequest", http.StatusBadRequest, "Tag filter on an abort rule")
	// Transitions move nothing here, also of noncurrent versions.
	err = put(types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
		NoncurrentVersionTransitions: []types.NoncurrentVersionTransition{{NoncurrentDays: aws.Int32(1), StorageClass: types.TransitionStorageClassGlacier}}})
	expectAPIError(t, err, "NotImplemented", http.StatusNotImplemented, "NoncurrentVersionTransition")
	// API_NoncurrentVersionExpiration: NoncurrentDays "must be a non-zero
	// positive integer".
	err = put(types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
		NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(0)}})
	expectAPIError(t, err, "InvalidArgument", http.StatusBadRequest, "NoncurrentDays 0")
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	expectAPIError(t, err, "NoSuchLifecycleConfiguration", http.StatusNotFound, "GET after refused PUTs")
}
