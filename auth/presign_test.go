package auth

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/s3err"
)

// presignedServerRequest presigns a request with the SDK and returns what the
// server receives when a client follows the URL.
func presignedServerRequest(t *testing.T, method, rawPath, rawQuery string, header http.Header, expires int) *Request {
	t.Helper()
	req := newHTTPRequest(t, method, rawPath, rawQuery)
	for k, vs := range header {
		req.Header[k] = vs
	}
	q, signedHeaders := presign(t, req, testTime, expires)
	h := http.Header{}
	for k, vs := range signedHeaders {
		if !strings.EqualFold(k, "host") {
			h[http.CanonicalHeaderKey(k)] = vs
		}
	}
	return &Request{Method: method, Host: testHost, RawPath: rawPath, RawQuery: q, Header: h}
}

func TestVerifyPresignedAcceptsSDKURLs(t *testing.T) {
	tests := []struct {
		name, method, path, query string
		header                    http.Header
	}{
		{name: "get", method: "GET", path: "/bucket/key"},
		{name: "special path", method: "GET", path: "/bucket/a%20b%2Bc/caf%C3%A9/a//../b"},
		{name: "query", method: "GET", path: "/bucket/key", query: "response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&versionId="},
		{name: "put with signed header", method: "PUT", path: "/bucket/key", header: http.Header{"Content-Type": {"image/png"}}},
		{name: "hoisted amz header", method: "PUT", path: "/bucket/key", header: http.Header{"X-Amz-Acl": {"private"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := presignedServerRequest(t, tc.method, tc.path, tc.query, tc.header, 900)
			res, err := newTestVerifier().Verify(r)
			if err != nil {
				t.Fatalf("Verify %s?%s: %v", r.RawPath, r.RawQuery, err)
			}
			if res.PayloadHash != UnsignedPayload || res.AccessKey != testAccessKey || !res.Date.Equal(testTime) {
				t.Fatalf("result %+v", res)
			}
		})
	}
}

func TestVerifyPresignedAWSDocumentationExample(t *testing.T) {
	docTime := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	v := &Verifier{
		Region:      "us-east-1",
		Credentials: staticCreds{"AKIAIOSFODNN7EXAMPLE": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
		Now:         func() time.Time { return docTime.Add(time.Hour) },
	}
	r := &Request{
		Method: "GET", Host: "examplebucket.s3.amazonaws.com", RawPath: "/test.txt", Header: http.Header{},
		RawQuery: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
	}
	if _, err := v.Verify(r); err != nil {
		t.Fatal(err)
	}
}

// setParam replaces one query parameter of a raw query.
func setParam(raw, name, value string) string {
	q, _ := url.ParseQuery(raw)
	q.Set(name, value)
	return q.Encode()
}

func delParam(raw, name string) string {
	q, _ := url.ParseQuery(raw)
	q.Del(name)
	return q.Encode()
}

func TestVerifyPresignedRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(r *Request, v *Verifier)
		want   *s3err.Error
		msg    string
	}{
		{"expired", func(r *Request, v *Verifier) {
			v.Now = func() time.Time { return testTime.Add(901 * time.Second) }
		}, s3err.AccessDenied, "Request has expired"},
		{"not yet valid", func(r *Request, v *Verifier) {
			v.Now = func() time.Time { return testTime.Add(-time.Hour) }
		}, s3err.AccessDenied, "Request is not valid yet"},
		{"tampered path", func(r *Request, v *Verifier) { r.RawPath = "/bucket/other" }, s3err.SignatureDoesNotMatch, ""},
		{"tampered method", func(r *Request, v *Verifier) { r.Method = "PUT" }, s3err.SignatureDoesNotMatch, ""},
		{"longer expiry", func(r *Request, v *Verifier) { r.RawQuery = setParam(r.RawQuery, "X-Amz-Expires", "3600") }, s3err.SignatureDoesNotMatch, ""},
		{"added param", func(r *Request, v *Verifier) { r.RawQuery += "&acl=" }, s3err.SignatureDoesNotMatch, ""},
		{"tampered signature", func(r *Request, v *Verifier) {
			r.RawQuery = setParam(r.RawQuery, "X-Amz-Signature", strings.Repeat("0", 64))
		}, s3err.SignatureDoesNotMatch, ""},
		{"content hash claimed", func(r *Request, v *Verifier) {
			r.RawQuery = setParam(r.RawQuery, "X-Amz-Content-Sha256", emptySHA256)
		}, s3err.SignatureDoesNotMatch, ""},
		{"bad content hash", func(r *Request, v *Verifier) {
			r.RawQuery = setParam(r.RawQuery, "X-Amz-Content-Sha256", "nope")
		}, s3err.InvalidArgument, errInvalidContentSHA256.Message},
		{"unsigned amz header", func(r *Request, v *Verifier) { r.Header.Set("X-Amz-Acl", "public-read") }, s3err.AccessDenied, ""},
		{"expires zero", func(r *Request, v *Verifier) { r.RawQuery = setParam(r.RawQuery, "X-Amz-Expires", "0") }, s3err.AuthorizationQueryParametersError, ""},
		{"expires negative", func(r *Request, v *Verifier) { r.RawQuery = setParam(r.RawQuery, "X-Amz-Expires", "-1") }, s3err.AuthorizationQueryParametersError, "X-Amz-Expires must be non-negative"},
		{"expires too long", func(r *Request, v *Verifier) { r.RawQuery = setParam(r.RawQuery, "X-Amz-Expires", "604801") }, s3err.AuthorizationQueryParametersError, "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"},
		{"expires not a number", func(r *Request, v *Verifier) { r.RawQuery = setParam(r.RawQuery, "X-Amz-Expires", "soon") }, s3err.AuthorizationQueryParametersError, "X-Amz-Expires should be a number"},
		{"missing date", func(r *Request, v *Verifier) { r.RawQuery = delParam(r.RawQuery, "X-Amz-Date") }, s3err.AuthorizationQueryParametersError, errMissingPresignParams.Message},
		{"missing signed headers", func(r *Request, v *Verifier) { r.RawQuery = delParam(r.RawQuery, "X-Amz-SignedHeaders") }, s3err.AuthorizationQueryParametersError, ""},
		{"missing signature", func(r *Request, v *Verifier) { r.RawQuery = delParam(r.RawQuery, "X-Amz-Signature") }, s3err.AuthorizationQueryParametersError, ""},
		{"duplicate signature", func(r *Request, v *Verifier) { r.RawQuery += "&X-Amz-Signature=" + strings.Repeat("0", 64) }, s3err.AuthorizationQueryParametersError, ""},
		{"garbled date", func(r *Request, v *Verifier) { r.RawQuery = setParam(r.RawQuery, "X-Amz-Date", "2024-05-17") }, s3err.AuthorizationQueryParametersError, ""},
		{"other algorithm", func(r *Request, v *Verifier) { r.RawQuery = setParam(r.RawQuery, "X-Amz-Algorithm", "AWS4-HMAC-SHA1") }, s3err.AuthorizationQueryParametersError, ""},
		{"host not signed", func(r *Request, v *Verifier) { r.RawQuery = setParam(r.RawQuery, "X-Amz-SignedHeaders", "x-amz-date") }, s3err.AuthorizationQueryParametersError, ""},
		{"wrong region", func(r *Request, v *Verifier) { v.Region = "eu-west-1" }, s3err.AuthorizationQueryParametersError,
			"Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'"},
		{"unknown key", func(r *Request, v *Verifier) { v.Credentials = staticCreds{} }, s3err.InvalidAccessKeyID, ""},
		{"credential date differs", func(r *Request, v *Verifier) {
			r.RawQuery = setParam(r.RawQuery, "X-Amz-Credential", testAccessKey+"/20240518/us-east-1/s3/aws4_request")
		}, s3err.AuthorizationQueryParametersError, ""},
		{"also an authorization header", func(r *Request, v *Verifier) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
		}, s3err.InvalidArgument, errDuplicateAuth.Message},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := presignedServerRequest(t, "GET", "/bucket/key", "", nil, 900)
			v := newTestVerifier()
			if _, err := v.Verify(r); err != nil {
				t.Fatalf("untampered: %v", err)
			}
			tc.mutate(r, v)
			_, err := v.Verify(r)
			wantS3Err(t, err, tc.want, tc.msg)
		})
	}
}

func TestVerifyPresignedAtExpiryEdge(t *testing.T) {
	r := presignedServerRequest(t, "GET", "/bucket/key", "", nil, 604800)
	v := newTestVerifier()
	v.Now = func() time.Time { return testTime.Add(604800 * time.Second) }
	if _, err := v.Verify(r); err != nil {
		t.Fatalf("at the last valid second: %v", err)
	}
}
