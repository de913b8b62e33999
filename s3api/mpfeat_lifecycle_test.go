package s3api

import (
	"context"
	"crypto/md5"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestBucketLifecycleConfiguration(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "lcb")

	_, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcb")})
	expectAPIError(t, err, "NoSuchLifecycleConfiguration", http.StatusNotFound)

	abortRule := types.LifecycleRule{
		ID: aws.String("abort-tmp"), Status: types.ExpirationStatusEnabled,
		Filter:                         &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
		AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(2)},
	}
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: aws.String("lcb"), LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{abortRule}},
	})
	if err != nil {
		t.Fatalf("PutBucketLifecycleConfiguration: %v", err)
	}
	got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcb")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rules) != 1 || aws.ToString(got.Rules[0].ID) != "abort-tmp" || got.Rules[0].Filter == nil ||
		aws.ToString(got.Rules[0].Filter.Prefix) != "tmp/" || aws.ToInt32(got.Rules[0].AbortIncompleteMultipartUpload.DaysAfterInitiation) != 2 {
		t.Fatalf("rules read back = %+v", got.Rules)
	}

	// Transitions stay refused (there are no storage classes to move to).
	expiring := abortRule
	expiring.ID = aws.String("transition")
	expiring.Transitions = []types.Transition{{Days: aws.Int32(30), StorageClass: types.TransitionStorageClassGlacier}}
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: aws.String("lcb"), LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{expiring}},
	})
	expectAPIError(t, err, "NotImplemented", http.StatusNotImplemented)

	// A refused configuration leaves the stored one.
	if got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcb")}); err != nil || len(got.Rules) != 1 {
		t.Fatalf("after a refused PUT: %v", err)
	}

	for _, tc := range []struct {
		name, body, md5 string
		code            string
		status          int
	}{
		{"broken XML", "<LifecycleConfiguration><Rule>", "", "MalformedXML", 400},
		{"bad status", "<LifecycleConfiguration><Rule><Status>On</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>", "", "MalformedXML", 400},
		{"wrong Content-MD5", "<LifecycleConfiguration><Rule><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>", b64(make([]byte, 16)), "BadDigest", 400},
	} {
		req := g.signedRequest(t, http.MethodPut, "/lcb?lifecycle", []byte(tc.body), testSecretKey)
		if tc.md5 != "" {
			req.Header.Set("Content-MD5", tc.md5)
			signRequest(t, req, sha256Hex([]byte(tc.body)), testAccessKey, testSecretKey)
		}
		resp, body := do(t, req)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, resp.StatusCode, tc.status, body)
			continue
		}
		checkErrorXML(t, resp, body, tc.status, tc.code)
	}
	// Right Content-MD5 and no checksum at all are both accepted.
	okDoc := []byte("<LifecycleConfiguration><Rule><Prefix></Prefix><Status>Disabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>")
	sum := md5.Sum(okDoc)
	req := g.signedRequest(t, http.MethodPut, "/lcb?lifecycle", okDoc, testSecretKey)
	req.Header.Set("Content-MD5", b64(sum[:]))
	signRequest(t, req, sha256Hex(okDoc), testAccessKey, testSecretKey)
	if resp, body := do(t, req); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT with Content-MD5: %d %s", resp.StatusCode, body)
	}
	if resp, body := do(t, g.signedRequest(t, http.MethodPut, "/lcb?lifecycle", okDoc, testSecretKey)); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT without a digest: %d %s", resp.StatusCode, body)
	}

	if _, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String("lcb")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcb")})
	expectAPIError(t, err, "NoSuchLifecycleConfiguration", http.StatusNotFound)
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("missing")})
	expectAPIError(t, err, "NoSuchBucket", http.StatusNotFound)
}

// Put and GetBucketLifecycleConfiguration name the behaviour for small
// objects' transitions, all_storage_classes_128K, the default
// (API_PutBucketLifecycleConfiguration), which is the one terngate takes
// (transitions are refused); varies_by_storage_class is refused
// (TestUnsupportedHeadersRefused/transitions of small objects).
func TestLifecycleTransitionMinimumSize(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "lcmin")
	put, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: aws.String("lcmin"), TransitionDefaultMinimumObjectSize: types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID: aws.String("abort"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)},
		}}},
	})
	if err != nil || put.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k {
		t.Fatalf("PutBucketLifecycleConfiguration: %q, %v", put.TransitionDefaultMinimumObjectSize, err)
	}
	got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcmin")})
	if err != nil || got.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k {
		t.Fatalf("GetBucketLifecycleConfiguration: %q, %v", got.TransitionDefaultMinimumObjectSize, err)
	}
}
