package e2e

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestLifecycleExpirationByTags: a rule filtered by a Tag, and one by And
// of Prefix and Tags (API_LifecycleRuleFilter, API_LifecycleRuleAndOperator:
// the object must match every predicate), expire only the objects that
// carry those tags with those values, tagged on PUT or by
// PutObjectTagging; the rest stay.
func TestLifecycleExpirationByTags(t *testing.T) {
	g := startGateway(t, newDataDir(t), "--lifecycle-interval=200ms")
	c := g.sdkClient()
	const bucket = "lc-tags"
	createBucketSDK(t, c, bucket)
	ctx := testContext(t, time.Minute)

	put := func(key, tagging string) {
		t.Helper()
		in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("body")}
		if tagging != "" {
			in.Tagging = aws.String(tagging)
		}
		_, err := c.PutObject(ctx, in)
		mustNoErr(t, err, "PUT %s", key)
	}
	put("scratch-1", "retention=temp")
	put("scratch-2", "retention=temp&owner=ci")
	put("kept-1", "retention=keep")
	put("kept-2", "")
	put("logs/both", "a=1&b=2")
	put("logs/one", "a=1")
	put("other/both", "a=1&b=2")
	put("later", "")
	_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("later"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("retention"), Value: aws.String("temp")}}}})
	mustNoErr(t, err, "PutObjectTagging later")

	past := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: aws.String(bucket), LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID: aws.String("temp"), Status: types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{Tag: &types.Tag{Key: aws.String("retention"), Value: aws.String("temp")}},
			Expiration: &types.LifecycleExpiration{Date: aws.Time(past)},
		}, {
			ID: aws.String("logs-ab"), Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{Prefix: aws.String("logs/"),
				Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}},
			Expiration: &types.LifecycleExpiration{Date: aws.Time(past)},
		}}},
	})
	mustNoErr(t, err, "PUT lifecycle with Tag filters")
	got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	mustNoErr(t, err, "GET lifecycle")
	if len(got.Rules) != 2 || got.Rules[0].Filter == nil || got.Rules[0].Filter.Tag == nil || aws.ToString(got.Rules[0].Filter.Tag.Key) != "retention" ||
		got.Rules[1].Filter == nil || got.Rules[1].Filter.And == nil || len(got.Rules[1].Filter.And.Tags) != 2 {
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
	expired := []string{"scratch-1", "scratch-2", "later", "logs/both"}
	deadline := time.Now().Add(20 * time.Second)
	for _, key := range expired {
		for exists(key) {
			if time.Now().After(deadline) {
				t.Fatalf("%s, tagged for expiry, is still there after 20s", key)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	time.Sleep(time.Second) // a few more rounds, to see the others stay
	for _, key := range []string{"kept-1", "kept-2", "logs/one", "other/both"} {
		if !exists(key) {
			t.Errorf("%s was expired though its tags match no rule", key)
		}
	}
}
