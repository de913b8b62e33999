package auth

import (
	"net/http"
	"testing"
)

// BenchmarkVerifyHeader measures the SigV4 check of one header-signed
// request as the gateway sees a small GET from the SDK: parsing, the
// signing key, the canonical request and the HMAC.
func BenchmarkVerifyHeader(b *testing.B) {
	req := newHTTPRequest(b, http.MethodGet, "/bucket/some/object.txt", "")
	signHeader(b, req, emptySHA256, testTime, testSecret)
	sreq := toServerRequest(req, "/bucket/some/object.txt")
	v := newTestVerifier()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(sreq); err != nil {
			b.Fatal(err)
		}
	}
}
