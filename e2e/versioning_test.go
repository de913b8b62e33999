package e2e

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
)

// Versioning through real clients, on the store the suite runs on (local,
// or TernFS with TERNFS_REGISTRY). Sources: API_PutBucketVersioning,
// API_GetBucketVersioning, API_GetObject, API_DeleteObject,
// API_ListObjectVersions, user guide "Working with delete markers".

// TestAWSCLIVersioning: `aws s3api put-bucket-versioning`,
// `list-object-versions`, `get-object --version-id`, `delete-object
// --version-id`.
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
// WithVersions, GetObject with VersionID, RemoveObject with VersionID.
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

// TestBoto3Versioning runs testdata/boto3_versioning.py: versions, delete
// markers, paging, delete_objects with versions, copy from a version.
func TestBoto3Versioning(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	createBucketSDK(t, g.sdkClient(), "boto3-versions")
	runBoto3Script(t, g, "testdata/boto3_versioning.py", "boto3-versions")
}
