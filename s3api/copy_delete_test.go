package s3api

import (
	"context"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestCopyObject(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "src")
	g.mustCreateBucket(t, "dst")
	_, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("src"), Key: aws.String("a b+c"), Body: strings.NewReader("payload"),
		ContentType: aws.String("text/x-src"), Metadata: map[string]string{"origin": "src"},
	})
	if err != nil {
		t.Fatal(err)
	}
	srcHead, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("src"), Key: aws.String("a b+c")})
	if err != nil {
		t.Fatal(err)
	}

	// COPY (the default) keeps the source's metadata.
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("src/a%20b%2Bc"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cp.CopyObjectResult.ETag) != aws.ToString(srcHead.ETag) || cp.CopyObjectResult.LastModified == nil {
		t.Errorf("copy result %+v", cp.CopyObjectResult)
	}
	got := getString(t, c, "dst", "copy")
	head, _ := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	if got != "payload" || aws.ToString(head.ContentType) != "text/x-src" || head.Metadata["origin"] != "src" {
		t.Errorf("COPY: body %q type %q meta %v", got, aws.ToString(head.ContentType), head.Metadata)
	}

	// REPLACE takes the request's metadata; a leading slash and
	// ?versionId=null are accepted.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String("dst"), Key: aws.String("replaced"), CopySource: aws.String("/src/a%20b%2Bc?versionId=null"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/new"),
		Metadata: map[string]string{"fresh": "yes"},
	})
	if err != nil {
		t.Fatal(err)
	}
	head, _ = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("replaced")})
	if aws.ToString(head.ContentType) != "text/new" || head.Metadata["fresh"] != "yes" || head.Metadata["origin"] != "" {
		t.Errorf("REPLACE: type %q meta %v", aws.ToString(head.ContentType), head.Metadata)
	}

	// Onto itself: refused without REPLACE, a metadata update with it.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String("src"), Key: aws.String("a b+c"), CopySource: aws.String("src/a%20b%2Bc"),
	})
	expectAPIError(t, err, "InvalidRequest", 400)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String("src"), Key: aws.String("a b+c"), CopySource: aws.String("src/a%20b%2Bc"),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"v": "2"},
	})
	if err != nil {
		t.Fatalf("self copy with REPLACE: %v", err)
	}
	head, _ = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("src"), Key: aws.String("a b+c")})
	if head.Metadata["v"] != "2" || aws.ToString(head.ETag) != aws.ToString(srcHead.ETag) {
		t.Errorf("self REPLACE: meta %v etag %s", head.Metadata, aws.ToString(head.ETag))
	}

	// Source conditions.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String("dst"), Key: aws.String("c2"), CopySource: aws.String("src/a%20b%2Bc"),
		CopySourceIfMatch: aws.String(`"wrong"`),
	})
	expectAPIError(t, err, "PreconditionFailed", 412)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String("dst"), Key: aws.String("c2"), CopySource: aws.String("src/a%20b%2Bc"),
		CopySourceIfNoneMatch: srcHead.ETag,
	})
	expectAPIError(t, err, "PreconditionFailed", 412)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String("dst"), Key: aws.String("c2"), CopySource: aws.String("src/a%20b%2Bc"),
		CopySourceIfMatch: srcHead.ETag,
	})
	if err != nil {
		t.Errorf("copy with matching If-Match: %v", err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String("dst"), Key: aws.String("c3"), CopySource: aws.String("src/missing"),
	})
	expectAPIError(t, err, "NoSuchKey", 404)
}

func getString(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestDeleteObjects(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "multi")
	for _, k := range []string{"a", "b", "c"} {
		g.mustPut(t, "multi", k, k)
	}
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: aws.String("multi"),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{
			{Key: aws.String("a")},
			{Key: aws.String("b"), VersionId: aws.String("null")},
			{Key: aws.String("never-existed")},
			{Key: aws.String("c"), VersionId: aws.String("3HL4kqtJlcpXroDTDmJ")},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var deleted []string
	for _, d := range out.Deleted {
		deleted = append(deleted, aws.ToString(d.Key)+"@"+aws.ToString(d.VersionId))
	}
	sort.Strings(deleted)
	if strings.Join(deleted, ",") != "a@,b@null,never-existed@" {
		t.Errorf("deleted = %v", deleted)
	}
	// A version ID this gateway could not have issued is InvalidArgument
	// (s3err.InvalidVersionID); one it could have, but that does not
	// exist, would be deleted as done, as S3 answers (minio/minio#11086).
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "c" || aws.ToString(out.Errors[0].Code) != "InvalidArgument" {
		t.Errorf("errors = %+v", out.Errors)
	}
	if g.objectExists(t, "multi", "a") || g.objectExists(t, "multi", "b") || !g.objectExists(t, "multi", "c") {
		t.Error("wrong objects deleted")
	}

	// Quiet reports only errors.
	out, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: aws.String("multi"),
		Delete: &types.Delete{Quiet: aws.Bool(true), Objects: []types.ObjectIdentifier{{Key: aws.String("c")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 0 || len(out.Errors) != 0 || g.objectExists(t, "multi", "c") {
		t.Errorf("quiet: deleted %v errors %v", out.Deleted, out.Errors)
	}

	// More than 1000 keys is MalformedXML.
	var many []types.ObjectIdentifier
	for i := 0; i < 1001; i++ {
		many = append(many, types.ObjectIdentifier{Key: aws.String("k")})
	}
	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("multi"), Delete: &types.Delete{Objects: many}})
	expectAPIError(t, err, "MalformedXML", 400)

	// A raw request with Content-MD5 and broken XML.
	req := g.signedRequest(t, http.MethodPost, "/multi?delete", []byte("<Delete><Object>"), testSecretKey)
	resp, body := do(t, req)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>MalformedXML</Code>") {
		t.Errorf("broken XML: %d %s", resp.StatusCode, body)
	}
}
