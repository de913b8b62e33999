package s3api

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/terngate/terngate/sse"
)

// Browser-form uploads choose their encryption with the form fields
// RESTObjectPOST lists (x-amz-server-side-encryption and the three SSE-C
// fields), held to PutObject's rules for the same headers: SSE-S3 and
// SSE-C are stored encrypted and the response says so; SSE-KMS is not
// implemented (501), an unknown method is InvalidArgument, and SSE-C with
// a method is refused as on PutObject; nothing is stored for a refusal.
func TestSSEPostObjectFields(t *testing.T) {
	g, _ := startSSEMPGateway(t)
	g.mustCreateBucket(t, "ssepost")
	ctx := context.Background()
	k := newTestCustomerKey(0x3e)
	body := patterned(100 << 10)
	post := func(key string, extra ...formField) (*http.Response, wireError) {
		t.Helper()
		conditions := []any{map[string]string{"bucket": "ssepost"}, map[string]string{"key": key}}
		for _, f := range extra {
			conditions = append(conditions, map[string]string{f.name: f.value})
		}
		fields := signedPolicy(t, time.Now().Add(time.Hour), conditions, append([]formField{{"key", key}}, extra...)...)
		resp, raw := sendPostForm(t, g.endpoint, "ssepost", fields, "f", body)
		var e wireError
		if resp.StatusCode >= 300 {
			if err := xml.Unmarshal([]byte(raw), &e); err != nil {
				t.Fatalf("POST %s: error body %q: %v", key, raw, err)
			}
		}
		return resp, e
	}
	ssecFields := []formField{{"x-amz-server-side-encryption-customer-algorithm", "AES256"},
		{"x-amz-server-side-encryption-customer-key", k.b64}, {"x-amz-server-side-encryption-customer-key-MD5", k.md5b64}}

	resp, e := post("s3", formField{"x-amz-server-side-encryption", "AES256"})
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("x-amz-server-side-encryption") != "AES256" {
		t.Fatalf("POST with SSE-S3: %d %+v %v", resp.StatusCode, e, resp.Header)
	}
	if info, err := g.layer.Stat(ctx, "ssepost", "s3"); err != nil || info.Encryption == nil || info.Encryption.Mode != sse.ModeS3 {
		t.Fatalf("the SSE-S3 form upload is not stored so: %+v %v", info.Encryption, err)
	}
	if _, got := getBody(t, g.client(), "ssepost", "s3", ""); !bytes.Equal(got, body) {
		t.Fatal("the SSE-S3 form upload does not read back")
	}

	resp, e = post("c", ssecFields...)
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("x-amz-server-side-encryption-customer-key-MD5") != k.md5b64 {
		t.Fatalf("POST with SSE-C: %d %+v %v", resp.StatusCode, e, resp.Header)
	}
	if info, err := g.layer.Stat(ctx, "ssepost", "c"); err != nil || info.Encryption == nil || info.Encryption.Mode != sse.ModeCustomer {
		t.Fatalf("the SSE-C form upload is not stored so: %+v %v", info.Encryption, err)
	}
	_, err := g.client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssepost"), Key: aws.String("c")})
	expectAPIError(t, err, "InvalidRequest", 400)
	out, err := g.client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssepost"), Key: aws.String("c"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.b64), SSECustomerKeyMD5: aws.String(k.md5b64)})
	if err != nil {
		t.Fatalf("GET of the SSE-C form upload: %v", err)
	}
	got := new(bytes.Buffer)
	_, _ = got.ReadFrom(out.Body)
	out.Body.Close()
	if !bytes.Equal(got.Bytes(), body) {
		t.Fatal("the SSE-C form upload does not read back")
	}

	refusals := []struct {
		name   string
		fields []formField
		status int
		code   string
	}{
		{"SSE-KMS", []formField{{"x-amz-server-side-encryption", "aws:kms"}}, 501, "NotImplemented"},
		{"unknown method", []formField{{"x-amz-server-side-encryption", "rot13"}}, 400, "InvalidArgument"},
		{"SSE-C with a method", append([]formField{{"x-amz-server-side-encryption", "AES256"}}, ssecFields...), 400, "InvalidArgument"},
		{"SSE-C without its key MD5", ssecFields[:2], 400, "InvalidArgument"},
	}
	for _, tc := range refusals {
		resp, e := post("refused", tc.fields...)
		if resp.StatusCode != tc.status || e.Code != tc.code {
			t.Errorf("%s: %d %+v, want %d %s", tc.name, resp.StatusCode, e, tc.status, tc.code)
		}
	}
	if g.objectExists(t, "ssepost", "refused") {
		t.Fatal("a refused form upload stored its object")
	}
}

// SSE-C form fields over plain HTTP are refused as the headers are
// (TestSSECRefusedOverHTTP): InvalidArgument naming the key field, its
// value not echoed, nothing stored.
func TestSSEPostObjectSSECOverHTTP(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "ssepost-http")
	k := newTestCustomerKey(0x3f)
	ssecFields := []formField{{"x-amz-server-side-encryption-customer-algorithm", "AES256"},
		{"x-amz-server-side-encryption-customer-key", k.b64}, {"x-amz-server-side-encryption-customer-key-MD5", k.md5b64}}
	conditions := []any{map[string]string{"bucket": "ssepost-http"}, map[string]string{"key": "c"}}
	for _, f := range ssecFields {
		conditions = append(conditions, map[string]string{f.name: f.value})
	}
	fields := signedPolicy(t, time.Now().Add(time.Hour), conditions, append([]formField{{"key", "c"}}, ssecFields...)...)
	resp, raw := sendPostForm(t, g.endpoint, "ssepost-http", fields, "f", []byte("secret"))
	var e wireError
	if err := xml.Unmarshal([]byte(raw), &e); err != nil {
		t.Fatalf("error body %q: %v", raw, err)
	}
	if resp.StatusCode != http.StatusBadRequest || e.Code != "InvalidArgument" || e.Message != msgSSECOverHTTP ||
		e.ArgumentName != "x-amz-server-side-encryption-customer-key" || e.ArgumentValue != "" {
		t.Fatalf("POST with SSE-C over HTTP: %d %+v", resp.StatusCode, e)
	}
	if g.objectExists(t, "ssepost-http", "c") {
		t.Fatal("the refused form upload was stored")
	}
}
