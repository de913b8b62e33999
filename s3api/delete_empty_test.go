package s3api

import (
	"context"
	"crypto/md5"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestDeleteObjectsEmpty: a DeleteObjects whose <Delete/> names no object
// is a 200 with an empty DeleteResult, and deletes nothing. Source:
// versitygw's AWS-run DeleteObjects_empty_input
// (tests/integration/DeleteObjects.go: no error, 0 Deleted, 0 Errors,
// every object still listed).
func TestDeleteObjectsEmpty(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "del")
	g.mustPut(t, "del", "keep", "x")

	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{}}})
	if err != nil {
		t.Fatalf("empty Delete: %v", err)
	}
	if len(out.Deleted) != 0 || len(out.Errors) != 0 || !g.objectExists(t, "del", "keep") {
		t.Errorf("empty Delete: deleted %v errors %v", out.Deleted, out.Errors)
	}

	doc := []byte(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>`)
	req := g.signedRequest(t, http.MethodPost, "/del?delete", doc, testSecretKey)
	sum := md5.Sum(doc)
	req.Header.Set("Content-MD5", b64(sum[:]))
	resp, body := do(t, req)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<DeleteResult") || strings.Contains(string(body), "<Deleted>") {
		t.Errorf("raw <Delete/>: %d %s", resp.StatusCode, body)
	}
	// A missing bucket is still reported.
	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("nodel"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{}}})
	expectAPIError(t, err, "NoSuchBucket", http.StatusNotFound)
}
