package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/s3err"
)

func TestVerifyHeaderAcceptsSDKSignatures(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		signedPath string // path the client signs (its canonical URI)
		wirePath   string // path as it arrives, if spelled differently
		rawQuery   string
		wireQuery  string // query as it arrives, if spelled differently
		header     http.Header
	}{
		{name: "plain", method: "GET", signedPath: "/bucket/key"},
		{name: "root", method: "GET", signedPath: "/"},
		{name: "spaces", method: "GET", signedPath: "/bucket/key%20with%20spaces"},
		{name: "plus sent raw", method: "GET", signedPath: "/bucket/a%2Bb", wirePath: "/bucket/a+b"},
		{name: "unicode lower-case escapes", method: "GET", signedPath: "/bucket/caf%C3%A9/%E2%9C%93", wirePath: "/bucket/caf%c3%a9/%e2%9c%93"},
		{name: "tilde escaped on the wire", method: "GET", signedPath: "/bucket/~user", wirePath: "/bucket/%7Euser"},
		{name: "encoded slash signed as sent", method: "GET", signedPath: "/bucket/dir%2Fkey"},
		{name: "encoded slash signed decoded", method: "GET", signedPath: "/bucket/dir/key", wirePath: "/bucket/dir%2Fkey"},
		{name: "dot segments kept", method: "GET", signedPath: "/bucket/a//../b/./c"},
		{name: "trailing slash", method: "GET", signedPath: "/bucket/dir/"},
		{name: "reserved chars", method: "GET", signedPath: "/bucket/%21%24%26%27%28%29%2A%2C%3B%3D%3A%40"},
		{
			name: "query special chars", method: "GET", signedPath: "/bucket",
			rawQuery:  "prefix=a%20b&delimiter=%2F&marker=x%2By&empty=&list-type=2&uni=%E2%9C%93",
			wireQuery: "prefix=a+b&delimiter=/&marker=x%2By&empty=&list-type=2&uni=%e2%9c%93",
		},
		{name: "query flag without value", method: "GET", signedPath: "/bucket", rawQuery: "acl", wireQuery: "acl"},
		{name: "repeated query names", method: "GET", signedPath: "/bucket", rawQuery: "a=2&a=1&b=", wireQuery: "b&a=2&a=1"},
		{
			name: "multiple header values", method: "PUT", signedPath: "/bucket/key",
			header: http.Header{"X-Amz-Meta-Tags": {"one", "two", " three "}},
		},
		{
			name: "extra spaces in header", method: "PUT", signedPath: "/bucket/key",
			header: http.Header{"X-Amz-Meta-Note": {"  hello    big   world  "}, "Content-Type": {"text/plain;  charset=utf-8"}},
		},
		{name: "delete", method: "DELETE", signedPath: "/bucket/key", rawQuery: "versionId=abc%3D%3D"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := newHTTPRequest(t, tc.method, tc.signedPath, tc.rawQuery)
			for k, vs := range tc.header {
				for _, v := range vs {
					req.Header.Add(k, v)
				}
			}
			signHeader(t, req, emptySHA256, testTime, testSecret)
			wire := tc.wirePath
			if wire == "" {
				wire = tc.signedPath
			}
			sr := toServerRequest(req, wire)
			if tc.wireQuery != "" {
				sr.RawQuery = tc.wireQuery
			}
			res, err := newTestVerifier().Verify(sr)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if res.AccessKey != testAccessKey || res.PayloadHash != emptySHA256 {
				t.Fatalf("result %+v", res)
			}
			if res.Scope != "20240517/us-east-1/s3/aws4_request" || !res.Date.Equal(testTime) {
				t.Fatalf("scope %q date %v", res.Scope, res.Date)
			}
			if want := sr.Header.Get("Authorization"); !strings.HasSuffix(want, "Signature="+res.Signature) {
				t.Fatalf("seed signature %q not from %q", res.Signature, want)
			}
			if len(res.SigningKey) != sha256.Size {
				t.Fatalf("signing key of %d bytes", len(res.SigningKey))
			}
		})
	}
}

func TestVerifyHeaderPayloadHashes(t *testing.T) {
	body := "hello"
	sum := sha256.Sum256([]byte(body))
	digest := hex.EncodeToString(sum[:])
	for _, ph := range []string{digest, strings.ToUpper(digest), UnsignedPayload, StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer} {
		t.Run(ph, func(t *testing.T) {
			req := newHTTPRequest(t, "PUT", "/bucket/key", "")
			req.ContentLength = int64(len(body))
			signHeader(t, req, ph, testTime, testSecret)
			res, err := newTestVerifier().Verify(toServerRequest(req, "/bucket/key"))
			if err != nil {
				t.Fatal(err)
			}
			if res.PayloadHash != strings.ToLower(ph) && res.PayloadHash != ph {
				t.Fatalf("payload hash %q", res.PayloadHash)
			}
		})
	}
}

// The example requests of the S3 SigV4 documentation, with the published
// signatures.
func TestVerifyAWSDocumentationExamples(t *testing.T) {
	docTime := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	v := &Verifier{
		Region:      "us-east-1",
		Credentials: staticCreds{"AKIAIOSFODNN7EXAMPLE": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
		Now:         func() time.Time { return docTime },
	}
	const cred = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
	tests := []struct {
		name    string
		r       Request
		headers map[string]string
	}{
		{
			name: "GET object",
			r:    Request{Method: "GET", Host: "examplebucket.s3.amazonaws.com", RawPath: "/test.txt"},
			headers: map[string]string{
				"Range":                "bytes=0-9",
				"X-Amz-Content-Sha256": emptySHA256,
				"X-Amz-Date":           "20130524T000000Z",
				"Authorization":        cred + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
			},
		},
		{
			name: "PUT object",
			r:    Request{Method: "PUT", Host: "examplebucket.s3.amazonaws.com", RawPath: "/test$file.text"},
			headers: map[string]string{
				"Date":                 "Fri, 24 May 2013 00:00:00 GMT",
				"X-Amz-Date":           "20130524T000000Z",
				"X-Amz-Storage-Class":  "REDUCED_REDUNDANCY",
				"X-Amz-Content-Sha256": "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
				"Authorization":        cred + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
			},
		},
		{
			name: "GET bucket lifecycle",
			r:    Request{Method: "GET", Host: "examplebucket.s3.amazonaws.com", RawPath: "/", RawQuery: "lifecycle"},
			headers: map[string]string{
				"X-Amz-Content-Sha256": emptySHA256,
				"X-Amz-Date":           "20130524T000000Z",
				"Authorization":        cred + "SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
			},
		},
		{
			name: "list objects",
			r:    Request{Method: "GET", Host: "examplebucket.s3.amazonaws.com", RawPath: "/", RawQuery: "max-keys=2&prefix=J"},
			headers: map[string]string{
				"X-Amz-Content-Sha256": emptySHA256,
				"X-Amz-Date":           "20130524T000000Z",
				"Authorization":        cred + "SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			r.Header = http.Header{}
			for k, val := range tc.headers {
				r.Header.Set(k, val)
			}
			if _, err := v.Verify(&r); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

// referenceSign signs with the plain spec formula; it lets a test use the
// Date header, which the SDK never does.
func referenceSign(secret, canonical string, at time.Time) string {
	mac := func(k []byte, s string) []byte { m := hmac.New(sha256.New, k); m.Write([]byte(s)); return m.Sum(nil) }
	k := mac(mac(mac(mac([]byte("AWS4"+secret), at.Format("20060102")), testRegion), "s3"), "aws4_request")
	h := sha256.Sum256([]byte(canonical))
	sts := "AWS4-HMAC-SHA256\n" + at.Format("20060102T150405Z") + "\n" + at.Format("20060102") + "/us-east-1/s3/aws4_request\n" + hex.EncodeToString(h[:])
	return hex.EncodeToString(mac(k, sts))
}

func TestVerifyHeaderWithDateHeaderOnly(t *testing.T) {
	date := testTime.Format(http.TimeFormat)
	canonical := "GET\n/bucket/key\n\ndate:" + date + "\nhost:" + testHost + "\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n\ndate;host;x-amz-content-sha256\nUNSIGNED-PAYLOAD"
	sig := referenceSign(testSecret, canonical, testTime)
	r := &Request{Method: "GET", Host: testHost, RawPath: "/bucket/key", Header: http.Header{
		"Date":                 {date},
		"X-Amz-Content-Sha256": {UnsignedPayload},
		"Authorization":        {fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/20240517/us-east-1/s3/aws4_request, SignedHeaders=date;host;x-amz-content-sha256, Signature=%s", testAccessKey, sig)},
	}}
	if _, err := newTestVerifier().Verify(r); err != nil {
		t.Fatal(err)
	}
}

// signedServerRequest returns a valid header-signed request as the server
// sees it, with an x-amz-meta header to tamper with.
func signedServerRequest(t *testing.T) *Request {
	t.Helper()
	req := newHTTPRequest(t, "PUT", "/bucket/key", "uploadId=1&partNumber=2")
	req.Header.Set("X-Amz-Meta-Color", "blue")
	signHeader(t, req, UnsignedPayload, testTime, testSecret)
	return toServerRequest(req, "/bucket/key")
}

func TestVerifyHeaderRejects(t *testing.T) {
	authz := func(r *Request) string { return r.Header.Get("Authorization") }
	tests := []struct {
		name   string
		mutate func(r *Request)
		want   *s3err.Error
		msg    string
	}{
		{"tampered path", func(r *Request) { r.RawPath = "/bucket/other" }, s3err.SignatureDoesNotMatch, ""},
		{"tampered method", func(r *Request) { r.Method = "DELETE" }, s3err.SignatureDoesNotMatch, ""},
		{"tampered query", func(r *Request) { r.RawQuery = "uploadId=1&partNumber=3" }, s3err.SignatureDoesNotMatch, ""},
		{"added query", func(r *Request) { r.RawQuery += "&x=1" }, s3err.SignatureDoesNotMatch, ""},
		{"tampered header", func(r *Request) { r.Header.Set("X-Amz-Meta-Color", "red") }, s3err.SignatureDoesNotMatch, ""},
		{"tampered host", func(r *Request) { r.Host = "evil.example.com" }, s3err.SignatureDoesNotMatch, ""},
		{"tampered payload hash", func(r *Request) { r.Header.Set("X-Amz-Content-Sha256", emptySHA256) }, s3err.SignatureDoesNotMatch, ""},
		{"tampered signature", func(r *Request) {
			a := authz(r)
			r.Header.Set("Authorization", a[:len(a)-1]+string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", a[len(a)-1])+1)%16]))
		}, s3err.SignatureDoesNotMatch, ""},
		{"unsigned amz header", func(r *Request) { r.Header.Set("X-Amz-Acl", "public-read") }, s3err.AccessDenied, "There were headers present in the request which were not signed"},
		{"host not signed", func(r *Request) {
			r.Header.Set("Authorization", strings.Replace(authz(r), "SignedHeaders=host;", "SignedHeaders=", 1))
		}, s3err.AuthorizationHeaderMalformed, ""},
		{"unknown access key", func(r *Request) {
			r.Header.Set("Authorization", strings.Replace(authz(r), testAccessKey, "AKIDUNKNOWN", 1))
		}, s3err.InvalidAccessKeyID, ""},
		{"wrong region", func(r *Request) {
			r.Header.Set("Authorization", strings.Replace(authz(r), "/us-east-1/", "/eu-west-1/", 1))
		}, s3err.AuthorizationHeaderMalformed, "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'"},
		{"wrong service", func(r *Request) {
			r.Header.Set("Authorization", strings.Replace(authz(r), "/s3/", "/ec2/", 1))
		}, s3err.AuthorizationHeaderMalformed, ""},
		{"wrong terminator", func(r *Request) {
			r.Header.Set("Authorization", strings.Replace(authz(r), "/aws4_request", "/aws5_request", 1))
		}, s3err.AuthorizationHeaderMalformed, ""},
		{"short credential", func(r *Request) {
			r.Header.Set("Authorization", strings.Replace(authz(r), "/s3/aws4_request", "", 1))
		}, s3err.AuthorizationHeaderMalformed, ""},
		{"scope date differs", func(r *Request) {
			r.Header.Set("Authorization", strings.Replace(authz(r), "/20240517/", "/20240516/", 1))
		}, s3err.AuthorizationHeaderMalformed, ""},
		{"missing signature", func(r *Request) {
			a := authz(r)
			r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
		}, s3err.AuthorizationHeaderMalformed, ""},
		{"unsupported algorithm", func(r *Request) {
			r.Header.Set("Authorization", strings.Replace(authz(r), "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1))
		}, s3err.InvalidArgument, "Unsupported Authorization Type"},
		{"signature v2", func(r *Request) { r.Header.Set("Authorization", "AWS AKIDEXAMPLE:c2lnbmF0dXJl") }, s3err.InvalidArgument, "Unsupported Authorization Type"},
		{"missing content sha256", func(r *Request) { r.Header.Del("X-Amz-Content-Sha256") }, s3err.InvalidRequest, "Missing required header for this request: x-amz-content-sha256"},
		{"bad content sha256", func(r *Request) { r.Header.Set("X-Amz-Content-Sha256", "not-a-hash") }, s3err.InvalidArgument, errInvalidContentSHA256.Message},
		{"short hex content sha256", func(r *Request) { r.Header.Set("X-Amz-Content-Sha256", emptySHA256[:63]) }, s3err.InvalidArgument, errInvalidContentSHA256.Message},
		{"missing date", func(r *Request) { r.Header.Del("X-Amz-Date") }, s3err.AccessDenied, "AWS authentication requires a valid Date or x-amz-date header"},
		{"garbled date", func(r *Request) { r.Header.Set("X-Amz-Date", "yesterday") }, s3err.AccessDenied, "AWS authentication requires a valid Date or x-amz-date header"},
		{"duplicate auth", func(r *Request) {
			r.RawQuery += "&X-Amz-Algorithm=AWS4-HMAC-SHA256"
		}, s3err.InvalidArgument, errDuplicateAuth.Message},
		{"two authorization headers", func(r *Request) { r.Header.Add("Authorization", authz(r)) }, s3err.AuthorizationHeaderMalformed, ""},
		{"bad path escape", func(r *Request) { r.RawPath = "/bucket/%zz" }, s3err.InvalidURI, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := signedServerRequest(t)
			if _, err := newTestVerifier().Verify(r); err != nil {
				t.Fatalf("untampered request fails: %v", err)
			}
			tc.mutate(r)
			_, err := newTestVerifier().Verify(r)
			wantS3Err(t, err, tc.want, tc.msg)
		})
	}
}

func TestVerifyHeaderWrongSecret(t *testing.T) {
	req := newHTTPRequest(t, "GET", "/bucket/key", "")
	signHeader(t, req, UnsignedPayload, testTime, "not-the-secret")
	_, err := newTestVerifier().Verify(toServerRequest(req, "/bucket/key"))
	wantS3Err(t, err, s3err.SignatureDoesNotMatch, "")
}

func TestVerifyHeaderClockSkew(t *testing.T) {
	for _, tc := range []struct {
		offset time.Duration
		ok     bool
	}{
		{0, true}, {14 * time.Minute, true}, {-14 * time.Minute, true},
		{16 * time.Minute, false}, {-16 * time.Minute, false},
	} {
		t.Run(tc.offset.String(), func(t *testing.T) {
			req := newHTTPRequest(t, "GET", "/bucket/key", "")
			// Stay inside the same scope day so only skew is at stake.
			signHeader(t, req, UnsignedPayload, testTime, testSecret)
			v := newTestVerifier()
			v.Now = func() time.Time { return testTime.Add(tc.offset) }
			_, err := v.Verify(toServerRequest(req, "/bucket/key"))
			if tc.ok && err != nil {
				t.Fatal(err)
			}
			if !tc.ok {
				wantS3Err(t, err, s3err.RequestTimeTooSkewed, "")
			}
		})
	}
	t.Run("custom max skew", func(t *testing.T) {
		req := newHTTPRequest(t, "GET", "/bucket/key", "")
		signHeader(t, req, UnsignedPayload, testTime, testSecret)
		v := newTestVerifier()
		v.MaxSkew = time.Minute
		v.Now = func() time.Time { return testTime.Add(2 * time.Minute) }
		_, err := v.Verify(toServerRequest(req, "/bucket/key"))
		wantS3Err(t, err, s3err.RequestTimeTooSkewed, "")
	})
}

func TestVerifyAnyRegionWhenUnset(t *testing.T) {
	req := newHTTPRequest(t, "GET", "/bucket/key", "")
	signHeader(t, req, UnsignedPayload, testTime, testSecret)
	v := newTestVerifier()
	v.Region = ""
	if _, err := v.Verify(toServerRequest(req, "/bucket/key")); err != nil {
		t.Fatal(err)
	}
}

func TestIsAnonymous(t *testing.T) {
	tests := []struct {
		r    Request
		want bool
	}{
		{Request{Header: http.Header{}}, true},
		{Request{Header: http.Header{}, RawQuery: "list-type=2&prefix=x"}, true},
		{Request{Header: http.Header{"Authorization": {"AWS4-HMAC-SHA256 ..."}}}, false},
		{Request{Header: http.Header{}, RawQuery: "X-Amz-Signature=abc"}, false},
		{Request{Header: http.Header{}, RawQuery: "X-Amz-Credential=AK%2F20240517"}, false},
	}
	for _, tc := range tests {
		if got := IsAnonymous(&tc.r); got != tc.want {
			t.Errorf("IsAnonymous(%+v) = %v", tc.r, got)
		}
	}
	_, err := newTestVerifier().Verify(&Request{Method: "GET", Host: testHost, RawPath: "/", Header: http.Header{}})
	wantS3Err(t, err, s3err.AccessDenied, "")
}
