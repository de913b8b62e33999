package s3api

import (
	"bytes"
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// CopyObject between encryption modes (API_CopyObject): an SSE-C source is
// read with the x-amz-copy-source-server-side-encryption-customer-*
// headers (without them 400, with a wrong key 403), and the destination
// is encrypted as the request says (x-amz-server-side-encryption, SSE-C
// headers) or, failing that, as its bucket's default, whatever the source
// was. A copy onto itself that changes the encryption is legal ("...
// without changing the object's metadata, storage class, website redirect
// location or encryption attributes" is what makes one illegal).
func TestSSECopy(t *testing.T) {
	g, stop := startSSEGatewayIn(t, t.TempDir(), Config{MasterKeys: testKeyRing(t, "k1")})
	defer stop()
	g.mustCreateBucket(t, "sse-copy")
	c := g.client()
	ctx := context.Background()
	k := newTestCustomerKey(0x61)
	k2 := newTestCustomerKey(0x62)
	body := patterned(150 << 10)
	ssecPut(t, c, "sse-copy", "c-src", body, k)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sse-copy"), Key: aws.String("s3-src"), Body: bytes.NewReader(body), ServerSideEncryption: types.ServerSideEncryptionAes256}); err != nil {
		t.Fatal(err)
	}
	g.mustPut(t, "sse-copy", "plain-src", "plain")

	// SSE-C source -> SSE-S3 destination.
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copy"), Key: aws.String("c-to-s3"), CopySource: aws.String("sse-copy/c-src"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(k.b64), CopySourceSSECustomerKeyMD5: aws.String(k.md5b64),
		ServerSideEncryption: types.ServerSideEncryptionAes256})
	if err != nil || cp.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("SSE-C to SSE-S3 copy: %+v %v", cp, err)
	}
	if out, got := getBody(t, c, "sse-copy", "c-to-s3", ""); !bytes.Equal(got, body) || out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("SSE-S3 copy reads %d bytes, %q", len(got), out.ServerSideEncryption)
	}
	// SSE-S3 source -> SSE-C destination under another key.
	cp, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copy"), Key: aws.String("s3-to-c"), CopySource: aws.String("sse-copy/s3-src"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k2.b64), SSECustomerKeyMD5: aws.String(k2.md5b64)})
	if err != nil || aws.ToString(cp.SSECustomerKeyMD5) != k2.md5b64 {
		t.Fatalf("SSE-S3 to SSE-C copy: %+v %v", cp, err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sse-copy"), Key: aws.String("s3-to-c"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k2.b64), SSECustomerKeyMD5: aws.String(k2.md5b64)})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sse-copy"), Key: aws.String("s3-to-c")})
	expectAPIError(t, err, "InvalidRequest", 400)
	// SSE-S3 source, no encryption asked for: the copy is plaintext.
	cp, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copy"), Key: aws.String("s3-to-plain"), CopySource: aws.String("sse-copy/s3-src")})
	if err != nil || cp.ServerSideEncryption != "" {
		t.Fatalf("SSE-S3 to plain copy: %+v %v", cp, err)
	}
	if _, got := getBody(t, c, "sse-copy", "s3-to-plain", ""); !bytes.Equal(got, body) {
		t.Fatal("plain copy of an SSE-S3 object differs")
	}

	// The source key's errors.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copy"), Key: aws.String("x"), CopySource: aws.String("sse-copy/c-src")})
	expectAPIError(t, err, "InvalidRequest", 400)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copy"), Key: aws.String("x"), CopySource: aws.String("sse-copy/c-src"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(k2.b64), CopySourceSSECustomerKeyMD5: aws.String(k2.md5b64)})
	expectAPIError(t, err, "AccessDenied", 403)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copy"), Key: aws.String("x"), CopySource: aws.String("sse-copy/plain-src"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(k.b64), CopySourceSSECustomerKeyMD5: aws.String(k.md5b64)})
	expectAPIError(t, err, "InvalidRequest", 400)
	if g.objectExists(t, "sse-copy", "x") {
		t.Fatal("a refused copy stored its destination")
	}

	// Onto itself, changing SSE-C to SSE-S3 (metadata directive COPY).
	cp, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copy"), Key: aws.String("c-src"), CopySource: aws.String("sse-copy/c-src"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(k.b64), CopySourceSSECustomerKeyMD5: aws.String(k.md5b64),
		ServerSideEncryption: types.ServerSideEncryptionAes256})
	if err != nil || cp.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("copy onto itself changing the encryption: %+v %v", cp, err)
	}
	if _, got := getBody(t, c, "sse-copy", "c-src", ""); !bytes.Equal(got, body) {
		t.Fatal("the object re-encrypted in place differs")
	}

}
