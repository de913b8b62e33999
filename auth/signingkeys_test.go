package auth

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/terngate/terngate/s3err"
)

// A rotated secret must take effect at once: the cached key of the old
// secret may not verify a request, and the new secret's must.
func TestSigningKeyCacheFollowsSecretRotation(t *testing.T) {
	creds := staticCreds{testAccessKey: testSecret}
	v := &Verifier{Region: testRegion, Credentials: creds, Now: newTestVerifier().Now}
	signed := func(secret string) *Request {
		req := newHTTPRequest(t, http.MethodGet, "/bucket/key", "")
		signHeader(t, req, emptySHA256, testTime, secret)
		return toServerRequest(req, "/bucket/key")
	}
	if _, err := v.Verify(signed(testSecret)); err != nil {
		t.Fatalf("first secret: %v", err)
	}
	const rotated = "rotated-secret-0123456789abcdefghijklmn"
	creds[testAccessKey] = rotated
	_, err := v.Verify(signed(testSecret))
	wantS3Err(t, err, s3err.SignatureDoesNotMatch, "")
	if _, err := v.Verify(signed(rotated)); err != nil {
		t.Fatalf("rotated secret: %v", err)
	}
}

func TestSigningKeyCacheMatchesDerivation(t *testing.T) {
	var c signingKeys
	for i := range maxCachedSigningKeys + 10 {
		secret := fmt.Sprintf("secret-%d", i%(maxCachedSigningKeys+5))
		got := c.get(secret, "20240517", testRegion, serviceS3)
		if want := deriveSigningKey(secret, "20240517", testRegion, serviceS3); !bytes.Equal(got, want) {
			t.Fatalf("key %d differs from its derivation", i)
		}
	}
	if n := len(c.keys); n > maxCachedSigningKeys {
		t.Errorf("cache holds %d keys, bound is %d", n, maxCachedSigningKeys)
	}
}
