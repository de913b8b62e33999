package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// rawUpload is a multipart upload driven by raw signed requests, for the
// conformance tests that assert S3's answers on the wire.
type rawUpload struct {
	g             *gateway
	bucket, key   string
	id            string
	completeParts []string
}

var uploadIDElement = regexp.MustCompile(`<UploadId>([^<]+)</UploadId>`)

func newRawUpload(t *testing.T, ctx context.Context, g *gateway, bucket, key string) *rawUpload {
	t.Helper()
	resp := g.do(t, ctx, rawRequest{method: "POST", rawPath: "/" + bucket + "/" + key, rawQuery: "uploads"})
	expectStatus(t, resp, http.StatusOK, "CreateMultipartUpload "+key)
	m := uploadIDElement.FindSubmatch(resp.body)
	if m == nil {
		t.Fatalf("no UploadId in %s", resp.body)
	}
	return &rawUpload{g: g, bucket: bucket, key: key, id: string(m[1])}
}

// part uploads the next part and records it for completePlain.
func (u *rawUpload) part(t *testing.T, ctx context.Context, data []byte) string {
	t.Helper()
	n := len(u.completeParts) + 1
	resp := u.g.do(t, ctx, rawRequest{method: "PUT", rawPath: u.path(), rawQuery: fmt.Sprintf("partNumber=%d&uploadId=%s", n, u.id), bodyBytes: data})
	expectStatus(t, resp, http.StatusOK, fmt.Sprintf("UploadPart #%d", n))
	etag := resp.header.Get("ETag")
	u.completeParts = append(u.completeParts, fmt.Sprintf("<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", n, etag))
	return etag
}

func (u *rawUpload) path() string { return "/" + u.bucket + "/" + u.key }

// complete sends a Complete listing every part, with extra headers.
func (u *rawUpload) complete(t *testing.T, ctx context.Context, header http.Header) *rawResponse {
	t.Helper()
	doc := "<CompleteMultipartUpload>" + strings.Join(u.completeParts, "") + "</CompleteMultipartUpload>"
	return u.g.do(t, ctx, rawRequest{method: "POST", rawPath: u.path(), rawQuery: "uploadId=" + u.id, header: header, bodyBytes: []byte(doc)})
}

// expectIntact checks the upload is still there with all its parts.
func (u *rawUpload) expectIntact(t *testing.T, ctx context.Context, after string) {
	t.Helper()
	resp := u.g.do(t, ctx, rawRequest{method: "GET", rawPath: u.path(), rawQuery: "uploadId=" + u.id})
	if resp.status != http.StatusOK {
		t.Fatalf("after %s: ListParts %d %s (the upload was lost)", after, resp.status, resp.body)
	}
	if got := strings.Count(string(resp.body), "<Part>"); got != len(u.completeParts) {
		t.Fatalf("after %s: %d parts listed, want %d", after, got, len(u.completeParts))
	}
	list := u.g.do(t, ctx, rawRequest{method: "GET", rawPath: "/" + u.bucket, rawQuery: "uploads"})
	if !strings.Contains(string(list.body), "<UploadId>"+u.id+"</UploadId>") {
		t.Errorf("after %s: the upload is not listed: %s", after, list.body)
	}
}

// headers builds an http.Header from name, value pairs.
func headers(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// expectBody checks a GET of rawPath answers 200 with data.
func expectBody(t *testing.T, g *gateway, rawPath string, data []byte) {
	t.Helper()
	got := g.do(t, testContext(t, time.Minute), rawRequest{method: "GET", rawPath: rawPath})
	if got.status != http.StatusOK || !bytes.Equal(got.body, data) {
		t.Errorf("GET %s: %d, %d bytes (equal: %v); want 200 and the %d bytes stored", rawPath, got.status, len(got.body), bytes.Equal(got.body, data), len(data))
	}
}

// expectMissing checks a HEAD of rawPath answers 404.
func expectMissing(t *testing.T, g *gateway, rawPath string) {
	t.Helper()
	if got := g.do(t, testContext(t, time.Minute), rawRequest{method: "HEAD", rawPath: rawPath}); got.status != http.StatusNotFound {
		t.Errorf("HEAD %s: %d, want 404", rawPath, got.status)
	}
}

// contentMD5 is the Content-MD5 header value of body.
func contentMD5(body []byte) string {
	sum := md5.Sum(body)
	return base64.StdEncoding.EncodeToString(sum[:])
}
