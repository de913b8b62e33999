package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

// TestBoto3StorageClass runs testdata/boto3_storage_class.py.
func TestBoto3StorageClass(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	createBucketSDK(t, g.sdkClient(), "boto3-classes")
	runBoto3Script(t, g, "testdata/boto3_storage_class.py", "boto3-classes")
}

// TestStorageClassClients: `aws s3 cp --storage-class`, minio-go's
// PutObjectOptions.StorageClass and rclone's --s3-storage-class record
// the class, and HEAD (x-amz-storage-class, API_HeadObject) and the
// listing report it; a GLACIER object is read only after
// `aws s3api restore-object`.
func TestStorageClassClients(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	ctx := testContext(t, 2*time.Minute)
	const bucket = "classes"
	createBucketSDK(t, c, bucket)
	file := filepath.Join(t.TempDir(), "f")
	mustNoErr(t, os.WriteFile(file, []byte("stored with a class"), 0o600), "write file")
	classOf := func(key string) types.StorageClass {
		t.Helper()
		out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		mustNoErr(t, err, "HEAD %s", key)
		return out.StorageClass
	}

	cli := newAWSCLI(t, g)
	cli.must("s3", "cp", file, "s3://"+bucket+"/cli", "--storage-class", "STANDARD_IA")
	var head struct{ StorageClass string }
	mustNoErr(t, json.Unmarshal([]byte(cli.must("s3api", "head-object", "--bucket", bucket, "--key", "cli")), &head), "decode head-object")
	if head.StorageClass != "STANDARD_IA" {
		t.Errorf("aws s3api head-object StorageClass %q", head.StorageClass)
	}
	// An archived object is InvalidObjectState to GET until restored
	// (API_GetObject, API_RestoreObject); the restore is instant here.
	cli.must("s3", "cp", file, "s3://"+bucket+"/glacier", "--storage-class", "GLACIER")
	if _, stderr, err := cli.run("s3api", "get-object", "--bucket", bucket, "--key", "glacier", filepath.Join(t.TempDir(), "out")); err == nil || !strings.Contains(stderr, "InvalidObjectState") {
		t.Errorf("aws s3api get-object of a GLACIER object: %v %s", err, stderr)
	}
	cli.must("s3api", "restore-object", "--bucket", bucket, "--key", "glacier", "--restore-request", "Days=1")
	var restored struct{ Restore, StorageClass string }
	mustNoErr(t, json.Unmarshal([]byte(cli.must("s3api", "head-object", "--bucket", bucket, "--key", "glacier")), &restored), "decode head-object")
	if restored.StorageClass != "GLACIER" || !strings.HasPrefix(restored.Restore, `ongoing-request="false", expiry-date=`) {
		t.Errorf("head-object after restore-object: %+v", restored)
	}
	cli.must("s3api", "get-object", "--bucket", bucket, "--key", "glacier", filepath.Join(t.TempDir(), "out"))

	mc := g.minioClient(t)
	_, err := mc.FPutObject(ctx, bucket, "minio", file, minio.PutObjectOptions{StorageClass: "ONEZONE_IA"})
	mustNoErr(t, err, "minio FPutObject")
	st, err := mc.StatObject(ctx, bucket, "minio", minio.StatObjectOptions{})
	mustNoErr(t, err, "minio StatObject")
	// minio-go keeps HEAD's headers in Metadata; StorageClass it fills
	// from listings.
	if got := st.Metadata.Get("X-Amz-Storage-Class"); got != "ONEZONE_IA" {
		t.Errorf("minio StatObject x-amz-storage-class %q", got)
	}
	for o := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: "minio"}) {
		mustNoErr(t, o.Err, "minio ListObjects")
		if o.StorageClass != "ONEZONE_IA" {
			t.Errorf("minio ListObjects StorageClass %q", o.StorageClass)
		}
	}

	rclone, err := exec.LookPath("rclone")
	mustNoErr(t, err, "rclone is needed on PATH (apt-get install rclone)")
	work := t.TempDir()
	cmd := exec.Command(rclone, "copyto", file, "tg:"+bucket+"/rclone", "--s3-storage-class", "REDUCED_REDUNDANCY",
		"--s3-endpoint", g.endpoint(), "--retries", "1", "--low-level-retries", "1")
	cmd.Env = append(scrubbedEnv(), "HOME="+work, "RCLONE_CONFIG="+filepath.Join(work, "rclone.conf"),
		"RCLONE_CONFIG_TG_TYPE=s3", "RCLONE_CONFIG_TG_PROVIDER=Other",
		"RCLONE_CONFIG_TG_ACCESS_KEY_ID="+g.accessKey, "RCLONE_CONFIG_TG_SECRET_ACCESS_KEY="+g.secretKey,
		"RCLONE_CONFIG_TG_REGION="+testRegion, "RCLONE_CONFIG_TG_FORCE_PATH_STYLE=true")
	out, err := cmd.CombinedOutput()
	mustNoErr(t, err, "rclone copyto --s3-storage-class: %s", out)

	for key, want := range map[string]types.StorageClass{"cli": "STANDARD_IA", "minio": "ONEZONE_IA", "rclone": "REDUCED_REDUNDANCY"} {
		if got := classOf(key); got != want {
			t.Errorf("%s stored as %q, want %q", key, got, want)
		}
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	mustNoErr(t, err, "ListObjectsV2")
	var listed []string
	for _, o := range list.Contents {
		listed = append(listed, aws.ToString(o.Key)+"="+string(o.StorageClass))
	}
	if got := strings.Join(listed, ","); got != "cli=STANDARD_IA,glacier=GLACIER,minio=ONEZONE_IA,rclone=REDUCED_REDUNDANCY" {
		t.Errorf("listing: %s", got)
	}
}
