package s3api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
)

// A bucket configuration's body is covered by the request's signature like
// any other: a body that does not match the signed x-amz-content-sha256 is
// XAmzContentSHA256Mismatch and nothing is stored (AWS SigV4 docs,
// sig-v4-header-based-auth: "x-amz-content-sha256 ... provides a hash of the
// request payload"; S3 answers a mismatch with XAmzContentSHA256Mismatch,
// as in TestWrongPayloadHashStoresNothing).
func TestConfigurationBodiesAreVerifiedAgainstTheSignedHash(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "conf")
	docs := map[string]string{
		"cors":              `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`,
		"publicAccessBlock": `<PublicAccessBlockConfiguration><BlockPublicPolicy>true</BlockPublicPolicy></PublicAccessBlockConfiguration>`,
		"ownershipControls": `<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>`,
	}
	for sub, doc := range docs {
		req, _ := http.NewRequest(http.MethodPut, g.endpoint+"/conf?"+sub, strings.NewReader(doc))
		other := sha256.Sum256([]byte("a different document"))
		signRequest(t, req, hex.EncodeToString(other[:]), testAccessKey, testSecretKey)
		resp, body := do(t, req)
		checkErrorXML(t, resp, body, 400, "XAmzContentSHA256Mismatch")
	}
	// Nothing was stored: the CORS configuration and the public access
	// block are still missing.
	for sub, code := range map[string]string{"cors": "NoSuchCORSConfiguration", "publicAccessBlock": "NoSuchPublicAccessBlockConfiguration"} {
		resp, body := do(t, g.signedRequest(t, http.MethodGet, "/conf?"+sub, nil, testSecretKey))
		checkErrorXML(t, resp, body, 404, code)
	}
}

// The lifecycle configuration too (it once read its body without the
// payload verifier, so a body other than the signed one was stored).
func TestLifecycleBodyIsVerifiedAgainstTheSignedHash(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	g.mustCreateBucket(t, "lcconf")
	doc := `<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status>` +
		`<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>`
	req, _ := http.NewRequest(http.MethodPut, g.endpoint+"/lcconf?lifecycle", strings.NewReader(doc))
	other := sha256.Sum256([]byte("a different document"))
	signRequest(t, req, hex.EncodeToString(other[:]), testAccessKey, testSecretKey)
	resp, body := do(t, req)
	checkErrorXML(t, resp, body, 400, "XAmzContentSHA256Mismatch")
	resp, body = do(t, g.signedRequest(t, http.MethodGet, "/lcconf?lifecycle", nil, testSecretKey))
	checkErrorXML(t, resp, body, 404, "NoSuchLifecycleConfiguration")
}
