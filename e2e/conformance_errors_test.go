package e2e

import (
	"net/http"
	"testing"
	"time"
)

// TestConformanceErrorElements: errors carry the extra elements S3 sends,
// checked on the wire of the real binary. Sources, S3's documents as
// recorded in public threads:
//   - InvalidAccessKeyId with AWSAccessKeyId: raster-foundry/raster-foundry#289
//     (<AWSAccessKeyId> after the message).
//   - MethodNotAllowed with Method and ResourceType: versity/versitygw#1487
//     (POST to the service: <Method>POST</Method><ResourceType>SERVICE</ResourceType>)
//     and danialfarid/ng-file-upload#404 (POST to an object: OBJECT).
//   - A missing bucket comes before a missing upload: NoSuchBucket, not
//     NoSuchUpload (terngate issue #13), with S3's message for it, "The
//     specified bucket does not exist" (no period), and the bucket named.
func TestConformanceErrorElements(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	ctx := testContext(t, time.Minute)
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-err"}), http.StatusOK, "create bucket")
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-err/k", bodyBytes: []byte("x")}), http.StatusOK, "PUT")

	t.Run("InvalidAccessKeyId", func(t *testing.T) {
		resp := g.do(t, ctx, rawRequest{method: "GET", rawPath: "/conf-err/k", accessKey: "AKIDNOSUCHKEY0000000", secretKey: "secret"})
		expectS3Error(t, resp, http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
			map[string]string{"AWSAccessKeyId": "AKIDNOSUCHKEY0000000"})
	})

	t.Run("MethodNotAllowed", func(t *testing.T) {
		const msg = "The specified method is not allowed against this resource."
		expectS3Error(t, g.do(t, ctx, rawRequest{method: "POST", rawPath: "/"}), http.StatusMethodNotAllowed, "MethodNotAllowed", msg,
			map[string]string{"Method": "POST", "ResourceType": "SERVICE"})
		expectS3Error(t, g.do(t, ctx, rawRequest{method: "PATCH", rawPath: "/conf-err/k"}), http.StatusMethodNotAllowed, "MethodNotAllowed", msg,
			map[string]string{"Method": "PATCH", "ResourceType": "OBJECT"})
	})

	t.Run("missing bucket before missing upload", func(t *testing.T) {
		for _, r := range []rawRequest{
			{method: "GET", rawPath: "/conf-nobucket/k", rawQuery: "uploadId=nosuchupload"},
			{method: "PUT", rawPath: "/conf-nobucket/k", rawQuery: "partNumber=1&uploadId=nosuchupload", bodyBytes: []byte("x")},
			{method: "POST", rawPath: "/conf-nobucket/k", rawQuery: "uploadId=nosuchupload", bodyBytes: []byte("<CompleteMultipartUpload></CompleteMultipartUpload>")},
			{method: "DELETE", rawPath: "/conf-nobucket/k", rawQuery: "uploadId=nosuchupload"},
		} {
			expectS3Error(t, g.do(t, ctx, r), http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist",
				map[string]string{"BucketName": "conf-nobucket"})
		}
	})
}
