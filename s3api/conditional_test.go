package s3api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// If-Match on a write. PutObject's API reference: "Uploads the object only
// if the ETag ... matches the ETag of the object in S3. If the ETag values
// do not match, the operation returns a 412 Precondition Failed error."
// The user guide's "How to prevent object overwrites with conditional
// writes" (docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
// "If there's no current object version with the same name ... the
// operation fails with a 404 Not Found error"; and If-Match "*" (RFC 7232
// 3.1) matches any current object.
func TestPutIfMatch(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "pim")
	c := g.client()
	ctx := context.Background()
	put := func(key, body, ifMatch string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("pim"), Key: aws.String(key), Body: strings.NewReader(body), IfMatch: aws.String(ifMatch),
		})
		return err
	}
	expectAPIError(t, put("missing", "x", "*"), "NoSuchKey", http.StatusNotFound)
	expectAPIError(t, put("missing", "x", `"0123"`), "NoSuchKey", http.StatusNotFound)
	if g.objectExists(t, "pim", "missing") {
		t.Fatal("a refused If-Match PUT created the key")
	}
	g.mustPut(t, "pim", "k", "one")
	if err := put("k", "two", "*"); err != nil {
		t.Fatalf("If-Match * on an existing key: %v", err)
	}
	if got := getString(t, c, "pim", "k"); got != "two" {
		t.Fatalf("after If-Match * PUT: %q", got)
	}
}

// If-Match "*" on CompleteMultipartUpload. Its API reference: "Uploads the
// object only if the ETag ... matches"; If-Match "*" matches any current
// object, and a missing key is 404 NoSuchKey (conditional-writes.html).
func TestCompleteIfMatchStar(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "cims")
	id := mpCreate(t, c, "cims", "k")
	p := mpPart(t, c, "cims", "k", id, 1, []byte("assembled"))
	complete := func() error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String("cims"), Key: aws.String("k"), UploadId: aws.String(id), IfMatch: aws.String("*"),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p}},
		})
		return err
	}
	expectAPIError(t, complete(), "NoSuchKey", http.StatusNotFound)
	g.mustPut(t, "cims", "k", "existing")
	if err := complete(); err != nil {
		t.Fatalf("Complete with If-Match * over an existing object: %v", err)
	}
	if got := getString(t, c, "cims", "k"); got != "assembled" {
		t.Fatalf("after Complete: %q", got)
	}
}

// Conditional DeleteObject. Sources: the DeleteObject API reference
// (If-Match: "If the ETag values do not match, the operation returns a 412
// Precondition Failed error ... If-Match does accept ... '*'";
// x-amz-if-match-last-modified-time and x-amz-if-match-size: "If the ...
// values do not match, the operation returns a 412 Precondition Failed
// error. If the ... matches or if the object doesn't exist, the operation
// returns a 204"), and the user guide's "How to perform conditional
// deletes" (docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html):
// If-Match "*" checks that the object exists, a missing object being 404.
func TestConditionalDeleteObject(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "cdo")
	c := g.client()
	ctx := context.Background()
	del := func(key string, mod func(*s3.DeleteObjectInput)) error {
		in := &s3.DeleteObjectInput{Bucket: aws.String("cdo"), Key: aws.String(key)}
		mod(in)
		_, err := c.DeleteObject(ctx, in)
		return err
	}
	g.mustPut(t, "cdo", "k", "hello")
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cdo"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}

	refused := []struct {
		name string
		mod  func(*s3.DeleteObjectInput)
	}{
		{"other ETag", func(in *s3.DeleteObjectInput) { in.IfMatch = aws.String(`"0123"`) }},
		{"other size", func(in *s3.DeleteObjectInput) { in.IfMatchSize = aws.Int64(4) }},
		{"other time", func(in *s3.DeleteObjectInput) {
			in.IfMatchLastModifiedTime = aws.Time(head.LastModified.Add(-time.Hour))
		}},
		{"right ETag, other size", func(in *s3.DeleteObjectInput) { in.IfMatch, in.IfMatchSize = head.ETag, aws.Int64(6) }},
	}
	for _, tc := range refused {
		expectAPIError(t, del("k", tc.mod), "PreconditionFailed", http.StatusPreconditionFailed)
		if !g.objectExists(t, "cdo", "k") {
			t.Fatalf("%s: a refused delete removed the object", tc.name)
		}
	}

	// If-Match names an object that must exist; the size and time headers
	// alone do not.
	expectAPIError(t, del("missing", func(in *s3.DeleteObjectInput) { in.IfMatch = aws.String("*") }), "NoSuchKey", http.StatusNotFound)
	expectAPIError(t, del("missing", func(in *s3.DeleteObjectInput) { in.IfMatch = head.ETag }), "NoSuchKey", http.StatusNotFound)
	if err := del("missing", func(in *s3.DeleteObjectInput) { in.IfMatchSize = aws.Int64(5) }); err != nil {
		t.Fatalf("x-amz-if-match-size on a missing key: %v", err)
	}

	if err := del("k", func(in *s3.DeleteObjectInput) {
		in.IfMatch, in.IfMatchSize, in.IfMatchLastModifiedTime = head.ETag, aws.Int64(5), head.LastModified
	}); err != nil {
		t.Fatalf("delete with every condition holding: %v", err)
	}
	if g.objectExists(t, "cdo", "k") {
		t.Fatal("the object survived a delete whose conditions held")
	}
	g.mustPut(t, "cdo", "k2", "x")
	if err := del("k2", func(in *s3.DeleteObjectInput) { in.IfMatch = aws.String("*") }); err != nil {
		t.Fatalf("If-Match * on an existing key: %v", err)
	}
	if g.objectExists(t, "cdo", "k2") {
		t.Fatal("If-Match * did not delete")
	}
}

// Conditional DeleteObjects: each Object may carry ETag, LastModifiedTime
// and Size (the ObjectIdentifier type in the API reference); conditional-
// deletes.html: "For conditionally deleting multiple objects using the
// DeleteObjects operation, you must provide the ETag value in the ETag
// element of the object", and a failed condition is that object's
// PreconditionFailed error while the others proceed.
// Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html
func TestConditionalDeleteObjects(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "cdos")
	c := g.client()
	ctx := context.Background()
	for _, k := range []string{"keep-etag", "keep-size", "keep-time", "go"} {
		g.mustPut(t, "cdos", k, "hello")
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cdos"), Key: aws.String("go")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: aws.String("cdos"),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{
			{Key: aws.String("keep-etag"), ETag: aws.String(`"0123"`)},
			{Key: aws.String("keep-size"), Size: aws.Int64(1)},
			{Key: aws.String("keep-time"), LastModifiedTime: aws.Time(head.LastModified.Add(-time.Hour))},
			{Key: aws.String("missing"), ETag: aws.String("*")},
			{Key: aws.String("go"), ETag: head.ETag, Size: aws.Int64(5), LastModifiedTime: head.LastModified},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, e := range out.Errors {
		codes[aws.ToString(e.Key)] = aws.ToString(e.Code)
	}
	want := map[string]string{"keep-etag": "PreconditionFailed", "keep-size": "PreconditionFailed", "keep-time": "PreconditionFailed", "missing": "NoSuchKey"}
	for k, code := range want {
		if codes[k] != code {
			t.Errorf("%s: error %q, want %q", k, codes[k], code)
		}
	}
	if len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "go" {
		t.Errorf("deleted %v, want only go", out.Deleted)
	}
	for _, k := range []string{"keep-etag", "keep-size", "keep-time"} {
		if !g.objectExists(t, "cdos", k) {
			t.Errorf("%s was deleted though its condition failed", k)
		}
	}
	if g.objectExists(t, "cdos", "go") {
		t.Error("go survived though its conditions held")
	}
}

// CopyObject's conditional writes on the destination (its API reference:
// If-Match "Copies the object if the entity tag (ETag) of the destination
// object matches the specified tag. If the ETag values do not match, the
// operation returns a 412 Precondition Failed error"; If-None-Match "*"
// copies only if the destination key does not exist), also when the
// destination is the source (a metadata REPLACE in place).
func TestCopyObjectConditionalWrite(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "ccw")
	c := g.client()
	ctx := context.Background()
	g.mustPut(t, "ccw", "src", "source")
	g.mustPut(t, "ccw", "dst", "old")
	cp := func(key string, mod func(*s3.CopyObjectInput)) error {
		in := &s3.CopyObjectInput{Bucket: aws.String("ccw"), Key: aws.String(key), CopySource: aws.String("ccw/src")}
		mod(in)
		_, err := c.CopyObject(ctx, in)
		return err
	}
	expectAPIError(t, cp("dst", func(in *s3.CopyObjectInput) { in.IfNoneMatch = aws.String("*") }), "PreconditionFailed", http.StatusPreconditionFailed)
	expectAPIError(t, cp("dst", func(in *s3.CopyObjectInput) { in.IfMatch = aws.String(`"0123"`) }), "PreconditionFailed", http.StatusPreconditionFailed)
	if got := getString(t, c, "ccw", "dst"); got != "old" {
		t.Fatalf("a refused copy changed the destination: %q", got)
	}
	self := func(ifMatch, ifNoneMatch *string) error {
		return cp("src", func(in *s3.CopyObjectInput) {
			in.MetadataDirective = types.MetadataDirectiveReplace
			in.Metadata = map[string]string{"m": "v"}
			in.IfMatch, in.IfNoneMatch = ifMatch, ifNoneMatch
		})
	}
	expectAPIError(t, self(nil, aws.String("*")), "PreconditionFailed", http.StatusPreconditionFailed)
	expectAPIError(t, self(aws.String(`"0123"`), nil), "PreconditionFailed", http.StatusPreconditionFailed)
	if err := self(aws.String("*"), nil); err != nil {
		t.Fatalf("copy onto itself with If-Match *: %v", err)
	}
	if err := cp("dst", func(in *s3.CopyObjectInput) { in.IfMatch = aws.String("*") }); err != nil {
		t.Fatalf("copy with If-Match * over an existing object: %v", err)
	}
	if got := getString(t, c, "ccw", "dst"); got != "source" {
		t.Fatalf("after the copy: %q", got)
	}
}
