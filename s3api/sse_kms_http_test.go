package s3api

import (
	"net/http"
	"testing"
)

// S3 refuses a request naming SSE-KMS over plain HTTP, before storing
// anything: InvalidArgument "Requests specifying Server Side Encryption
// with AWS KMS managed keys must be made over a secure connection." (AWS
// Knowledge Center, "s3-kms-signature-version-error": "For requests that
// specify AWS KMS managed keys, you must use SSL or TLS"; the same answer
// to a PutObject in aws/aws-sdk-js#2335). The ArgumentName/ArgumentValue
// elements follow S3's other refused headers; no recorded answer shows
// them. The same requests over HTTPS are served (e2e.TestSSEKMSClients),
// and a plain PUT into the bucket still is.
func TestSSEKMSOverHTTPRefused(t *testing.T) {
	g := startGateway(t, Config{KMS: testKMSRing(t, "k1")})
	g.mustCreateBucket(t, "kmshttp")
	g.mustPut(t, "kmshttp", "src", "source")
	const want = "Requests specifying Server Side Encryption with AWS KMS managed keys must be made over a secure connection."
	kmsHeaders := func(extra map[string]string) map[string]string {
		h := map[string]string{"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": "k1"}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	for _, tc := range []struct {
		name, method, path string
		headers            map[string]string
	}{
		{"PutObject", http.MethodPut, "/kmshttp/put", kmsHeaders(nil)},
		// The 100-continue screen cannot see the connection and leaves
		// the judgement to the handler (over HTTPS, e2e.TestSSEKMSClients
		// fails if the screen refuses).
		{"PutObject expecting 100 Continue", http.MethodPut, "/kmshttp/put", kmsHeaders(map[string]string{"Expect": "100-continue"})},
		{"PutObject without a key ID", http.MethodPut, "/kmshttp/put", map[string]string{"x-amz-server-side-encryption": "aws:kms"}},
		{"CopyObject", http.MethodPut, "/kmshttp/put", kmsHeaders(map[string]string{"x-amz-copy-source": "/kmshttp/src"})},
		{"CreateMultipartUpload", http.MethodPost, "/kmshttp/put?uploads", kmsHeaders(nil)},
	} {
		resp, e := sendWithHeaders(t, g, tc.method, tc.path, []byte("data"), tc.headers)
		if resp.StatusCode != http.StatusBadRequest || e.Code != "InvalidArgument" || e.Message != want {
			t.Errorf("%s over HTTP: %d %s %q; want 400 InvalidArgument %q", tc.name, resp.StatusCode, e.Code, e.Message, want)
		}
		if e.ArgumentName != "x-amz-server-side-encryption" || e.ArgumentValue != "aws:kms" {
			t.Errorf("%s over HTTP: ArgumentName %q ArgumentValue %q", tc.name, e.ArgumentName, e.ArgumentValue)
		}
	}
	if g.objectExists(t, "kmshttp", "put") {
		t.Fatal("a refused SSE-KMS request stored its object")
	}
	g.mustPut(t, "kmshttp", "plain", "no encryption asked for")
}
