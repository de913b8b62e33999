package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/terngate/terngate/sse"
)

// testKeyRing builds a master key ring of the given IDs (the first
// current), each key a byte pattern of its ID.
func testKeyRing(t testing.TB, ids ...string) *sse.KeyRing {
	t.Helper()
	var lines []string
	for _, id := range ids {
		key := bytes.Repeat([]byte{id[len(id)-1]}, sse.KeySize)
		lines = append(lines, id+" "+base64.StdEncoding.EncodeToString(key))
	}
	ring, err := sse.ParseKeyRing([]byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

func getBody(t *testing.T, c *s3.Client, bucket, key, rng string) (*s3.GetObjectOutput, []byte) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if rng != "" {
		in.Range = aws.String(rng)
	}
	out, err := c.GetObject(context.Background(), in)
	if err != nil {
		t.Fatalf("GET %s/%s %q: %v", bucket, key, rng, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("GET %s/%s body: %v", bucket, key, err)
	}
	return out, body
}

// SSE-S3 with aws-sdk-go-v2: x-amz-server-side-encryption: AES256 on PUT
// is answered with the same header on PUT, GET and HEAD; the ETag stays
// the MD5 of the data (API_Object, ETag: "Objects created by the PUT Object
// ... and are encrypted by SSE-S3 or plaintext, have ETags that are an MD5
// digest of their object data"); ranges decrypt; the stored bytes hold no
// plaintext. A GET sending the header is refused with 400 (API_GetObject:
// "Encryption request headers, like x-amz-server-side-encryption, should
// not be sent for the GetObject requests, if your object uses ... SSE-S3
// ... you'll get an HTTP 400 Bad Request error"), and so is SSE-C together
// with it (S3 User Guide, "Specifying server-side encryption with
// customer-provided keys").
func TestSSES3RoundTrip(t *testing.T) {
	dir := t.TempDir()
	g, stop := startSSEGatewayIn(t, dir, Config{MasterKeys: testKeyRing(t, "k1")})
	defer stop()
	g.mustCreateBucket(t, "sses3")
	c := g.client()
	ctx := context.Background()
	body := patterned(200 << 10)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sses3"), Key: aws.String("o"), Body: bytes.NewReader(body), ServerSideEncryption: types.ServerSideEncryptionAes256})
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(body)
	if put.ServerSideEncryption != types.ServerSideEncryptionAes256 || aws.ToString(put.ETag) != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Fatalf("PUT: encryption %q etag %s", put.ServerSideEncryption, aws.ToString(put.ETag))
	}
	out, got := getBody(t, c, "sses3", "o", "")
	if !bytes.Equal(got, body) || out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("GET: %d bytes, encryption %q", len(got), out.ServerSideEncryption)
	}
	if _, got := getBody(t, c, "sses3", "o", "bytes=70000-140000"); !bytes.Equal(got, body[70000:140001]) {
		t.Fatal("range GET differs")
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sses3"), Key: aws.String("o")})
	if err != nil || head.ServerSideEncryption != types.ServerSideEncryptionAes256 || aws.ToInt64(head.ContentLength) != int64(len(body)) {
		t.Fatalf("HEAD: %+v %v", head, err)
	}
	resp, e := sendWithHeaders(t, g, "GET", "/sses3/o", nil, map[string]string{"x-amz-server-side-encryption": "AES256"})
	if resp.StatusCode != 400 || e.Code != "InvalidArgument" {
		t.Fatalf("GET with x-amz-server-side-encryption: %d %s", resp.StatusCode, e.Code)
	}
	k := newTestCustomerKey(7)
	resp, e = sendWithHeaders(t, g, "PUT", "/sses3/both", []byte("x"), map[string]string{"x-amz-server-side-encryption": "AES256",
		"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": k.b64, "x-amz-server-side-encryption-customer-key-MD5": k.md5b64})
	if resp.StatusCode != 400 || e.Code != "InvalidArgument" || e.Message != "Server Side Encryption with Customer provided key is incompatible with the encryption method specified" {
		t.Fatalf("SSE-C with SSE-S3: %d %+v", resp.StatusCode, e)
	}
	// SSE-KMS is not implemented: refused, not stored in the clear.
	resp, e = sendWithHeaders(t, g, "PUT", "/sses3/kms", []byte("x"), map[string]string{"x-amz-server-side-encryption": "aws:kms"})
	if resp.StatusCode != http.StatusNotImplemented || e.Code != "NotImplemented" {
		t.Fatalf("SSE-KMS: %d %s", resp.StatusCode, e.Code)
	}
	control := []byte("CONTROL-PLAIN-")
	g.mustPut(t, "sses3", "control-small", string(markerBody(300, control)))
	g.mustPut(t, "sses3", "control-large", string(markerBody(1<<20, control)))
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sses3"), Key: aws.String("small"), Body: bytes.NewReader(patterned(100)), ServerSideEncryption: types.ServerSideEncryptionAes256}); err != nil {
		t.Fatal(err)
	}
	expectNoPlaintext(t, dir, plaintextMarker, control)

}

// Rotation without rewriting: objects keep the ID of the master key that
// sealed them, so a ring with a new current key still opens them, and new
// objects use the new key; a ring that lost an object's key fails the read
// with 500, never with its bytes. Source: AWS user guide, "Using server-side
// encryption with Amazon S3 managed keys (SSE-S3)" (the root key rotates).
func TestSSES3KeyRotation(t *testing.T) {
	dir := t.TempDir()
	g, stop := startSSEGatewayIn(t, dir, Config{MasterKeys: testKeyRing(t, "k1")})
	g.mustCreateBucket(t, "rot")
	put := func(g *gateway, key string) {
		t.Helper()
		if _, err := g.client().PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("rot"), Key: aws.String(key),
			Body: strings.NewReader("body of " + key), ServerSideEncryption: types.ServerSideEncryptionAes256}); err != nil {
			t.Fatal(err)
		}
	}
	put(g, "old")
	stop()

	g, stop = startSSEGatewayIn(t, dir, Config{MasterKeys: testKeyRing(t, "k2", "k1")})
	if _, got := getBody(t, g.client(), "rot", "old", ""); string(got) != "body of old" {
		t.Fatalf("old object after rotation: %q", got)
	}
	put(g, "new")
	info, err := g.layer.Stat(context.Background(), "rot", "new")
	if err != nil || info.Encryption == nil || info.Encryption.KeyID != "k2" {
		t.Fatalf("new object's key ID: %+v %v", info.Encryption, err)
	}
	stop()

	g, stop = startSSEGatewayIn(t, dir, Config{MasterKeys: testKeyRing(t, "k2")})
	defer stop()
	if _, got := getBody(t, g.client(), "rot", "new", ""); string(got) != "body of new" {
		t.Fatalf("new object: %q", got)
	}
	_, err = g.client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("rot"), Key: aws.String("old")})
	expectAPIError(t, err, "InternalError", 500)
}

// Bucket default encryption (API_PutBucketEncryption, API_GetBucketEncryption,
// API_DeleteBucketEncryption): GET without one is
// ServerSideEncryptionConfigurationNotFoundError (404, "The server side
// encryption configuration was not found"); with an SSE-S3 default, PUTs
// without encryption headers are encrypted and say so; writes that cannot
// be encrypted yet are refused; deleting it stops the encryption.
func TestBucketDefaultEncryption(t *testing.T) {
	dir := t.TempDir()
	g, stop := startSSEGatewayIn(t, dir, Config{MasterKeys: testKeyRing(t, "k1")})
	defer stop()
	g.mustCreateBucket(t, "defenc")
	c := g.client()
	ctx := context.Background()

	_, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("defenc")})
	expectAPIError(t, err, "ServerSideEncryptionConfigurationNotFoundError", 404)
	resp, e := sendWithHeaders(t, g, "GET", "/defenc?encryption", nil, nil)
	if resp.StatusCode != 404 || e.Message != "The server side encryption configuration was not found" {
		t.Fatalf("GET ?encryption: %d %+v", resp.StatusCode, e)
	}

	sseConfig := func(alg types.ServerSideEncryption, kmsKey string) *types.ServerSideEncryptionConfiguration {
		d := &types.ServerSideEncryptionByDefault{SSEAlgorithm: alg}
		if kmsKey != "" {
			d.KMSMasterKeyID = aws.String(kmsKey)
		}
		return &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: d}}}
	}
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("defenc"), ServerSideEncryptionConfiguration: sseConfig(types.ServerSideEncryptionAwsKms, "")})
	expectAPIError(t, err, "NotImplemented", 501)
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("defenc"), ServerSideEncryptionConfiguration: sseConfig("rot13", "")})
	expectAPIError(t, err, "MalformedXML", 400)
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("defenc"), ServerSideEncryptionConfiguration: sseConfig(types.ServerSideEncryptionAes256, "")})
	if err != nil {
		t.Fatalf("PutBucketEncryption: %v", err)
	}
	got, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("defenc")})
	if err != nil || len(got.ServerSideEncryptionConfiguration.Rules) != 1 ||
		got.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Fatalf("GetBucketEncryption: %+v %v", got, err)
	}

	body := patterned(100 << 10)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("defenc"), Key: aws.String("by-default"), Body: bytes.NewReader(body)})
	if err != nil || put.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("PUT under default encryption: %+v %v", put, err)
	}
	if out, got := getBody(t, c, "defenc", "by-default", ""); !bytes.Equal(got, body) || out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("GET under default encryption: %d bytes, %q", len(got), out.ServerSideEncryption)
	}
	// An explicit SSE-C key wins over the default.
	k := newTestCustomerKey(9)
	if out := ssecPut(t, c, "defenc", "customer", []byte("c"), k); out.ServerSideEncryption != "" {
		t.Fatalf("SSE-C PUT reports %q", out.ServerSideEncryption)
	}
	g.mustCreateBucket(t, "plainsrc")
	g.mustPut(t, "plainsrc", "src", "copy me")
	// A copy into it is encrypted by the default too.
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("defenc"), Key: aws.String("copy"), CopySource: aws.String("plainsrc/src")})
	if err != nil || cp.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("CopyObject into a default-encrypted bucket: %+v %v", cp, err)
	}
	if info, err := g.layer.Stat(ctx, "defenc", "copy"); err != nil || info.Encryption == nil {
		t.Fatalf("the copy is not stored encrypted: %+v %v", info.Encryption, err)
	}

	control := []byte("CONTROL-PLAIN-")
	g.mustPut(t, "plainsrc", "control-small", string(markerBody(300, control)))
	g.mustPut(t, "plainsrc", "control-large", string(markerBody(1<<20, control)))
	expectNoPlaintext(t, dir, plaintextMarker, control)

	if _, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("defenc")}); err != nil {
		t.Fatalf("DeleteBucketEncryption: %v", err)
	}
	_, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("defenc")})
	expectAPIError(t, err, "ServerSideEncryptionConfigurationNotFoundError", 404)
	put, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("defenc"), Key: aws.String("after"), Body: strings.NewReader("plain")})
	if err != nil || put.ServerSideEncryption != "" {
		t.Fatalf("PUT after DeleteBucketEncryption: %+v %v", put, err)
	}
}

// Without a master key ring SSE-S3 cannot be honoured: a bucket default is
// refused as not implemented rather than stored and ignored (a default is
// SSE-S3: "Using server-side encryption with Amazon S3 managed keys (SSE-S3)").
func TestBucketEncryptionNeedsMasterKey(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "nokey")
	_, err := g.client().PutBucketEncryption(context.Background(), &s3.PutBucketEncryptionInput{Bucket: aws.String("nokey"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}})
	expectAPIError(t, err, "NotImplemented", 501)
}

// BlockedEncryptionTypes (API_BlockedEncryptionTypes: NONE or SSE-C)
// blocks SSE-C writes on a bucket. terngate does not enforce a block, so
// blocking SSE-C is refused NotImplemented and nothing is stored (it was
// accepted and ignored, leaving SSE-C writes open); NONE, which blocks
// nothing, is taken.
func TestBucketEncryptionBlockedTypes(t *testing.T) {
	dir := t.TempDir()
	g, stop := startSSEGatewayIn(t, dir, Config{MasterKeys: testKeyRing(t, "k1")})
	defer stop()
	g.mustCreateBucket(t, "blocked")
	c := g.client()
	ctx := context.Background()
	rule := func(blocked types.EncryptionType) *types.ServerSideEncryptionConfiguration {
		return &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256},
			BlockedEncryptionTypes:             &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{blocked}},
		}}}
	}
	_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("blocked"), ServerSideEncryptionConfiguration: rule(types.EncryptionTypeSseC)})
	expectAPIError(t, err, "NotImplemented", 501)
	_, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("blocked")})
	expectAPIError(t, err, "ServerSideEncryptionConfigurationNotFoundError", 404)

	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("blocked"), ServerSideEncryptionConfiguration: rule("ROT13")})
	expectAPIError(t, err, "MalformedXML", 400)

	if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("blocked"), ServerSideEncryptionConfiguration: rule(types.EncryptionTypeNone)}); err != nil {
		t.Fatalf("blocking NONE: %v", err)
	}
}
