package auth

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzParseV2Authorization checks the V2 header parser never panics and
// that what it accepts is exactly "AWS <key>:<signature>" with no spaces.
// Source: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html
func FuzzParseV2Authorization(f *testing.F) {
	f.Add("AWS AKIAIOSFODNN7EXAMPLE:qgk2+6Sv9/oM7G3qLEjTH1a1l1g=")
	f.Add("AWS key:sig:extra")
	f.Add("AWS4-HMAC-SHA256 Credential=AK/20240517/us-east-1/s3/aws4_request")
	f.Add("AWS :")
	f.Fuzz(func(t *testing.T, header string) {
		key, sig, err := parseV2Authorization(header)
		if err != nil {
			return
		}
		if key == "" || sig == "" || strings.Contains(key, ":") || strings.ContainsAny(key+sig, " \t") {
			t.Fatalf("parsed %q into key %q signature %q", header, key, sig)
		}
		if "AWS "+key+":"+sig != header {
			t.Fatalf("parsed %q into key %q signature %q, which do not rebuild it", header, key, sig)
		}
	})
}

// FuzzVerifyV2 feeds arbitrary query strings and Authorization headers to
// the V2 verifier: it must never panic, and must accept a request only when
// its signature is the one the verifier computes for the known key.
// Source: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html
func FuzzVerifyV2(f *testing.F) {
	f.Add("/b/k", presignV2("GET", "", "/b/k", "acl", testTime.Add(time.Hour), testSecret, nil), "")
	f.Add("/b/k", "AWSAccessKeyId=AKIDEXAMPLE&Expires=99999999999&Signature=%zz", "")
	f.Add("/b", "uploads=&Expires=-1&AWSAccessKeyId=&Signature=", "")
	f.Add("/", "", "AWS AKIDEXAMPLE:bm90IGEgc2lnbmF0dXJl")
	f.Fuzz(func(t *testing.T, rawPath, rawQuery, authz string) {
		h := http.Header{"Date": {testTime.Format(http.TimeFormat)}}
		if authz != "" {
			h.Set("Authorization", authz)
		}
		r := &Request{Method: "GET", Host: testHost, RawPath: rawPath, RawQuery: rawQuery, Header: h}
		res, err := docVerifier(testTime).VerifyV2(r)
		if err != nil {
			return
		}
		if res.AccessKey != testAccessKey && res.AccessKey != docAccessKey {
			t.Fatalf("accepted an unknown key %q", res.AccessKey)
		}
		if res.PayloadHash == "" {
			t.Fatal("accepted without a payload mode")
		}
	})
}
