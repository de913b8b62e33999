package e2e

import (
	"bytes"
	"crypto/md5"
	"io"
	"net/http"
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
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
)

func (g *gateway) minioClient(t testing.TB) *minio.Client {
	t.Helper()
	c, err := minio.New(g.addr, &minio.Options{Creds: miniocreds.NewStaticV4(g.accessKey, g.secretKey, ""), Region: testRegion, Secure: false})
	mustNoErr(t, err, "minio client")
	return c
}

// TestMultipartMinioResticOptions uploads a 210 MiB object through minio-go
// with exactly restic 0.14's options (PartSize 200 MiB, SendContentMd5):
// two parts, 200 MiB and 10 MiB, signed aws-chunked over HTTP.
func TestMultipartMinioResticOptions(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	mc := g.minioClient(t)
	ctx := testContext(t, 5*time.Minute)
	mustNoErr(t, mc.MakeBucket(ctx, "mpu-minio", minio.MakeBucketOptions{}), "make bucket")
	const size = 210 << 20
	info, err := mc.PutObject(ctx, "mpu-minio", "data/pack", newPatternReader(600, size), size, minio.PutObjectOptions{
		PartSize: 200 << 20, SendContentMd5: true, ContentType: "application/octet-stream",
	})
	mustNoErr(t, err, "minio-go PutObject with restic's options")
	p1 := md5.New()
	p2 := md5.New()
	io.Copy(p1, io.LimitReader(newPatternReader(600, size), 200<<20))
	r := newPatternReader(600, size)
	io.CopyN(io.Discard, r, 200<<20)
	io.Copy(p2, r)
	want := multipartETagOf([][]byte{p1.Sum(nil), p2.Sum(nil)})
	if `"`+info.ETag+`"` != want && info.ETag != want {
		t.Errorf("minio-go ETag %s, want %s (parts of 200 MiB)", info.ETag, want)
	}
	obj, err := mc.GetObject(ctx, "mpu-minio", "data/pack", minio.GetObjectOptions{})
	mustNoErr(t, err, "GET")
	sum, n := readerSHA256(t, obj)
	obj.Close()
	if n != size || sum != patternSHA256(600, size) {
		t.Errorf("read back %d bytes %s, want %d bytes %s", n, sum, int64(size), patternSHA256(600, size))
	}
	const createLine = "operation=CreateMultipartUpload"
	log := g.logWhen(func(log string) bool { return strings.Contains(log, createLine) })
	if c := strings.Count(log, createLine); c != 1 {
		t.Errorf("minio-go created %d multipart uploads, want 1", c)
	}
}

// TestMultipartResticBigFile backs up a 210 MiB file of random data with
// restic at its largest pack size, checks --read-data and restores it.
// restic 0.14 caps --pack-size at 128 MiB and only asks minio-go for
// multipart above 200 MiB, so its packs are single PUTs: the log records
// how many multipart uploads it made (TestMultipartMinioResticOptions runs
// restic's multipart options through minio-go directly).
func TestMultipartResticBigFile(t *testing.T) {
	restic := requireTool(t, "restic", "restic")
	g := startGateway(t, newDataDir(t))
	work := t.TempDir()
	tree := filepath.Join(work, "tree")
	mustNoErr(t, os.MkdirAll(tree, 0o755), "mkdir")
	src := writePatternFile(t, tree, "big.bin", 601, 210<<20, 210<<20)
	env := append(scrubbedEnv(),
		"AWS_ACCESS_KEY_ID="+g.accessKey, "AWS_SECRET_ACCESS_KEY="+g.secretKey, "AWS_DEFAULT_REGION="+testRegion,
		"RESTIC_REPOSITORY=s3:"+g.endpoint()+"/mpu-restic/repo", "RESTIC_PASSWORD=mpu", "RESTIC_CACHE_DIR="+filepath.Join(work, "cache"), "HOME="+work,
	)
	run := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command(restic, args...)
		cmd.Env, cmd.Dir = env, dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("restic %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run(work, "init")
	run(tree, "backup", "--pack-size", "128", ".")
	if out := run(work, "check", "--read-data"); !strings.Contains(out, "no errors were found") {
		t.Errorf("restic check --read-data:\n%s", out)
	}
	restored := filepath.Join(work, "restored")
	run(work, "restore", "latest", "--target", restored)
	if sum, n := fileSHA256(t, filepath.Join(restored, "big.bin")); n != src.size || sum != src.sha256 {
		t.Errorf("restored %d bytes %s, want %d bytes %s", n, sum, src.size, src.sha256)
	}
	t.Logf("restic made %d multipart uploads and %d single PUTs", strings.Count(g.stderr.String(), "operation=CreateMultipartUpload"),
		strings.Count(g.stderr.String(), "operation=PutObject"))
}

// TestMultipartComposeObject: minio-go ComposeObject (UploadPartCopy with
// and without a range) builds an object byte-identical to its sources.
func TestMultipartComposeObject(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	mc := g.minioClient(t)
	ctx := testContext(t, 5*time.Minute)
	mustNoErr(t, mc.MakeBucket(ctx, "mpu-compose", minio.MakeBucketOptions{}), "make bucket")
	a, b, c := patternBytes(700, 6<<20), patternBytes(701, 12<<20), patternBytes(702, 1000)
	for name, data := range map[string][]byte{"a": a, "b": b, "c": c} {
		_, err := mc.PutObject(ctx, "mpu-compose", "src/"+name, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{})
		mustNoErr(t, err, "PUT src/%s", name)
	}
	bPart := b[1<<20 : 7<<20]
	info, err := mc.ComposeObject(ctx, minio.CopyDestOptions{Bucket: "mpu-compose", Object: "composed"},
		minio.CopySrcOptions{Bucket: "mpu-compose", Object: "src/a"},
		minio.CopySrcOptions{Bucket: "mpu-compose", Object: "src/b", MatchRange: true, Start: 1 << 20, End: 7<<20 - 1},
		minio.CopySrcOptions{Bucket: "mpu-compose", Object: "src/c"},
	)
	if err != nil {
		t.Fatalf("ComposeObject: %v", err)
	}
	want := append(append(append([]byte(nil), a...), bPart...), c...)
	wantETag := multipartETagOf([][]byte{md5Of(a), md5Of(bPart), md5Of(c)})
	if `"`+info.ETag+`"` != wantETag {
		t.Errorf("ComposeObject ETag %s, want %s", info.ETag, wantETag)
	}
	obj, err := mc.GetObject(ctx, "mpu-compose", "composed", minio.GetObjectOptions{})
	mustNoErr(t, err, "GET composed")
	sum, n := readerSHA256(t, obj)
	obj.Close()
	if n != int64(len(want)) || sum != sha256Hex(want) {
		t.Errorf("composed object: %d bytes %s, want %d bytes %s", n, sum, len(want), sha256Hex(want))
	}
	// A range past the source's end is refused.
	sdk := g.sdkClient()
	id := createIn(t, sdk, "mpu-compose", "bad-range")
	_, err = sdk.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpu-compose"), Key: aws.String("bad-range"), UploadId: aws.String(id),
		PartNumber: aws.Int32(1), CopySource: aws.String("mpu-compose/src/c"), CopySourceRange: aws.String("bytes=0-5000")})
	if code := apiErrorCode(err); code != "InvalidRange" && code != "InvalidArgument" {
		t.Errorf("UploadPartCopy with a range past the end: %v, want InvalidRange or InvalidArgument", err)
	}
}

// TestMultipartGetPartNumber: GET/HEAD ?partNumber=N of a multipart object
// serve that part with x-amz-mp-parts-count; a part past the last is
// refused.
func TestMultipartGetPartNumber(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	createBucketSDK(t, c, "mpu-partnum")
	parts := [][]byte{patternBytes(800, 5<<20), patternBytes(801, 5<<20+1), patternBytes(802, 999)}
	id := createIn(t, c, "mpu-partnum", "obj")
	var done []types.CompletedPart
	for i, p := range parts {
		done = append(done, uploadPartIn(t, c, "mpu-partnum", "obj", id, int32(i+1), p))
	}
	ctx := testContext(t, time.Minute)
	_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu-partnum"), Key: aws.String("obj"), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	mustNoErr(t, err, "Complete")
	for i, p := range parts {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu-partnum"), Key: aws.String("obj"), PartNumber: aws.Int32(int32(i + 1))})
		if err != nil {
			t.Errorf("GET partNumber=%d: %v", i+1, err)
			continue
		}
		body, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(body, p) || aws.ToInt32(out.PartsCount) != 3 {
			t.Errorf("GET partNumber=%d: %d bytes (equal %v), PartsCount %d; want part %d (%d bytes), 3", i+1, len(body), bytes.Equal(body, p), aws.ToInt32(out.PartsCount), i+1, len(p))
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu-partnum"), Key: aws.String("obj"), PartNumber: aws.Int32(int32(i + 1))})
		if err != nil || aws.ToInt64(h.ContentLength) != int64(len(p)) || aws.ToInt32(h.PartsCount) != 3 {
			t.Errorf("HEAD partNumber=%d: %v length %d, want %d", i+1, err, aws.ToInt64(h.ContentLength), len(p))
		}
	}
	resp := g.do(t, ctx, rawRequest{method: "GET", rawPath: "/mpu-partnum/obj", rawQuery: "partNumber=4"})
	if resp.status != http.StatusRequestedRangeNotSatisfiable && resp.status != http.StatusBadRequest || resp.errorCode() != "InvalidPartNumber" {
		t.Errorf("GET partNumber=4 of a 3-part object: %d %s, want InvalidPartNumber", resp.status, resp.errorCode())
	}
}

// TestMultipartLifecycleAPI: AbortIncompleteMultipartUpload rules round-trip;
// other actions are refused.
func TestMultipartLifecycleAPI(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	createBucketSDK(t, c, "mpu-lifecycle")
	ctx := testContext(t, time.Minute)
	_, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("mpu-lifecycle")})
	expectAPIError(t, err, "NoSuchLifecycleConfiguration", http.StatusNotFound, "GET lifecycle before any")
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("mpu-lifecycle"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID: aws.String("abort-tmp"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(2)},
		}}}})
	mustNoErr(t, err, "PUT lifecycle")
	out, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("mpu-lifecycle")})
	mustNoErr(t, err, "GET lifecycle")
	if len(out.Rules) != 1 || aws.ToString(out.Rules[0].ID) != "abort-tmp" || out.Rules[0].AbortIncompleteMultipartUpload == nil ||
		aws.ToInt32(out.Rules[0].AbortIncompleteMultipartUpload.DaysAfterInitiation) != 2 || out.Rules[0].Filter == nil || aws.ToString(out.Rules[0].Filter.Prefix) != "tmp/" {
		t.Errorf("GET lifecycle returned %+v", out.Rules)
	}
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("mpu-lifecycle"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID: aws.String("transition"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassGlacier}},
		}}}})
	expectAPIError(t, err, "NotImplemented", http.StatusNotImplemented, "PUT lifecycle with a Transition action")
	_, err = c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String("mpu-lifecycle")})
	mustNoErr(t, err, "DELETE lifecycle")
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("mpu-lifecycle")})
	expectAPIError(t, err, "NoSuchLifecycleConfiguration", http.StatusNotFound, "GET lifecycle after DELETE")
}

// TestMultipartDirectoryPinning: deleting the only object beside an upload
// in flight must not take away the directory its parts live in; the
// marker is never listed; DeleteBucket with only uploads deletes it.
func TestMultipartDirectoryPinning(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	createBucketSDK(t, c, "mpu-pin")
	ctx := testContext(t, time.Minute)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mpu-pin"), Key: aws.String("d1/d2/other"), Body: strings.NewReader("x")})
	mustNoErr(t, err, "PUT d1/d2/other")
	id := createIn(t, c, "mpu-pin", "d1/d2/up")
	p1data := patternBytes(900, 5<<20)
	p1 := uploadPartIn(t, c, "mpu-pin", "d1/d2/up", id, 1, p1data)
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("mpu-pin"), Key: aws.String("d1/d2/other")})
	mustNoErr(t, err, "DELETE d1/d2/other")
	l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("mpu-pin")})
	mustNoErr(t, err, "list")
	if len(l.Contents) != 0 {
		t.Errorf("listing with only an upload in flight shows %d objects (first %s)", len(l.Contents), aws.ToString(l.Contents[0].Key))
	}
	p2 := uploadPartIn(t, c, "mpu-pin", "d1/d2/up", id, 2, []byte("end"))
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu-pin"), Key: aws.String("d1/d2/up"), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p1, p2}}})
	mustNoErr(t, err, "Complete after the sibling's delete")
	want := append(p1data, "end"...)
	if sum, n, _ := getObjectSHA256(t, c, "mpu-pin", "d1/d2/up"); sum != sha256Hex(want) || n != int64(len(want)) {
		t.Errorf("object: %d bytes %s, want %d %s", n, sum, len(want), sha256Hex(want))
	}
	l, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("mpu-pin")})
	mustNoErr(t, err, "list")
	if len(l.Contents) != 1 || aws.ToString(l.Contents[0].Key) != "d1/d2/up" {
		t.Errorf("listing after Complete: %v", l.Contents)
	}

	// A bucket whose only content is an upload in flight is empty.
	createBucketSDK(t, c, "mpu-pin-del")
	id2 := createIn(t, c, "mpu-pin-del", "a/b/c")
	uploadPartIn(t, c, "mpu-pin-del", "a/b/c", id2, 1, []byte("p"))
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("mpu-pin-del")})
	mustNoErr(t, err, "DeleteBucket with only an upload in flight")
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu-pin-del"), Key: aws.String("a/b/c"), UploadId: aws.String(id2)})
	// The missing bucket is reported before the missing upload, as S3 does.
	if code := apiErrorCode(err); code != "NoSuchBucket" {
		t.Errorf("ListParts after DeleteBucket: %v, want NoSuchBucket", err)
	}
	// With an object too, it is not empty.
	createBucketSDK(t, c, "mpu-pin-full")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mpu-pin-full"), Key: aws.String("obj"), Body: strings.NewReader("x")})
	mustNoErr(t, err, "PUT obj")
	createIn(t, c, "mpu-pin-full", "up")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("mpu-pin-full")})
	expectAPIError(t, err, "BucketNotEmpty", http.StatusConflict, "DeleteBucket with an object and an upload")
}
