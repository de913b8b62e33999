package e2e

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// apiErrorCode extracts the S3 error code from an SDK error.
func apiErrorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func expectCode(t *testing.T, err error, want, what string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: succeeded, want %s", what, want)
		return
	}
	if got := apiErrorCode(err); got != want {
		t.Errorf("%s: error code %q (%v), want %s", what, got, err, want)
	}
}

func TestSDKObjectLifecycle(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	ctx := testContext(t, 5*time.Minute)
	bucket := "sdk-objects"
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	mustNoErr(t, err, "CreateBucket")

	body := []byte("hello, terngate\n")
	before := time.Now().Add(-2 * time.Second).Truncate(time.Second)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket:       aws.String(bucket),
		Key:          aws.String("dir/hello.txt"),
		Body:         bytes.NewReader(body),
		ContentType:  aws.String("text/plain"),
		CacheControl: aws.String("max-age=60"),
		Metadata:     map[string]string{"colour": "blue", "owner-name": "e2e"},
	})
	mustNoErr(t, err, "PutObject")
	wantETag := `"` + md5Hex(body) + `"`
	if aws.ToString(put.ETag) != wantETag {
		t.Errorf("PutObject ETag %s, want %s (quoted MD5 hex)", aws.ToString(put.ETag), wantETag)
	}

	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/hello.txt")})
	mustNoErr(t, err, "HeadObject")
	if aws.ToString(head.ETag) != wantETag {
		t.Errorf("HeadObject ETag %s, want %s", aws.ToString(head.ETag), wantETag)
	}
	if aws.ToInt64(head.ContentLength) != int64(len(body)) {
		t.Errorf("HeadObject ContentLength %d, want %d", aws.ToInt64(head.ContentLength), len(body))
	}
	if aws.ToString(head.ContentType) != "text/plain" || aws.ToString(head.CacheControl) != "max-age=60" {
		t.Errorf("HeadObject Content-Type %q Cache-Control %q, want text/plain and max-age=60", aws.ToString(head.ContentType), aws.ToString(head.CacheControl))
	}
	if head.Metadata["colour"] != "blue" || head.Metadata["owner-name"] != "e2e" {
		t.Errorf("HeadObject user metadata %v, want colour=blue owner-name=e2e", head.Metadata)
	}
	if lm := aws.ToTime(head.LastModified); lm.Before(before) || lm.After(time.Now().Add(2*time.Second)) {
		t.Errorf("HeadObject Last-Modified %v is not about now", lm)
	}

	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/hello.txt")})
	mustNoErr(t, err, "GetObject")
	got, err := io.ReadAll(get.Body)
	get.Body.Close()
	mustNoErr(t, err, "read GetObject body")
	if !bytes.Equal(got, body) {
		t.Errorf("GetObject body %q, want %q", got, body)
	}
	if aws.ToString(get.ETag) != wantETag || get.Metadata["colour"] != "blue" {
		t.Errorf("GetObject ETag %s metadata %v", aws.ToString(get.ETag), get.Metadata)
	}

	ranged, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/hello.txt"), Range: aws.String("bytes=7-14")})
	mustNoErr(t, err, "ranged GetObject")
	part, _ := io.ReadAll(ranged.Body)
	ranged.Body.Close()
	if string(part) != "terngate" || aws.ToString(ranged.ContentRange) != "bytes 7-14/16" {
		t.Errorf("ranged GetObject = %q (Content-Range %q), want \"terngate\" (bytes 7-14/16)", part, aws.ToString(ranged.ContentRange))
	}

	// Copy keeps the metadata by default and replaces it on request.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/kept"), CopySource: aws.String(bucket + "/dir/hello.txt")})
	mustNoErr(t, err, "CopyObject COPY")
	kept, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/kept")})
	mustNoErr(t, err, "HeadObject of copy")
	if kept.Metadata["colour"] != "blue" || aws.ToString(kept.ETag) != wantETag {
		t.Errorf("copy with COPY directive: metadata %v ETag %s, want the source's", kept.Metadata, aws.ToString(kept.ETag))
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("copy/replaced"), CopySource: aws.String(bucket + "/dir/hello.txt"),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"colour": "red"}, ContentType: aws.String("application/x-e2e"),
	})
	mustNoErr(t, err, "CopyObject REPLACE")
	replaced, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/replaced")})
	mustNoErr(t, err, "HeadObject of replaced copy")
	if replaced.Metadata["colour"] != "red" || replaced.Metadata["owner-name"] != "" || aws.ToString(replaced.ContentType) != "application/x-e2e" {
		t.Errorf("copy with REPLACE directive: metadata %v type %q, want only colour=red and application/x-e2e", replaced.Metadata, aws.ToString(replaced.ContentType))
	}

	// Conditional GET.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/hello.txt"), IfNoneMatch: aws.String(wantETag)})
	expectStatusCode(t, err, http.StatusNotModified, "GetObject If-None-Match current ETag")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/hello.txt"), IfMatch: aws.String(`"0123"`)})
	expectCode(t, err, "PreconditionFailed", "GetObject If-Match other ETag")

	v1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(bucket)})
	mustNoErr(t, err, "ListObjects")
	if keys := objectKeys(v1.Contents); strings.Join(keys, ",") != "copy/kept,copy/replaced,dir/hello.txt" {
		t.Errorf("ListObjects keys %v", keys)
	}
	v2, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Delimiter: aws.String("/")})
	mustNoErr(t, err, "ListObjectsV2")
	if len(v2.Contents) != 0 || len(v2.CommonPrefixes) != 2 || aws.ToString(v2.CommonPrefixes[0].Prefix) != "copy/" {
		t.Errorf("ListObjectsV2 delimiter /: contents %v prefixes %d", objectKeys(v2.Contents), len(v2.CommonPrefixes))
	}
	v2, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("dir/")})
	mustNoErr(t, err, "ListObjectsV2 prefix")
	if len(v2.Contents) != 1 || aws.ToString(v2.Contents[0].ETag) != wantETag || aws.ToInt64(v2.Contents[0].Size) != int64(len(body)) {
		t.Errorf("ListObjectsV2 prefix dir/: %+v", v2.Contents)
	}

	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/kept")})
	mustNoErr(t, err, "DeleteObject")
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("never/existed")})
	mustNoErr(t, err, "DeleteObject of a missing key must succeed")
	del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("copy/replaced")}, {Key: aws.String("dir/hello.txt")}, {Key: aws.String("missing")},
	}}})
	mustNoErr(t, err, "DeleteObjects")
	if len(del.Deleted) != 3 || len(del.Errors) != 0 {
		t.Errorf("DeleteObjects: %d deleted, errors %+v; want 3 deleted (missing keys count as deleted)", len(del.Deleted), del.Errors)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/hello.txt")})
	expectCode(t, err, "NoSuchKey", "GetObject after DeleteObjects")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	mustNoErr(t, err, "DeleteBucket of the emptied bucket")
}

func objectKeys(objs []types.Object) []string {
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = aws.ToString(o.Key)
	}
	return keys
}

func TestSDKBucketErrors(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	ctx := testContext(t, time.Minute)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("errs")})
	mustNoErr(t, err, "CreateBucket")
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("errs")})
	expectCode(t, err, "BucketAlreadyOwnedByYou", "CreateBucket twice")
	for _, name := range []string{"Upper_Case", "ab", "-leading-dash", "192.168.1.1", strings.Repeat("x", 64)} {
		_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		expectCode(t, err, "InvalidBucketName", "CreateBucket "+name)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("errs"), Key: aws.String("k"), Body: strings.NewReader("x")})
	mustNoErr(t, err, "PutObject")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("errs")})
	expectCode(t, err, "BucketNotEmpty", "DeleteBucket of a non-empty bucket")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("no-such-bucket"), Key: aws.String("k")})
	expectCode(t, err, "NoSuchBucket", "GetObject in a missing bucket")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("no-such-bucket"), Key: aws.String("k"), Body: strings.NewReader("x")})
	expectCode(t, err, "NoSuchBucket", "PutObject in a missing bucket")
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket")})
	expectCode(t, err, "NoSuchBucket", "ListObjectsV2 of a missing bucket")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("no-such-bucket")})
	expectCode(t, err, "NoSuchBucket", "DeleteBucket of a missing bucket")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("errs"), Key: aws.String("missing")})
	expectCode(t, err, "NoSuchKey", "GetObject of a missing key")
	// HEAD responses have no body, so only the status tells.
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("errs"), Key: aws.String("missing")})
	expectStatusCode(t, err, http.StatusNotFound, "HeadObject of a missing key")
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("no-such-bucket")})
	expectStatusCode(t, err, http.StatusNotFound, "HeadBucket of a missing bucket")
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("errs")})
	mustNoErr(t, err, "HeadBucket")
	buckets, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	mustNoErr(t, err, "ListBuckets")
	if len(buckets.Buckets) != 1 || aws.ToString(buckets.Buckets[0].Name) != "errs" {
		t.Errorf("ListBuckets = %+v, want just errs", buckets.Buckets)
	}
}

// TestSDKLargePut sends a 100 MiB single PutObject (seekable body, so the SDK
// signs the payload hash and adds a CRC32 header over plain HTTP).
func TestSDKLargePut(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	ctx := testContext(t, 5*time.Minute)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("large")})
	mustNoErr(t, err, "CreateBucket")
	const size = 100 << 20
	body := patternBytes(100, size)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("large"), Key: aws.String("blob.bin"), Body: bytes.NewReader(body)})
	mustNoErr(t, err, "PutObject 100 MiB")
	if want := `"` + md5Hex(body) + `"`; aws.ToString(put.ETag) != want {
		t.Errorf("ETag %s, want %s", aws.ToString(put.ETag), want)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("large"), Key: aws.String("blob.bin")})
	mustNoErr(t, err, "GetObject 100 MiB")
	defer get.Body.Close()
	sum, n := readerSHA256(t, get.Body)
	if n != size || sum != sha256Hex(body) {
		t.Errorf("read back %d bytes sha256 %s, want %d bytes sha256 %s", n, sum, size, sha256Hex(body))
	}
}

func commonPrefixes(cps []types.CommonPrefix) []string {
	out := make([]string, len(cps))
	for i, cp := range cps {
		out[i] = aws.ToString(cp.Prefix)
	}
	return out
}

// expectStatusCode checks an SDK error carries the given HTTP status.
func expectStatusCode(t *testing.T, err error, want int, what string) {
	t.Helper()
	var re interface{ HTTPStatusCode() int }
	if err == nil || !errors.As(err, &re) || re.HTTPStatusCode() != want {
		t.Errorf("%s: %v, want HTTP %d", what, err, want)
	}
}
