package s3api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// rangedGet sends a signed GET with the Range header exactly as given
// (the SDK would normalise nothing, but a raw request shows the wire).
func rangedGet(t *testing.T, g *gateway, path, rng string) (*http.Response, []byte) {
	t.Helper()
	req := g.signedRequest(t, http.MethodGet, path, nil, testSecretKey)
	req.Header.Set("Range", rng)
	return do(t, req)
}

// TestRangeHeaderAsAWS checks each Range form against what S3 answers.
// Sources: GetObject API reference ("Amazon S3 doesn't support retrieving
// multiple ranges of data per GET request"); RFC 9110 §14.1.1–14.1.2 (a
// range unit "bytes", 1*DIGIT positions, a suffix of length 0 or a first
// position past the end is unsatisfiable; a recipient ignores an invalid
// Range); versitygw's integration suite, run against AWS
// (tests/integration/GetObject.go GetObject_with_range and
// GetObject_by_range_resp_status: "bytes= -1", "bytes=0 -1", "bytes=--1",
// "bytes=10-5", "bytes=0-0,1-2", "foo=0-1" are all a 200 of the whole
// object); ceph/s3-tests test_ranged_request_* (206 with Content-Range,
// 416 InvalidRange past the end).
func TestRangeHeaderAsAWS(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "rng")
	data := "0123456789abcdefghij" // 20 bytes
	g.mustPut(t, "rng", "obj", data)

	for _, tc := range []struct {
		rng          string
		status       int
		contentRange string
		body         string
	}{
		// Ignored: the whole object, 200, no Content-Range.
		{"bytes= -1", 200, "", data},
		{"bytes=0 -1", 200, "", data},
		{"bytes=--1", 200, "", data},
		{"bytes=-+1", 200, "", data},
		{"bytes=+1-2", 200, "", data},
		{"bytes=0--1", 200, "", data},
		{"bytes=10-5", 200, "", data},
		{"bytes=abc", 200, "", data},
		{"bytes=,", 200, "", data},
		{"bytes=0-0,1-2", 200, "", data},
		{"bytes=0-1, 5-6", 200, "", data},
		{"foo=0-1", 200, "", data},
		{"bytes=22-0", 200, "", data},
		// Honoured.
		{"bytes=00-01", 206, "bytes 0-1/20", "01"},
		{"bytes=-1", 206, "bytes 19-19/20", "j"},
		{"bytes=-25", 206, "bytes 0-19/20", data},
		{"bytes=5-", 206, "bytes 5-19/20", data[5:]},
		{"bytes=18-100", 206, "bytes 18-19/20", "ij"},
	} {
		resp, body := rangedGet(t, g, "/rng/obj", tc.rng)
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Range") != tc.contentRange || string(body) != tc.body {
			t.Errorf("Range %q: %d %q %q, want %d %q %q", tc.rng, resp.StatusCode,
				resp.Header.Get("Content-Range"), body, tc.status, tc.contentRange, tc.body)
		}
	}

	// Unsatisfiable: 416 InvalidRange naming the range and the size. The
	// element names and order are those of AWS's error document
	// (<RangeRequested> then <ActualObjectSize>, as captured from S3 in
	// public client tests, e.g. aws-sdk-net's S3Error deserialisation test).
	for _, rng := range []string{"bytes=20-", "bytes=20-30", "bytes=-0"} {
		resp, body := rangedGet(t, g, "/rng/obj", rng)
		checkErrorXML(t, resp, body, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
		want := fmt.Sprintf("</Message><RangeRequested>%s</RangeRequested><ActualObjectSize>20</ActualObjectSize>", rng)
		if !strings.Contains(string(body), want) || resp.Header.Get("Content-Range") != "bytes */20" {
			t.Errorf("Range %q: %s (Content-Range %q)", rng, body, resp.Header.Get("Content-Range"))
		}
	}
}

// TestRangeOnEmptyObject: on a 0-byte object a suffix range is ignored
// (200, empty body) while any first-byte position and "-0" are
// unsatisfiable. Source: versitygw's AWS-run suite
// (tests/integration/utils.go getObject_zero_len_with_range_helper:
// "bytes=-1" and "bytes= -1" give the empty object; "bytes=0-0",
// "bytes=0-", "bytes=00-01", "bytes=-0" give InvalidRange); ceph/s3-tests
// test_ranged_request_empty_object (bytes=40-50 is 416 InvalidRange).
func TestRangeOnEmptyObject(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "rng")
	g.mustPut(t, "rng", "empty", "")
	for _, rng := range []string{"bytes=-1", "bytes=-100", "bytes= -1", "bytes=0-0,1-2", "bytes=abc"} {
		resp, body := rangedGet(t, g, "/rng/empty", rng)
		if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Range") != "" {
			t.Errorf("Range %q on empty object: %d %q %q", rng, resp.StatusCode, resp.Header.Get("Content-Range"), body)
		}
	}
	for _, rng := range []string{"bytes=0-0", "bytes=0-", "bytes=00-01", "bytes=-0", "bytes=40-50"} {
		resp, body := rangedGet(t, g, "/rng/empty", rng)
		checkErrorXML(t, resp, body, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
		if !strings.Contains(string(body), "<ActualObjectSize>0</ActualObjectSize>") {
			t.Errorf("Range %q on empty object: %s", rng, body)
		}
	}
	// The SDK sees the same through its own Range field.
	_, err := g.client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("rng"), Key: aws.String("empty"), Range: aws.String("bytes=0-")})
	expectAPIError(t, err, "InvalidRange", http.StatusRequestedRangeNotSatisfiable)
}

// TestResponseOverridesNeedCredentials: response-* parameters are for
// signed requests only. Sources: GetObject API reference ("You must sign
// the request, either using an Authorization header or a presigned URL,
// when using these parameters. They cannot be used with an unsigned
// (anonymous) request."); versitygw's AWS-run suite
// (GetObject_overrides_fail_public: InvalidRequest "Request specific
// response headers cannot be used for anonymous GET requests."); ceph/s3-tests
// test_object_raw_response_headers (signed overrides are applied).
func TestResponseOverridesNeedCredentials(t *testing.T) {
	g := startGateway(t, Config{})
	ctx := context.Background()
	c := g.client()
	g.mustCreateBucket(t, "pub")
	g.mustPut(t, "pub", "o", "hello")
	policy := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pub/*"}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pub"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}

	// Anonymous: a plain GET is allowed, any override is refused.
	resp, body := do(t, mustNewRequest(t, http.MethodGet, g.endpoint+"/pub/o"))
	if resp.StatusCode != 200 || string(body) != "hello" {
		t.Fatalf("anonymous GET: %d %s", resp.StatusCode, body)
	}
	for _, q := range []string{"response-content-type=text/x", "response-cache-control=no-cache",
		"response-content-disposition=inline", "response-content-encoding=gzip",
		"response-content-language=en", "response-expires=0"} {
		resp, body := do(t, mustNewRequest(t, http.MethodGet, g.endpoint+"/pub/o?"+q))
		checkErrorXML(t, resp, body, http.StatusBadRequest, "InvalidRequest")
		if !strings.Contains(string(body), "<Message>Request specific response headers cannot be used for anonymous GET requests.</Message>") {
			t.Errorf("anonymous %s: %s", q, body)
		}
	}

	// Signed: applied, with the SDK and with a presigned URL.
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pub"), Key: aws.String("o"),
		ResponseContentType: aws.String("text/x"), ResponseCacheControl: aws.String("no-cache")})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if aws.ToString(out.ContentType) != "text/x" || aws.ToString(out.CacheControl) != "no-cache" {
		t.Errorf("signed overrides: %q %q", aws.ToString(out.ContentType), aws.ToString(out.CacheControl))
	}
	pre, err := s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pub"), Key: aws.String("o"),
		ResponseContentDisposition: aws.String("attachment")}, s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	resp, body = do(t, mustNewRequest(t, http.MethodGet, pre.URL))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Disposition") != "attachment" || string(body) != "hello" {
		t.Errorf("presigned override: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Disposition"), body)
	}
}

func mustNewRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
