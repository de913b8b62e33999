package s3api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// wireError is the error document as a client parses it.
type wireError struct {
	Code          string
	Message       string
	Header        string
	ArgumentName  string
	ArgumentValue string
}

// sendWithHeaders signs and sends a request carrying extra headers.
func sendWithHeaders(t *testing.T, g *gateway, method, path string, body []byte, headers map[string]string) (*http.Response, wireError) {
	t.Helper()
	req, err := http.NewRequest(method, g.endpoint+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256(body)
	signRequest(t, req, hex.EncodeToString(sum[:]), testAccessKey, testSecretKey)
	resp, raw := do(t, req)
	var e wireError
	if resp.StatusCode >= 300 {
		if err := xml.Unmarshal(raw, &e); err != nil {
			t.Fatalf("%s %s: error body %q: %v", method, path, raw, err)
		}
	}
	return resp, e
}

// Headers terngate does not honour are refused, never ignored, with the
// error AWS gives, and before anything is stored. Sources:
//   - Error responses (docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html):
//     NotImplemented, 501, "A header you provided implies functionality
//     that is not implemented"; AWS names the header in a <Header> element.
//   - PutObject / CopyObject / CreateMultipartUpload / CreateBucket API
//     references for the header names and values (SSE, SSE-C, Object Lock,
//     tagging, website redirect, storage class, write offset, object
//     ownership).
//   - "Using server-side encryption with customer-provided keys (SSE-C)":
//     "Amazon S3 rejects any requests made over HTTP when using SSE-C";
//     InvalidArgument, S3's code for the same sentence about SSE-KMS
//     (aws/aws-sdk-js issue #2335; see TestSSECRefusedOverHTTP).
//   - Object Lock headers on a bucket without an Object Lock configuration:
//     InvalidRequest "Bucket is missing ObjectLockConfiguration", the AWS
//     wording versitygw's integration tests pin (versity/versitygw#1755,
//     PutObject_missing_bucket_lock).
func TestUnsupportedHeadersRefused(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	g.mustCreateBucket(t, "uhb")
	g.mustPut(t, "uhb", "src", "source")
	cases := []struct {
		name      string
		method    string
		path      string
		headers   map[string]string
		code      string
		status    int
		header    string // the <Header> element, for NotImplemented
		unchanged string // object key (in uh) that must not exist afterwards
	}{
		{"SSE-S3", "PUT", "/uhb/k1", map[string]string{"x-amz-server-side-encryption": "AES256"}, "NotImplemented", 501, "x-amz-server-side-encryption", "k1"},
		{"SSE-KMS", "PUT", "/uhb/k1", map[string]string{"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/x"}, "NotImplemented", 501, "x-amz-server-side-encryption", "k1"},
		{"KMS key alone", "PUT", "/uhb/k1", map[string]string{"x-amz-server-side-encryption-aws-kms-key-id": "k"}, "NotImplemented", 501, "x-amz-server-side-encryption-aws-kms-key-id", "k1"},
		{"bucket key", "PUT", "/uhb/k1", map[string]string{"x-amz-server-side-encryption-bucket-key-enabled": "true"}, "NotImplemented", 501, "x-amz-server-side-encryption-bucket-key-enabled", "k1"},
		{"unknown SSE", "PUT", "/uhb/k1", map[string]string{"x-amz-server-side-encryption": "rot13"}, "InvalidArgument", 400, "", "k1"},
		{"SSE-C over HTTP", "PUT", "/uhb/k1", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256"}, "InvalidArgument", 400, "", "k1"},
		{"copy-source SSE-C", "PUT", "/uhb/k1", map[string]string{"x-amz-copy-source": "/uhb/src", "x-amz-copy-source-server-side-encryption-customer-algorithm": "AES256"}, "InvalidArgument", 400, "", "k1"},
		{"lock mode", "PUT", "/uhb/k1", map[string]string{"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": "2030-01-01T00:00:00Z"}, "InvalidRequest", 400, "", "k1"},
		{"legal hold", "PUT", "/uhb/k1", map[string]string{"x-amz-object-lock-legal-hold": "ON"}, "InvalidRequest", 400, "", "k1"},
		{"website redirect", "PUT", "/uhb/k1", map[string]string{"x-amz-website-redirect-location": "/other"}, "NotImplemented", 501, "x-amz-website-redirect-location", "k1"},
		{"unknown storage class", "PUT", "/uhb/k1", map[string]string{"x-amz-storage-class": "COLD"}, "InvalidStorageClass", 400, "", "k1"},
		{"directory bucket class", "PUT", "/uhb/k1", map[string]string{"x-amz-storage-class": "EXPRESS_ONEZONE"}, "InvalidStorageClass", 400, "", "k1"},
		{"append", "PUT", "/uhb/k1", map[string]string{"x-amz-write-offset-bytes": "0"}, "NotImplemented", 501, "x-amz-write-offset-bytes", "k1"},
		{"grant", "PUT", "/uhb/k1", map[string]string{"x-amz-grant-read": `uri="http://acs.amazonaws.com/groups/global/AllUsers"`}, "AccessControlListNotSupported", 400, "", "k1"},
		{"copy tagging directive unknown", "PUT", "/uhb/k1", map[string]string{"x-amz-copy-source": "/uhb/src", "x-amz-tagging-directive": "MERGE"}, "InvalidArgument", 400, "", "k1"},
		{"multipart SSE", "POST", "/uhb/k1?uploads", map[string]string{"x-amz-server-side-encryption": "AES256"}, "NotImplemented", 501, "x-amz-server-side-encryption", "k1"},
		{"bypass governance on a read", "GET", "/uhb/src", map[string]string{"x-amz-bypass-governance-retention": "true"}, "NotImplemented", 501, "x-amz-bypass-governance-retention", ""},
		{"lock mode on a part", "PUT", "/uhb/k1?partNumber=1&uploadId=x", map[string]string{"x-amz-object-lock-mode": "GOVERNANCE"}, "NotImplemented", 501, "x-amz-object-lock-mode", "k1"},
		{"MFA delete", "DELETE", "/uhb/src", map[string]string{"x-amz-mfa": "123456 654321"}, "NotImplemented", 501, "x-amz-mfa", ""},
		{"bucket ObjectWriter", "PUT", "/uh-own", map[string]string{"x-amz-object-ownership": "ObjectWriter"}, "NotImplemented", 501, "x-amz-object-ownership", ""},
		{"object retention without lock", "PUT", "/uhb/src?retention", nil, "InvalidRequest", 400, "", ""},
		// Only the default behaviour for small objects' transitions is
		// taken (API_PutBucketLifecycleConfiguration).
		{"transitions of small objects", "PUT", "/uhb?lifecycle", map[string]string{"x-amz-transition-default-minimum-object-size": "varies_by_storage_class"}, "NotImplemented", 501, "x-amz-transition-default-minimum-object-size", ""},
		{"abort if initiated", "DELETE", "/uhb/k1?uploadId=x", map[string]string{"x-amz-if-match-initiated-time": "Wed, 01 Jan 2025 00:00:00 GMT"}, "NotImplemented", 501, "x-amz-if-match-initiated-time", ""},
		{"restore status in a listing", "GET", "/uhb?list-type=2", map[string]string{"x-amz-optional-object-attributes": "RestoreStatus"}, "NotImplemented", 501, "x-amz-optional-object-attributes", ""},
		// Bucket subresources of operations terngate lacks are refused,
		// never served as a listing or a CreateBucket: API_GetBucketAbac,
		// API_PutBucketAbac ("PUT /?abac"),
		// API_UpdateBucketMetadataInventoryTableConfiguration and
		// API_UpdateBucketMetadataJournalTableConfiguration
		// ("PUT /?metadataJournalTable").
		{"GetBucketAbac", "GET", "/uhb?abac", nil, "NotImplemented", 501, "", ""},
		{"PutBucketAbac", "PUT", "/uhb?abac", nil, "NotImplemented", 501, "", ""},
		{"metadata inventory table", "PUT", "/uhb?metadataInventoryTable", nil, "NotImplemented", 501, "", ""},
		{"metadata journal table", "PUT", "/uhb?metadataJournalTable", nil, "NotImplemented", 501, "", ""},
	}
	for _, tc := range cases {
		resp, e := sendWithHeaders(t, g.gateway, tc.method, tc.path, []byte("data"), tc.headers)
		if resp.StatusCode != tc.status || e.Code != tc.code || e.Header != tc.header {
			t.Errorf("%s: %d %s header %q (%s), want %d %s header %q", tc.name, resp.StatusCode, e.Code, e.Header, e.Message, tc.status, tc.code, tc.header)
		}
		if tc.code == "NotImplemented" && tc.header != "" && e.Message != "A header you provided implies functionality that is not implemented" {
			t.Errorf("%s: message %q", tc.name, e.Message)
		}
		if tc.unchanged != "" && g.objectExists(t, "uhb", tc.unchanged) {
			t.Fatalf("%s: the refused request stored %s", tc.name, tc.unchanged)
		}
	}
	if !g.objectExists(t, "uhb", "src") {
		t.Fatal("a refused delete removed the object")
	}
	for _, b := range []string{"uh-own"} {
		if _, err := g.layer.HeadBucket(context.Background(), b); err == nil {
			t.Errorf("a refused CreateBucket created %s", b)
		}
	}
}

// Values that ask for nothing beyond what terngate does keep working: the
// defaults real clients may send.
func TestUnsupportedHeadersNeutralValuesAccepted(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "nvb")
	g.mustPut(t, "nvb", "src", "source")
	cases := []struct {
		name    string
		method  string
		path    string
		headers map[string]string
	}{
		{"STANDARD", "PUT", "/nvb/a", map[string]string{"x-amz-storage-class": "STANDARD"}},
		{"private ACL", "PUT", "/nvb/b", map[string]string{"x-amz-acl": "private"}},
		{"request payer", "PUT", "/nvb/c", map[string]string{"x-amz-request-payer": "requester"}},
		{"tagging COPY", "PUT", "/nvb/d", map[string]string{"x-amz-copy-source": "/nvb/src", "x-amz-tagging-directive": "COPY"}},
		{"no object lock", "PUT", "/nv-nolock", map[string]string{"x-amz-bucket-object-lock-enabled": "false"}},
		{"owner enforced", "PUT", "/nv-enforced", map[string]string{"x-amz-object-ownership": "BucketOwnerEnforced"}},
	}
	for _, tc := range cases {
		body := []byte("data")
		if tc.headers["x-amz-copy-source"] != "" || !strings.Contains(tc.path[1:], "/") {
			body = nil
		}
		resp, e := sendWithHeaders(t, g, tc.method, tc.path, body, tc.headers)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %s %s", tc.name, resp.StatusCode, e.Code, e.Message)
		}
	}
}

// A real client sees the refusal as an API error: aws-sdk-go-v2's
// ServerSideEncryption and WebsiteRedirectLocation fields.
func TestUnsupportedHeadersSDK(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "sdk")
	c := g.client()
	ctx := context.Background()
	_, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("sdk"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	})
	expectAPIError(t, err, "NotImplemented", http.StatusNotImplemented)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("sdk"), Key: aws.String("k"), Body: strings.NewReader("x"), WebsiteRedirectLocation: aws.String("/a"),
	})
	expectAPIError(t, err, "NotImplemented", http.StatusNotImplemented)
	if g.objectExists(t, "sdk", "k") {
		t.Fatal("a refused PutObject stored the object")
	}
}

// carriesUnsupportedHeader lower-cases header names into a 64-byte buffer
// and passes over longer ones, so every listed name must fit in it.
func TestUnsupportedHeaderNamesFitTheScan(t *testing.T) {
	for name := range unsupportedHeaderNames {
		if len(name) > 64 {
			t.Errorf("%s is %d bytes, longer than carriesUnsupportedHeader scans", name, len(name))
		}
	}
}

// A CreateBucketConfiguration describing a directory bucket (its Location
// or Bucket element, "only supported by directory buckets":
// API_CreateBucketConfiguration) is refused, not ignored into a general
// purpose bucket, and creates nothing.
func TestDirectoryBucketConfigurationRefused(t *testing.T) {
	g := startGateway(t, Config{})
	for name, doc := range map[string]string{
		"location": `<CreateBucketConfiguration><Location><Name>usw2-az1</Name><Type>AvailabilityZone</Type></Location></CreateBucketConfiguration>`,
		"bucket":   `<CreateBucketConfiguration><Bucket><DataRedundancy>SingleAvailabilityZone</DataRedundancy><Type>Directory</Type></Bucket></CreateBucketConfiguration>`,
	} {
		bucket := "dir-" + name
		resp, e := sendWithHeaders(t, g, "PUT", "/"+bucket, []byte(doc), nil)
		if resp.StatusCode != http.StatusNotImplemented || e.Code != "NotImplemented" {
			t.Errorf("%s: %d %s %s", name, resp.StatusCode, e.Code, e.Message)
		}
		if _, err := g.layer.HeadBucket(context.Background(), bucket); err == nil {
			t.Errorf("%s: the refused CreateBucket created %s", name, bucket)
		}
	}
}
