package auth

// Known answers and rules from AWS, "Signing and authenticating REST
// requests" (Signature Version 2):
// https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/s3err"
)

// The documentation's example credentials.
const (
	docAccessKey = "AKIAIOSFODNN7EXAMPLE"
	docSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func docVerifier(now time.Time) *Verifier {
	return &Verifier{
		Credentials: staticCreds{docAccessKey: docSecret, testAccessKey: testSecret},
		Now:         func() time.Time { return now },
	}
}

func headerRequest(method, rawPath, rawQuery string, h map[string]string) *Request {
	hdr := http.Header{}
	for k, v := range h {
		hdr.Add(k, v)
	}
	return &Request{Method: method, Host: "s3.example.com", RawPath: rawPath, RawQuery: rawQuery, Header: hdr}
}

func mustParseDate(t *testing.T, v string) time.Time {
	t.Helper()
	when, ok := parseV2Time(v)
	if !ok {
		t.Fatalf("cannot parse %q", v)
	}
	return when
}

// TestSigV2DocumentExamples verifies signatures the AWS documentation
// publishes: the virtual-hosted GET example (the bucket comes from the Host
// header, not the path) and the "Unicode keys" example (the path is signed
// exactly as sent, escapes and their case included).
// Source: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html
func TestSigV2DocumentExamples(t *testing.T) {
	cases := []struct {
		name, vhostBucket, method, rawPath, date, signature string
	}{
		{"virtual-hosted GET", "awsexamplebucket1", "GET", "/photos/puppy.jpg", "Tue, 27 Mar 2007 19:36:42 +0000", "qgk2+6Sv9/oM7G3qLEjTH1a1l1g="},
		{"unicode keys", "", "GET", "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re", "Wed, 28 Mar 2007 01:49:49 +0000", "DNEZGsoieTZ92F3bUfSPQcbGmlM="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := headerRequest(tc.method, tc.rawPath, "", map[string]string{
				"Date":          tc.date,
				"Authorization": "AWS " + docAccessKey + ":" + tc.signature,
			})
			r.VirtualHostBucket = tc.vhostBucket
			res, err := docVerifier(mustParseDate(t, tc.date)).VerifyV2(r)
			if err != nil {
				t.Fatalf("VerifyV2: %v", err)
			}
			if res.AccessKey != docAccessKey || res.PayloadHash != UnsignedPayload {
				t.Errorf("result %+v", res)
			}
		})
	}
}

// TestSigV2StringToSignUploadExample rebuilds the documentation's "Upload"
// StringToSign: x-amz-* names lowercased and sorted, repeated headers joined
// with commas, values trimmed, only Content-MD5 and Content-Type among the
// entity headers.
func TestSigV2StringToSignUploadExample(t *testing.T) {
	h := http.Header{}
	h.Add("X-Amz-Acl", "public-read")
	h.Add("Content-Type", "application/x-download")
	h.Add("Content-Md5", "4gJE4saaMU4BqNR0kLY+lw==")
	h.Add("X-Amz-Meta-Reviewedby", "joe@awsexamplebucket1.net")
	h.Add("X-Amz-Meta-Reviewedby", "jane@awsexamplebucket1.net")
	h.Add("X-Amz-Meta-Filechecksum", " 0x02661779 ")
	h.Add("X-Amz-Meta-Checksumalgorithm", "crc32")
	h.Add("Content-Disposition", "attachment; filename=database.dat")
	h.Add("Content-Encoding", "gzip")
	s := v2Signed{
		method:      "PUT",
		contentMD5:  h.Get("Content-Md5"),
		contentType: h.Get("Content-Type"),
		date:        "Tue, 27 Mar 2007 21:06:08 +0000",
		amzHeaders:  h,
		resource:    canonicalResourceV2("static.awsexamplebucket1.net", "/db-backup.dat.gz", nil),
	}
	want := "PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\nTue, 27 Mar 2007 21:06:08 +0000\n" +
		"x-amz-acl:public-read\nx-amz-meta-checksumalgorithm:crc32\nx-amz-meta-filechecksum:0x02661779\n" +
		"x-amz-meta-reviewedby:joe@awsexamplebucket1.net,jane@awsexamplebucket1.net\n" +
		"/static.awsexamplebucket1.net/db-backup.dat.gz"
	if got := s.stringToSign(); got != want {
		t.Errorf("StringToSign\n%q\nwant\n%q", got, want)
	}
}

func TestCanonicalResourceV2(t *testing.T) {
	params := func(raw string) []queryParam {
		p, err := parseQuery(raw)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct{ vhost, path, query, want string }{
		// Documentation: the List example keeps the trailing slash and drops
		// non-subresource parameters; the Fetch example keeps "?acl".
		{"awsexamplebucket1", "/", "prefix=photos&max-keys=50&marker=puppy", "/awsexamplebucket1/"},
		{"awsexamplebucket1", "/", "acl", "/awsexamplebucket1/?acl"},
		{"", "/", "", "/"},
		// Subresources sorted by name, values decoded (response-* values
		// are signed unencoded), other parameters left out.
		{"", "/b/k", "versionId=v%2B1&uploadId=u&acl&list-type=2", "/b/k?acl&uploadId=u&versionId=v+1"},
		{"", "/b/k", "response-content-type=text%2Fplain&response-cache-control=no-cache", "/b/k?response-cache-control=no-cache&response-content-type=text/plain"},
		{"", "/b", "uploads=", "/b?uploads"},
		{"", "/b", "delete", "/b?delete"},
		{"", "/b/k", "partNumber=2&uploadId=x", "/b/k?partNumber=2&uploadId=x"},
	}
	for _, tc := range cases {
		if got := canonicalResourceV2(tc.vhost, tc.path, params(tc.query)); got != tc.want {
			t.Errorf("canonicalResourceV2(%q, %q, %q) = %q, want %q", tc.vhost, tc.path, tc.query, got, tc.want)
		}
	}
}

// signedV2Header signs r's string with secret, as a V2 client would.
func signedV2Header(r *Request, accessKey, secret string) {
	params, _ := parseQuery(r.RawQuery)
	date := r.Header.Get("Date")
	if r.Header.Get("X-Amz-Date") != "" {
		date = ""
	}
	s := v2Signed{method: r.Method, contentMD5: r.Header.Get("Content-Md5"), contentType: r.Header.Get("Content-Type"),
		date: date, amzHeaders: r.Header, resource: canonicalResourceV2(r.VirtualHostBucket, r.RawPath, params)}
	r.Header.Set("Authorization", "AWS "+accessKey+":"+signV2(secret, s.stringToSign()))
}

// TestSigV2XAmzDate: with x-amz-date the Date line is empty and x-amz-date is
// signed among the x-amz-* headers; its time is the one skew applies to.
func TestSigV2XAmzDate(t *testing.T) {
	at := testTime.Format(http.TimeFormat)
	r := headerRequest("DELETE", "/b/k", "", map[string]string{"X-Amz-Date": at, "Date": "Mon, 01 Jan 2001 00:00:00 GMT"})
	signedV2Header(r, testAccessKey, testSecret)
	if _, err := docVerifier(testTime).VerifyV2(r); err != nil {
		t.Fatalf("VerifyV2: %v", err)
	}
	// Signing the Date header's value instead does not verify.
	s := v2Signed{method: "DELETE", date: r.Header.Get("Date"), amzHeaders: r.Header, resource: "/b/k"}
	r.Header.Set("Authorization", "AWS "+testAccessKey+":"+signV2(testSecret, s.stringToSign()))
	_, err := docVerifier(testTime).VerifyV2(r)
	wantS3Err(t, err, s3err.SignatureDoesNotMatch, "")
}

// Source: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html
func TestSigV2HeaderFailures(t *testing.T) {
	at := testTime.Format(http.TimeFormat)
	signed := func(mutate func(r *Request)) *Request {
		r := headerRequest("PUT", "/b/k", "uploadId=u&partNumber=1", map[string]string{"Date": at, "Content-Type": "text/plain", "X-Amz-Meta-A": "1"})
		signedV2Header(r, testAccessKey, testSecret)
		if mutate != nil {
			mutate(r)
		}
		return r
	}
	v := docVerifier(testTime)
	if _, err := v.VerifyV2(signed(nil)); err != nil {
		t.Fatalf("the untouched request: %v", err)
	}

	t.Run("wrong secret", func(t *testing.T) {
		r := headerRequest("GET", "/b/k", "", map[string]string{"Date": at})
		signedV2Header(r, testAccessKey, "not-the-secret")
		_, err := v.VerifyV2(r)
		wantS3Err(t, err, s3err.SignatureDoesNotMatch, s3err.SignatureDoesNotMatch.Message)
		// AWS's SignatureDoesNotMatch names the key, the string it signed
		// (also as hex bytes) and the signature sent.
		details := s3err.As(err).Fields
		names := make([]string, len(details))
		for i, d := range details {
			names[i] = d.Name
		}
		if strings.Join(names, ",") != "AWSAccessKeyId,StringToSign,SignatureProvided,StringToSignBytes" {
			t.Fatalf("details %v", names)
		}
		wantSTS := "GET\n\n\n" + at + "\n/b/k"
		if details[0].Value != testAccessKey || details[1].Value != wantSTS || !strings.HasPrefix(details[3].Value, "47 45 54 0a 0a 0a ") {
			t.Errorf("details %+v", details)
		}
		if details[2].Value != strings.TrimPrefix(r.Header.Get("Authorization"), "AWS "+testAccessKey+":") {
			t.Errorf("SignatureProvided %q", details[2].Value)
		}
	})
	t.Run("tampered resource", func(t *testing.T) {
		_, err := v.VerifyV2(signed(func(r *Request) { r.RawPath = "/b/other" }))
		wantS3Err(t, err, s3err.SignatureDoesNotMatch, "")
	})
	t.Run("tampered subresource", func(t *testing.T) {
		_, err := v.VerifyV2(signed(func(r *Request) { r.RawQuery = "uploadId=u&partNumber=2" }))
		wantS3Err(t, err, s3err.SignatureDoesNotMatch, "")
	})
	t.Run("added amz header", func(t *testing.T) {
		_, err := v.VerifyV2(signed(func(r *Request) { r.Header.Set("X-Amz-Meta-B", "2") }))
		wantS3Err(t, err, s3err.SignatureDoesNotMatch, "")
	})
	t.Run("changed content type", func(t *testing.T) {
		_, err := v.VerifyV2(signed(func(r *Request) { r.Header.Set("Content-Type", "text/html") }))
		wantS3Err(t, err, s3err.SignatureDoesNotMatch, "")
	})
	t.Run("unknown key", func(t *testing.T) {
		r := headerRequest("GET", "/b/k", "", map[string]string{"Date": at})
		signedV2Header(r, "NOSUCHKEY", testSecret)
		_, err := v.VerifyV2(r)
		wantS3Err(t, err, s3err.InvalidAccessKeyID, s3err.InvalidAccessKeyID.Message)
		if d := s3err.As(err).Fields; len(d) != 1 || d[0] != (s3err.Field{Name: "AWSAccessKeyId", Value: "NOSUCHKEY"}) {
			t.Errorf("details %+v", d)
		}
	})
	t.Run("skew", func(t *testing.T) {
		// AWS: "within 15 minutes of the Amazon S3 system time ... If not,
		// the request will fail with the RequestTimeTooSkewed error code."
		r := headerRequest("GET", "/b/k", "", map[string]string{"Date": testTime.Add(-16 * time.Minute).Format(http.TimeFormat)})
		signedV2Header(r, testAccessKey, testSecret)
		_, err := v.VerifyV2(r)
		wantS3Err(t, err, s3err.RequestTimeTooSkewed, s3err.RequestTimeTooSkewed.Message)
	})
	t.Run("no date", func(t *testing.T) {
		r := headerRequest("GET", "/b/k", "", nil)
		signedV2Header(r, testAccessKey, testSecret)
		_, err := v.VerifyV2(r)
		wantS3Err(t, err, s3err.AccessDenied, "AWS authentication requires a valid Date or x-amz-date header")
	})
	t.Run("malformed header", func(t *testing.T) {
		for _, h := range []string{"AWS nocolon", "AWS :sig", "AWS key:", "AWS  key:sig", "AWS key: sig"} {
			r := headerRequest("GET", "/b/k", "", map[string]string{"Date": at, "Authorization": h})
			_, err := v.VerifyV2(r)
			wantS3Err(t, err, s3err.InvalidArgument, "")
		}
	})
	t.Run("signed streaming payload", func(t *testing.T) {
		_, err := v.VerifyV2(signed(func(r *Request) {
			r.Header.Set("X-Amz-Content-Sha256", StreamingPayload)
			signedV2Header(r, testAccessKey, testSecret)
		}))
		wantS3Err(t, err, s3err.InvalidRequest, "")
	})
	t.Run("payload digest is kept for the body check", func(t *testing.T) {
		res, err := v.VerifyV2(signed(func(r *Request) {
			r.Header.Set("X-Amz-Content-Sha256", strings.ToUpper(emptySHA256))
			signedV2Header(r, testAccessKey, testSecret)
		}))
		if err != nil || res.PayloadHash != emptySHA256 {
			t.Errorf("got %+v, %v", res, err)
		}
	})
}

// presignV2 builds a V2 presigned query the way botocore's HmacV1QueryAuth
// does: the signature over Expires in the Date position, x-amz-* and
// Content-Type moved into the query.
func presignV2(method, vhost, rawPath, rawQuery string, expires time.Time, secret string, hoisted map[string]string) string {
	params, _ := parseQuery(rawQuery)
	h := http.Header{}
	for k, v := range hoisted {
		h.Set(k, v)
	}
	exp := strconv.FormatInt(expires.Unix(), 10)
	s := v2Signed{method: method, contentType: h.Get("Content-Type"), date: exp, amzHeaders: h, resource: canonicalResourceV2(vhost, rawPath, params)}
	q := url.Values{}
	q.Set(v2ParamAccessKey, testAccessKey)
	q.Set(v2ParamExpires, exp)
	q.Set(v2ParamSignature, signV2(secret, s.stringToSign()))
	for k, v := range hoisted {
		q.Set(strings.ToLower(k), v)
	}
	if rawQuery != "" {
		return rawQuery + "&" + q.Encode()
	}
	return q.Encode()
}

// Source: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html
func TestSigV2Presigned(t *testing.T) {
	v := docVerifier(testTime)
	query := presignV2("GET", "", "/b/k", "response-content-type=text%2Fplain", testTime.Add(time.Hour), testSecret, nil)
	r := headerRequest("GET", "/b/k", query, nil)
	res, err := v.VerifyV2(r)
	if err != nil || res.AccessKey != testAccessKey {
		t.Fatalf("VerifyV2: %+v, %v", res, err)
	}

	t.Run("virtual host", func(t *testing.T) {
		r := headerRequest("GET", "/k", presignV2("GET", "vb", "/k", "", testTime.Add(time.Hour), testSecret, nil), nil)
		r.VirtualHostBucket = "vb"
		if _, err := v.VerifyV2(r); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("hoisted headers", func(t *testing.T) {
		q := presignV2("PUT", "", "/b/k", "", testTime.Add(time.Hour), testSecret, map[string]string{"Content-Type": "text/plain", "X-Amz-Meta-Owner": "me"})
		if _, err := v.VerifyV2(headerRequest("PUT", "/b/k", q, nil)); err != nil {
			t.Fatalf("hoisted headers only in the query: %v", err)
		}
		// The same headers sent for real take precedence over the query copy.
		if _, err := v.VerifyV2(headerRequest("PUT", "/b/k", q, map[string]string{"Content-Type": "text/plain"})); err != nil {
			t.Fatalf("Content-Type also sent as a header: %v", err)
		}
		_, err := v.VerifyV2(headerRequest("PUT", "/b/k", q, map[string]string{"Content-Type": "text/html"}))
		wantS3Err(t, err, s3err.SignatureDoesNotMatch, "")
	})
	t.Run("expired", func(t *testing.T) {
		expires := testTime.Add(-time.Second)
		_, err := v.VerifyV2(headerRequest("GET", "/b/k", presignV2("GET", "", "/b/k", "", expires, testSecret, nil), nil))
		wantS3Err(t, err, s3err.AccessDenied, "Request has expired")
		want := []s3err.Field{{Name: "Expires", Value: "2024-05-17T12:29:59Z"}, {Name: "ServerTime", Value: "2024-05-17T12:30:00Z"}}
		if d := s3err.As(err).Fields; len(d) != 2 || d[0] != want[0] || d[1] != want[1] {
			t.Errorf("details %+v, want %+v", d, want)
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		_, err := v.VerifyV2(headerRequest("GET", "/b/k", presignV2("GET", "", "/b/k", "", testTime.Add(time.Hour), "bad", nil), nil))
		wantS3Err(t, err, s3err.SignatureDoesNotMatch, "")
	})
	t.Run("tampered expiry", func(t *testing.T) {
		q := presignV2("GET", "", "/b/k", "", testTime.Add(time.Hour), testSecret, nil)
		exp := strconv.FormatInt(testTime.Add(time.Hour).Unix(), 10)
		later := strconv.FormatInt(testTime.Add(48*time.Hour).Unix(), 10)
		_, err := v.VerifyV2(headerRequest("GET", "/b/k", strings.Replace(q, exp, later, 1), nil))
		wantS3Err(t, err, s3err.SignatureDoesNotMatch, "")
	})
	t.Run("method", func(t *testing.T) {
		_, err := v.VerifyV2(headerRequest("DELETE", "/b/k", presignV2("GET", "", "/b/k", "", testTime.Add(time.Hour), testSecret, nil), nil))
		wantS3Err(t, err, s3err.SignatureDoesNotMatch, "")
	})
	t.Run("missing parameter", func(t *testing.T) {
		_, err := v.VerifyV2(headerRequest("GET", "/b/k", "AWSAccessKeyId="+testAccessKey+"&Signature=abc", nil))
		wantS3Err(t, err, s3err.AccessDenied, "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
	})
	t.Run("bad expires", func(t *testing.T) {
		_, err := v.VerifyV2(headerRequest("GET", "/b/k", "AWSAccessKeyId="+testAccessKey+"&Signature=abc&Expires=soon", nil))
		wantS3Err(t, err, s3err.AccessDenied, "Invalid date (should be seconds since epoch): soon")
	})
	t.Run("repeated parameter", func(t *testing.T) {
		_, err := v.VerifyV2(headerRequest("GET", "/b/k", query+"&Signature=abc", nil))
		wantS3Err(t, err, s3err.AccessDenied, "")
	})
}

func TestDetectScheme(t *testing.T) {
	cases := []struct {
		query, authz string
		want         Scheme
		err          bool
	}{
		{"", "", Anonymous, false},
		{"acl", "", Anonymous, false},
		{"", "AWS4-HMAC-SHA256 Credential=x", SigV4, false},
		{"", "AWS k:s", SigV2, false},
		{"", "Bearer x", SigV4, false}, // the V4 verifier names it
		{"AWSAccessKeyId=k&Expires=1&Signature=s", "", SigV2, false},
		{"X-Amz-Credential=x&X-Amz-Signature=y", "", SigV4, false},
		{"AWSAccessKeyId=k&Expires=1&Signature=s", "AWS k:s", Anonymous, true},
		{"Signature=s", "AWS4-HMAC-SHA256 Credential=x", Anonymous, true},
		{"Signature=s&X-Amz-Signature=y", "", Anonymous, true},
	}
	for _, tc := range cases {
		r := headerRequest("GET", "/", tc.query, nil)
		if tc.authz != "" {
			r.Header.Set("Authorization", tc.authz)
		}
		got, err := DetectScheme(r)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("DetectScheme(%q, %q) = %v, %v", tc.query, tc.authz, got, err)
		}
		if tc.err {
			wantS3Err(t, err, s3err.InvalidArgument, errDuplicateAuth.Message)
		}
		if IsAnonymous(r) != (tc.want == Anonymous && !tc.err) {
			t.Errorf("IsAnonymous(%q, %q) disagrees", tc.query, tc.authz)
		}
	}
}
