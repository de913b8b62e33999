package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const preconditionFailed = "At least one of the pre-conditions you specified did not hold"

// TestConformanceConditionalWrites: If-Match on PutObject and
// CompleteMultipartUpload. Sources: "How to prevent object overwrites with
// conditional writes",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
// (If-Match: a mismatch is 412 Precondition Failed; "If there's no current
// object version with the same name ... the operation fails with a 404 Not
// Found error"); If-Match "*" matches any current object (RFC 9110
// section 13.1.1); the PreconditionFailed document with its Condition as S3
// sends it, versity/versitygw#2044; NoSuchKey's message with its period,
// "The specified key does not exist." (ErrorResponses.html).
func TestConformanceConditionalWrites(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	ctx := testContext(t, 2*time.Minute)
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-cw"}), http.StatusOK, "create bucket")

	t.Run("PutObject", func(t *testing.T) {
		for _, ifMatch := range []string{"*", `"00000000000000000000000000000000"`} {
			resp := g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-cw/missing", header: headers("If-Match", ifMatch), bodyBytes: []byte("x")})
			expectS3Error(t, resp, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", map[string]string{"Key": "missing"})
			expectMissing(t, g, "/conf-cw/missing")
		}
		put := g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-cw/k", bodyBytes: []byte("one")})
		expectStatus(t, put, http.StatusOK, "PUT")
		resp := g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-cw/k", header: headers("If-Match", `"00000000000000000000000000000000"`), bodyBytes: []byte("two")})
		expectS3Error(t, resp, http.StatusPreconditionFailed, "PreconditionFailed", preconditionFailed, map[string]string{"Condition": "If-Match"})
		expectBody(t, g, "/conf-cw/k", []byte("one"))
		expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-cw/k", header: headers("If-Match", "*"), bodyBytes: []byte("two")}), http.StatusOK, "PUT If-Match: *")
		expectBody(t, g, "/conf-cw/k", []byte("two"))
		etag := g.do(t, ctx, rawRequest{method: "HEAD", rawPath: "/conf-cw/k"}).header.Get("ETag")
		expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-cw/k", header: headers("If-Match", etag), bodyBytes: []byte("three")}), http.StatusOK, "PUT If-Match: its ETag")
		expectBody(t, g, "/conf-cw/k", []byte("three"))
	})

	t.Run("CompleteMultipartUpload", func(t *testing.T) {
		u := newRawUpload(t, ctx, g, "conf-cw", "mp")
		data := patternBytes(3, 2000)
		u.part(t, ctx, data)
		expectS3Error(t, u.complete(t, ctx, headers("If-Match", "*")), http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", map[string]string{"Key": "mp"})
		u.expectIntact(t, ctx, "If-Match: * on a missing key")
		expectMissing(t, g, u.path())
		expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: u.path(), bodyBytes: []byte("existing")}), http.StatusOK, "PUT over the upload's key")
		expectStatus(t, u.complete(t, ctx, headers("If-Match", "*")), http.StatusOK, "Complete If-Match: * over an existing object")
		expectBody(t, g, u.path(), data)
	})
}

// TestConformanceConditionalDeletes: DeleteObject with If-Match,
// x-amz-if-match-size and x-amz-if-match-last-modified-time, and
// DeleteObjects with a per-object ETag: 412 (or that object's
// PreconditionFailed) when the condition does not hold, and nothing
// deleted. Sources: "How to perform conditional deletes",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html
// ("If the ETag values do not match, the operation returns a 412
// Precondition Failed error"; for DeleteObjects "you must provide the ETag
// value in the ETag element of the object"); the DeleteObject API reference
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html)
// for the size and time headers, which also answer 412 on a mismatch.
func TestConformanceConditionalDeletes(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	ctx := testContext(t, 2*time.Minute)
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-cd"}), http.StatusOK, "create bucket")
	body := []byte("kept")
	put := func(key string) (etag, lastModified string) {
		resp := g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-cd/" + key, bodyBytes: body})
		expectStatus(t, resp, http.StatusOK, "PUT "+key)
		head := g.do(t, ctx, rawRequest{method: "HEAD", rawPath: "/conf-cd/" + key})
		lm, err := http.ParseTime(head.header.Get("Last-Modified"))
		mustNoErr(t, err, "Last-Modified of %s", key)
		return resp.header.Get("ETag"), lm.UTC().Format(time.RFC3339)
	}

	t.Run("DeleteObject", func(t *testing.T) {
		etag, lastModified := put("k")
		earlier := "2001-01-01T00:00:00Z"
		for _, h := range []struct{ name, value, condition string }{
			{"If-Match", `"00000000000000000000000000000000"`, "If-Match"},
			{"x-amz-if-match-size", strconv.Itoa(len(body) + 1), ""},
			{"x-amz-if-match-last-modified-time", earlier, ""},
		} {
			resp := g.do(t, ctx, rawRequest{method: "DELETE", rawPath: "/conf-cd/k", header: headers(h.name, h.value)})
			var elements map[string]string
			if h.condition != "" {
				elements = map[string]string{"Condition": h.condition}
			}
			expectS3Error(t, resp, http.StatusPreconditionFailed, "PreconditionFailed", preconditionFailed, elements)
			expectBody(t, g, "/conf-cd/k", body)
		}
		resp := g.do(t, ctx, rawRequest{method: "DELETE", rawPath: "/conf-cd/missing", header: headers("If-Match", "*")})
		expectS3Error(t, resp, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", nil)
		// All three holding: deleted.
		resp = g.do(t, ctx, rawRequest{method: "DELETE", rawPath: "/conf-cd/k", header: headers(
			"If-Match", etag, "x-amz-if-match-size", strconv.Itoa(len(body)), "x-amz-if-match-last-modified-time", lastModified)})
		expectStatus(t, resp, http.StatusNoContent, "DeleteObject with every condition holding")
		expectMissing(t, g, "/conf-cd/k")
	})

	t.Run("DeleteObjects", func(t *testing.T) {
		etagA, _ := put("a")
		put("b")
		doc := "<Delete><Object><Key>a</Key><ETag>" + etagA + "</ETag></Object>" +
			`<Object><Key>b</Key><ETag>"00000000000000000000000000000000"</ETag></Object></Delete>`
		resp := g.do(t, ctx, rawRequest{method: "POST", rawPath: "/conf-cd", rawQuery: "delete", bodyBytes: []byte(doc),
			header: headers("Content-MD5", contentMD5([]byte(doc)))})
		expectStatus(t, resp, http.StatusOK, "DeleteObjects")
		s := string(resp.body)
		if !strings.Contains(s, "<Deleted><Key>a</Key>") {
			t.Errorf("a (its ETag holding) was not deleted: %s", s)
		}
		if !strings.Contains(s, "<Key>b</Key><Code>PreconditionFailed</Code><Message>"+preconditionFailed+"</Message>") {
			t.Errorf("b (its ETag not holding) has no PreconditionFailed error: %s", s)
		}
		expectMissing(t, g, "/conf-cd/a")
		expectBody(t, g, "/conf-cd/b", body)
	})
}
