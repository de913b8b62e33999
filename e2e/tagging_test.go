package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/tags"
)

// TestBoto3Tagging runs testdata/boto3_tagging.py: object tagging through
// boto3's own calls (put_object_tagging, API_PutObjectTagging; Tagging= on
// put_object and create_multipart_upload; TaggingDirective on copy_object).
func TestBoto3Tagging(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	createBucketSDK(t, g.sdkClient(), "boto3-tags")
	runBoto3Script(t, g, "testdata/boto3_tagging.py", "boto3-tags")
}

// TestAWSCLITagging: `aws s3api put-object --tagging`, put-object-tagging,
// get-object-tagging and delete-object-tagging (API_PutObjectTagging,
// API_GetObjectTagging, API_DeleteObjectTagging), and the CLI's report of
// S3's limit on 11 tags (BadRequest "Object tags cannot be greater than
// 10", as S3 answered in hashicorp/terraform-provider-aws#41747).
func TestAWSCLITagging(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	cli := newAWSCLI(t, g)
	const bucket = "cli-tags"
	cli.must("s3api", "create-bucket", "--bucket", bucket)
	body := t.TempDir() + "/body"
	writeTree(t, body, []string{"f"})
	cli.must("s3api", "put-object", "--bucket", bucket, "--key", "k", "--body", body+"/f", "--tagging", "stage=raw&owner=cli")

	getTags := func() []string {
		var out struct{ TagSet []struct{ Key, Value string } }
		mustNoErr(t, json.Unmarshal([]byte(cli.must("s3api", "get-object-tagging", "--bucket", bucket, "--key", "k")), &out), "decode get-object-tagging")
		var got []string
		for _, tag := range out.TagSet {
			got = append(got, tag.Key+"="+tag.Value)
		}
		return got
	}
	if got := strings.Join(getTags(), ","); got != "owner=cli,stage=raw" {
		t.Fatalf("tags after put-object --tagging: %s", got)
	}
	cli.must("s3api", "put-object-tagging", "--bucket", bucket, "--key", "k", "--tagging", "TagSet=[{Key=stage,Value=cooked}]")
	if got := strings.Join(getTags(), ","); got != "stage=cooked" {
		t.Fatalf("tags after put-object-tagging: %s", got)
	}
	cli.must("s3api", "delete-object-tagging", "--bucket", bucket, "--key", "k")
	if got := getTags(); len(got) != 0 {
		t.Fatalf("tags after delete-object-tagging: %v", got)
	}
	var set []string
	for i := range 11 {
		set = append(set, "{Key=k"+string(rune('a'+i))+",Value=v}")
	}
	_, stderr, err := cli.run("s3api", "put-object-tagging", "--bucket", bucket, "--key", "k", "--tagging", "TagSet=["+strings.Join(set, ",")+"]")
	if err == nil || !strings.Contains(stderr, "BadRequest") || !strings.Contains(stderr, "Object tags cannot be greater than 10") {
		t.Fatalf("11 tags: err %v, stderr %s", err, stderr)
	}
}

// TestMinioTagging: minio-go's UserTags on PutObject, PutObjectTagging
// (API_PutObjectTagging), GetObjectTagging, RemoveObjectTagging and StatObject's UserTagCount
// (x-amz-tagging-count, API_GetObject).
func TestMinioTagging(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	mc := g.minioClient(t)
	ctx := testContext(t, time.Minute)
	const bucket = "minio-tags"
	mustNoErr(t, mc.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}), "MakeBucket")
	_, err := mc.PutObject(ctx, bucket, "k", strings.NewReader("data"), 4, minio.PutObjectOptions{UserTags: map[string]string{"a": "1", "b": "two words"}})
	mustNoErr(t, err, "PutObject with UserTags")
	got, err := mc.GetObjectTagging(ctx, bucket, "k", minio.GetObjectTaggingOptions{})
	mustNoErr(t, err, "GetObjectTagging")
	if m := got.ToMap(); len(m) != 2 || m["a"] != "1" || m["b"] != "two words" {
		t.Fatalf("tags %v", m)
	}
	st, err := mc.StatObject(ctx, bucket, "k", minio.StatObjectOptions{})
	mustNoErr(t, err, "StatObject")
	if st.UserTagCount != 2 {
		t.Errorf("UserTagCount = %d, want 2", st.UserTagCount)
	}
	set, err := tags.NewTags(map[string]string{"c": "3"}, true)
	mustNoErr(t, err, "NewTags")
	mustNoErr(t, mc.PutObjectTagging(ctx, bucket, "k", set, minio.PutObjectTaggingOptions{}), "PutObjectTagging")
	got, err = mc.GetObjectTagging(ctx, bucket, "k", minio.GetObjectTaggingOptions{})
	mustNoErr(t, err, "GetObjectTagging")
	if m := got.ToMap(); len(m) != 1 || m["c"] != "3" {
		t.Fatalf("tags after PutObjectTagging %v", m)
	}
	mustNoErr(t, mc.RemoveObjectTagging(ctx, bucket, "k", minio.RemoveObjectTaggingOptions{}), "RemoveObjectTagging")
	got, err = mc.GetObjectTagging(ctx, bucket, "k", minio.GetObjectTaggingOptions{})
	mustNoErr(t, err, "GetObjectTagging")
	if len(got.ToMap()) != 0 {
		t.Fatalf("tags after RemoveObjectTagging %v", got.ToMap())
	}
}
