package e2e

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

// Versioning through real clients, on the store the suite runs on (local,
// or TernFS with TERNFS_REGISTRY). Sources: API_PutBucketVersioning,
// API_GetBucketVersioning, API_GetObject, API_DeleteObject,
// API_ListObjectVersions, user guide "Working with delete markers".

// TestAWSCLIVersioning: `aws s3api put-bucket-versioning`,
// `list-object-versions`, `get-object --version-id`, `delete-object
// --version-id` (API_PutBucketVersioning, API_GetObject, API_DeleteObject,
// API_ListObjectVersions).
func TestAWSCLIVersioning(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	cli := newAWSCLI(t, g)
	const bucket = "cli-versions"
	cli.must("s3api", "create-bucket", "--bucket", bucket)
	if got := strings.TrimSpace(cli.must("s3api", "get-bucket-versioning", "--bucket", bucket)); got != "" && got != "{}" {
		t.Errorf("get-bucket-versioning of a new bucket: %q", got)
	}
	cli.must("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled")
	if got := decodeJSON(t, cli.must("s3api", "get-bucket-versioning", "--bucket", bucket)); got["Status"] != "Enabled" {
		t.Errorf("get-bucket-versioning: %v", got)
	}
	if _, stderr, err := cli.run("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled,MFADelete=Enabled"); err == nil || !strings.Contains(stderr, "NotImplemented") {
		t.Errorf("MFADelete=Enabled: %v %s", err, stderr)
	}

	dir := t.TempDir()
	var ids []string
	for i, body := range []string{"first", "second", "third"} {
		f := filepath.Join(dir, "in"+string(rune('0'+i)))
		mustNoErr(t, os.WriteFile(f, []byte(body), 0o600), "write")
		out := decodeJSON(t, cli.must("s3api", "put-object", "--bucket", bucket, "--key", "doc.txt", "--body", f))
		id, _ := out["VersionId"].(string)
		if id == "" {
			t.Fatalf("put-object answered no VersionId: %v", out)
		}
		ids = append(ids, id)
	}
	out := filepath.Join(dir, "out")
	got := decodeJSON(t, cli.must("s3api", "get-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", ids[0], out))
	if b, _ := os.ReadFile(out); string(b) != "first" || got["VersionId"] != ids[0] {
		t.Errorf("get-object --version-id %s: %q %v", ids[0], b, got)
	}
	del := decodeJSON(t, cli.must("s3api", "delete-object", "--bucket", bucket, "--key", "doc.txt"))
	if del["DeleteMarker"] != true {
		t.Errorf("delete-object: %v", del)
	}
	if _, stderr, err := cli.run("s3api", "head-object", "--bucket", bucket, "--key", "doc.txt"); err == nil || !strings.Contains(stderr, "404") {
		t.Errorf("head-object of a deleted key: %v %s", err, stderr)
	}
	listed := decodeJSON(t, cli.must("s3api", "list-object-versions", "--bucket", bucket))
	versions, _ := listed["Versions"].([]any)
	markers, _ := listed["DeleteMarkers"].([]any)
	if len(versions) != 3 || len(markers) != 1 {
		t.Fatalf("list-object-versions: %v", listed)
	}
	for i, v := range versions {
		if id := v.(map[string]any)["VersionId"]; id != ids[2-i] {
			t.Errorf("version %d is %v, want %s (newest first)", i, id, ids[2-i])
		}
	}
	marker := markers[0].(map[string]any)["VersionId"].(string)
	cli.must("s3api", "delete-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", marker)
	cli.must("s3api", "get-object", "--bucket", bucket, "--key", "doc.txt", out)
	if b, _ := os.ReadFile(out); string(b) != "third" {
		t.Errorf("after deleting the marker: %q", b)
	}
	cli.must("s3api", "delete-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", ids[2])
	cli.must("s3api", "get-object", "--bucket", bucket, "--key", "doc.txt", out)
	if b, _ := os.ReadFile(out); string(b) != "second" {
		t.Errorf("after deleting the latest version: %q", b)
	}
	if _, stderr, err := cli.run("s3api", "get-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", "not-a-version", out); err == nil || !strings.Contains(stderr, "InvalidArgument") {
		t.Errorf("get-object of a malformed version: %v %s", err, stderr)
	}
	if _, stderr, err := cli.run("s3api", "get-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", ids[2], out); err == nil || !strings.Contains(stderr, "NoSuchVersion") {
		t.Errorf("get-object of a deleted version: %v %s", err, stderr)
	}
}

// TestMinioVersioning: minio-go's EnableVersioning, ListObjects
// WithVersions, GetObject with VersionID, RemoveObject with VersionID
// (API_ListObjectVersions, API_GetObject, API_DeleteObject).
func TestMinioVersioning(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	mc := g.minioClient(t)
	ctx := testContext(t, 2*time.Minute)
	const bucket = "minio-versions"
	mustNoErr(t, mc.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}), "MakeBucket")
	mustNoErr(t, mc.EnableVersioning(ctx, bucket), "EnableVersioning")
	cfg, err := mc.GetBucketVersioning(ctx, bucket)
	mustNoErr(t, err, "GetBucketVersioning")
	if !cfg.Enabled() {
		t.Fatalf("versioning %+v", cfg)
	}
	var ids []string
	for _, body := range []string{"v-one", "v-two"} {
		info, err := mc.PutObject(ctx, bucket, "obj", strings.NewReader(body), int64(len(body)), minio.PutObjectOptions{})
		mustNoErr(t, err, "PutObject")
		if info.VersionID == "" {
			t.Fatal("PutObject answered no version ID")
		}
		ids = append(ids, info.VersionID)
	}
	read := func(id string) string {
		t.Helper()
		o, err := mc.GetObject(ctx, bucket, "obj", minio.GetObjectOptions{VersionID: id})
		mustNoErr(t, err, "GetObject %s", id)
		defer o.Close()
		b, err := io.ReadAll(o)
		mustNoErr(t, err, "read %s", id)
		return string(b)
	}
	if read(ids[0]) != "v-one" || read(ids[1]) != "v-two" {
		t.Errorf("versions read back wrong")
	}
	mustNoErr(t, mc.RemoveObject(ctx, bucket, "obj", minio.RemoveObjectOptions{}), "RemoveObject")
	var listed []string
	for o := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{WithVersions: true}) {
		mustNoErr(t, o.Err, "ListObjects WithVersions")
		kind := "v"
		if o.IsDeleteMarker {
			kind = "m"
		}
		listed = append(listed, kind)
		if !o.IsDeleteMarker && o.VersionID != ids[0] && o.VersionID != ids[1] {
			t.Errorf("listed unknown version %s", o.VersionID)
		}
	}
	if strings.Join(listed, "") != "mvv" {
		t.Errorf("listing kinds %v, want marker then two versions", listed)
	}
	mustNoErr(t, mc.RemoveObject(ctx, bucket, "obj", minio.RemoveObjectOptions{VersionID: ids[1]}), "RemoveObject version")
	if read(ids[0]) != "v-one" {
		t.Error("the older version is gone")
	}
	// A GET, not a HEAD: S3 answers HEAD errors without a body, so the code
	// is only in a GET's.
	o, err := mc.GetObject(ctx, bucket, "obj", minio.GetObjectOptions{VersionID: ids[1]})
	mustNoErr(t, err, "GetObject")
	defer o.Close()
	if _, err := io.ReadAll(o); minio.ToErrorResponse(err).Code != "NoSuchVersion" {
		t.Errorf("removed version: %v", err)
	}
}

// TestBoto3Versioning runs testdata/boto3_versioning.py: versions by ID
// (API_GetObject), delete markers (user guide "Working with delete
// markers"), paging (API_ListObjectVersions), delete_objects with versions
// (API_DeleteObjects), copy from a version (API_CopyObject).
func TestBoto3Versioning(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	createBucketSDK(t, g.sdkClient(), "boto3-versions")
	runBoto3Script(t, g, "testdata/boto3_versioning.py", "boto3-versions")
}

// TestRcloneVersions: rclone's --s3-versions lists a key's older versions
// as name-vTIMESTAMP files beside it, and --s3-version-at reads the bucket
// as it was at a time (rclone's s3 backend documentation, "Versions"),
// from the pages of API_ListObjectVersions.
func TestRcloneVersions(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	ctx := testContext(t, 2*time.Minute)
	const bucket = "rclone-versions"
	createBucketSDK(t, c, bucket)
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	mustNoErr(t, err, "PutBucketVersioning")
	put := func(body string) {
		t.Helper()
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("notes.txt"), Body: strings.NewReader(body)})
		mustNoErr(t, err, "PutObject")
	}
	put("first draft")
	time.Sleep(1100 * time.Millisecond)
	between := time.Now().UTC()
	time.Sleep(1100 * time.Millisecond)
	put("final text")

	rclone, err := exec.LookPath("rclone")
	mustNoErr(t, err, "rclone is needed on PATH (apt-get install rclone)")
	work := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(rclone, append(args, "--s3-endpoint", g.endpoint(), "--retries", "1", "--low-level-retries", "1")...)
		cmd.Env = append(scrubbedEnv(), "HOME="+work, "RCLONE_CONFIG="+filepath.Join(work, "rclone.conf"),
			"RCLONE_CONFIG_TG_TYPE=s3", "RCLONE_CONFIG_TG_PROVIDER=Other",
			"RCLONE_CONFIG_TG_ACCESS_KEY_ID="+g.accessKey, "RCLONE_CONFIG_TG_SECRET_ACCESS_KEY="+g.secretKey,
			"RCLONE_CONFIG_TG_REGION="+testRegion, "RCLONE_CONFIG_TG_FORCE_PATH_STYLE=true")
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("rclone %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
		}
		return string(out)
	}
	names := strings.Fields(run("lsf", "tg:"+bucket, "--s3-versions"))
	if len(names) != 2 || names[0] != "notes.txt" && names[1] != "notes.txt" {
		t.Fatalf("rclone lsf --s3-versions: %v", names)
	}
	old := names[0]
	if old == "notes.txt" {
		old = names[1]
	}
	if !regexp.MustCompile(`^notes-v\d{4}-\d{2}-\d{2}-\d{6}-\d{3}\.txt$`).MatchString(old) {
		t.Errorf("the older version is listed as %q", old)
	}
	if got := run("cat", "tg:"+bucket+"/"+old, "--s3-versions"); got != "first draft" {
		t.Errorf("rclone cat of %s: %q", old, got)
	}
	if got := run("cat", "tg:"+bucket+"/notes.txt", "--s3-version-at", between.Format(time.RFC3339Nano)); got != "first draft" {
		t.Errorf("rclone cat --s3-version-at %s: %q", between.Format(time.RFC3339), got)
	}
	if got := run("cat", "tg:"+bucket+"/notes.txt"); got != "final text" {
		t.Errorf("rclone cat of the current version: %q", got)
	}
}

// TestTernFSNativeOverwriteIsVersion: a file another TernFS client
// (terncli) writes over an object in a versioned bucket's directory is a
// version like any other: the gateway's object stays listed and readable
// by its version ID under the native file, which is the latest.
func TestTernFSNativeOverwriteIsVersion(t *testing.T) {
	if ternfsRegistry() == "" {
		t.Skip("TERNFS_REGISTRY not set: a native client's overwrite needs a TernFS cluster")
	}
	terncli := os.Getenv("TERNFS_TERNCLI")
	if terncli == "" {
		t.Fatal("TERNFS_TERNCLI must name TernFS's terncli binary when TERNFS_REGISTRY is set")
	}
	dataDir := newDataDir(t)
	g := startGateway(t, dataDir)
	c := g.sdkClient()
	ctx := testContext(t, 2*time.Minute)
	const bucket = "native-versions"
	createBucketSDK(t, c, bucket)
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	mustNoErr(t, err, "PutBucketVersioning")
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("data.bin"), Body: strings.NewReader("from S3")})
	mustNoErr(t, err, "PutObject")

	local := filepath.Join(t.TempDir(), "native")
	mustNoErr(t, os.WriteFile(local, []byte("from terncli"), 0o600), "write")
	cmd := exec.Command(terncli, "-registry", ternfsRegistry(), "cp-into", "-i", local, "-o", ternfsRootOf(dataDir)+"/"+bucket+"/data.bin")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("terncli cp-into: %v\n%s", err, out)
	}

	list, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	mustNoErr(t, err, "ListObjectVersions")
	if len(list.Versions) != 2 || !aws.ToBool(list.Versions[0].IsLatest) || aws.ToString(list.Versions[1].VersionId) != aws.ToString(put.VersionId) {
		t.Fatalf("versions after the native overwrite: %+v", list.Versions)
	}
	read := func(version *string) string {
		t.Helper()
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("data.bin"), VersionId: version})
		mustNoErr(t, err, "GetObject")
		defer out.Body.Close()
		b, _ := io.ReadAll(out.Body)
		return string(b)
	}
	if got := read(nil); got != "from terncli" {
		t.Errorf("current object %q", got)
	}
	if got := read(put.VersionId); got != "from S3" {
		t.Errorf("the gateway's version %q", got)
	}
	if got := read(list.Versions[0].VersionId); got != "from terncli" {
		t.Errorf("the native version by its ID %q", got)
	}
}
