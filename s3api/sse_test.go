package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/terngate/terngate/auth"
	"github.com/terngate/terngate/store/local"
	"github.com/terngate/terngate/store/objects"
)

// startSSEGateway serves the API over a local store in a new directory,
// accepting SSE-C over plain HTTP (the loopback setting), so tests can read
// the stored bytes.
func startSSEGateway(t *testing.T) (*gateway, string) {
	t.Helper()
	dir := t.TempDir()
	g, stop := startSSEGatewayIn(t, dir, Config{})
	t.Cleanup(stop)
	return g, dir
}

// startSSEGatewayIn serves the API over the local store in dir with cfg
// (and SSE-C and SSE-KMS over plain HTTP) until stop is called.
func startSSEGatewayIn(t testing.TB, dir string, cfg Config) (*gateway, func()) {
	t.Helper()
	st, err := local.Open(dir, local.Options{})
	if err != nil {
		t.Fatalf("opening local store: %v", err)
	}
	layer, err := objects.New(context.Background(), st, st.Root(), objects.Options{})
	if err != nil {
		t.Fatalf("creating object layer: %v", err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.AllowSSECOverHTTP = true
	cfg.AllowSSEKMSOverHTTP = true
	app := New(layer, &auth.Verifier{Region: testRegion, Credentials: staticCredentials{testAccessKey: testSecretKey}}, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	stop := func() {
		_ = app.ShutdownWithTimeout(5 * time.Second)
		_ = st.Close()
	}
	addr := ln.Addr().String()
	return &gateway{addr: addr, endpoint: "http://" + addr, region: testRegion, layer: layer}, stop
}

// testCustomerKey is an SSE-C key and the headers' forms of it.
type testCustomerKey struct {
	raw    []byte
	b64    string
	md5b64 string
}

func newTestCustomerKey(fill byte) testCustomerKey {
	raw := bytes.Repeat([]byte{fill}, 32)
	sum := md5.Sum(raw)
	return testCustomerKey{raw: raw, b64: base64.StdEncoding.EncodeToString(raw), md5b64: base64.StdEncoding.EncodeToString(sum[:])}
}

// plaintextMarker fills the bodies of the tests: no ciphertext holds it.
var plaintextMarker = []byte("TERNGATE-PLAINTEXT-MARKER-")

// patterned is a body of n bytes of plaintextMarker repeated.
func patterned(n int) []byte {
	return markerBody(n, plaintextMarker)
}

func markerBody(n int, marker []byte) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = marker[i%len(marker)]
	}
	return out
}

func ssecPut(t *testing.T, c *s3.Client, bucket, key string, body []byte, k testCustomerKey) *s3.PutObjectOutput {
	t.Helper()
	out, err := c.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.b64), SSECustomerKeyMD5: aws.String(k.md5b64),
	})
	if err != nil {
		t.Fatalf("PutObject SSE-C %s: %v", key, err)
	}
	return out
}

// SSE-C round trip with aws-sdk-go-v2: the response headers echo the
// algorithm and key MD5 on PUT, GET and HEAD; the ETag is not the MD5 of
// the body; sizes are the plaintext's; ranges across DARE package
// boundaries come back exact. Source: "Using server-side encryption with
// customer-provided keys (SSE-C)", Amazon S3 User Guide ("the ETag in the
// response is not the MD5 of the object data"; the key MD5 is returned for
// the client to verify), and API_GetObject / API_HeadObject
// (x-amz-server-side-encryption-customer-algorithm and -key-MD5 response
// headers).
func TestSSECRoundTrip(t *testing.T) {
	g, _ := startSSEGateway(t)
	g.mustCreateBucket(t, "ssec")
	c := g.client()
	ctx := context.Background()
	k := newTestCustomerKey(0x42)

	for _, size := range []int{0, 1, 100, 64 << 10, 64<<10 + 1, 300 << 10, 2<<20 + 12345} {
		key := fmt.Sprintf("obj-%d", size)
		body := patterned(size)
		put := ssecPut(t, c, "ssec", key, body, k)
		if aws.ToString(put.SSECustomerAlgorithm) != "AES256" || aws.ToString(put.SSECustomerKeyMD5) != k.md5b64 {
			t.Fatalf("%s: PUT SSE-C headers %q %q", key, aws.ToString(put.SSECustomerAlgorithm), aws.ToString(put.SSECustomerKeyMD5))
		}
		sum := md5.Sum(body)
		if etag := aws.ToString(put.ETag); etag == `"`+hex.EncodeToString(sum[:])+`"` || len(etag) != 34 {
			t.Fatalf("%s: ETag %s: want 32 hex digits that are not the body's MD5", key, etag)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String(key),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.b64), SSECustomerKeyMD5: aws.String(k.md5b64)})
		if err != nil {
			t.Fatalf("%s: HEAD: %v", key, err)
		}
		if aws.ToInt64(head.ContentLength) != int64(size) || aws.ToString(head.ETag) != aws.ToString(put.ETag) || aws.ToString(head.SSECustomerKeyMD5) != k.md5b64 {
			t.Fatalf("%s: HEAD length %d etag %s md5 %s", key, aws.ToInt64(head.ContentLength), aws.ToString(head.ETag), aws.ToString(head.SSECustomerKeyMD5))
		}
		ranges := []string{""}
		if size > 0 {
			ranges = append(ranges, "bytes=0-0", fmt.Sprintf("bytes=%d-", size-1), fmt.Sprintf("bytes=-%d", min(size, 70000)))
		}
		if size > 64<<10 {
			ranges = append(ranges, "bytes=65535-65536", fmt.Sprintf("bytes=1000-%d", size-1000), "bytes=65536-131071")
		}
		for _, rng := range ranges {
			in := &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String(key),
				SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.b64), SSECustomerKeyMD5: aws.String(k.md5b64)}
			want := body
			if rng != "" {
				in.Range = aws.String(rng)
				want = sliceRange(t, body, rng)
			}
			out, err := c.GetObject(ctx, in)
			if err != nil {
				t.Fatalf("%s %q: GET: %v", key, rng, err)
			}
			got, err := io.ReadAll(out.Body)
			out.Body.Close()
			if err != nil {
				t.Fatalf("%s %q: reading body: %v", key, rng, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s %q: got %d bytes, want %d (contents differ)", key, rng, len(got), len(want))
			}
			if aws.ToString(out.SSECustomerAlgorithm) != "AES256" || aws.ToString(out.SSECustomerKeyMD5) != k.md5b64 {
				t.Fatalf("%s %q: GET SSE-C headers %q %q", key, rng, aws.ToString(out.SSECustomerAlgorithm), aws.ToString(out.SSECustomerKeyMD5))
			}
		}
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("ssec"), Prefix: aws.String(fmt.Sprintf("obj-%d", 300<<10))})
	if err != nil || len(list.Contents) != 1 || aws.ToInt64(list.Contents[0].Size) != 300<<10 {
		t.Fatalf("listing reports the plaintext size: %+v, %v", list, err)
	}
}

// sliceRange applies a single-range Range header to body.
func sliceRange(t *testing.T, body []byte, rng string) []byte {
	t.Helper()
	var a, b int
	switch {
	case len(rng) > 7 && rng[6] == '-':
		if _, err := fmt.Sscanf(rng, "bytes=-%d", &b); err != nil {
			t.Fatal(err)
		}
		return body[len(body)-b:]
	default:
		if n, _ := fmt.Sscanf(rng, "bytes=%d-%d", &a, &b); n == 2 {
			return body[a:min(b+1, len(body))]
		}
		return body[a:]
	}
}

// The errors AWS gives for SSE-C reads and malformed SSE-C headers.
// Sources: "Using server-side encryption with customer-provided keys
// (SSE-C)", Amazon S3 User Guide: a GET without the key of an SSE-C object
// fails, and "If you provide a different key, Amazon S3 returns HTTP 403";
// the ErrorResponses list (InvalidEncryptionAlgorithmError, 400); the
// InvalidArgument and InvalidRequest texts are those S3 sends (also in
// MinIO's and Ceph RGW's S3 error tables, which mirror them).
func TestSSECErrors(t *testing.T) {
	g, _ := startSSEGateway(t)
	g.mustCreateBucket(t, "ssecerr")
	c := g.client()
	ctx := context.Background()
	k := newTestCustomerKey(0x11)
	other := newTestCustomerKey(0x22)
	ssecPut(t, c, "ssecerr", "secret", []byte("top secret"), k)
	g.mustPut(t, "ssecerr", "plain", "plain body")

	get := func(key string, ck *testCustomerKey) error {
		in := &s3.GetObjectInput{Bucket: aws.String("ssecerr"), Key: aws.String(key)}
		if ck != nil {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(ck.b64), aws.String(ck.md5b64)
		}
		out, err := c.GetObject(ctx, in)
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	expectMessage := func(err error, code string, status int, msg string) {
		t.Helper()
		expectAPIError(t, err, code, status)
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorMessage() != msg {
			t.Fatalf("%s: message %q, want %q", code, ae.ErrorMessage(), msg)
		}
	}
	expectMessage(get("secret", nil), "InvalidRequest", 400, "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	expectMessage(get("secret", &other), "AccessDenied", 403, "Access Denied")
	expectMessage(get("plain", &k), "InvalidRequest", 400, "The encryption parameters are not applicable to this object.")
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssecerr"), Key: aws.String("secret")}); err == nil {
		t.Fatal("HEAD of an SSE-C object without its key succeeded")
	} else {
		expectAPIError(t, err, "BadRequest", 400) // HEAD errors have no body
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssecerr"), Key: aws.String("secret"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(other.b64), SSECustomerKeyMD5: aws.String(other.md5b64)}); err == nil {
		t.Fatal("HEAD of an SSE-C object with a wrong key succeeded")
	} else {
		expectAPIError(t, err, "Forbidden", 403)
	}

	put := func(headers map[string]string) wireError {
		t.Helper()
		resp, e := sendWithHeaders(t, g, "PUT", "/ssecerr/bad", []byte("data"), headers)
		if resp.StatusCode < 300 {
			t.Fatalf("PUT with %v: status %d", headers, resp.StatusCode)
		}
		if bytes.Contains([]byte(e.Message+e.ArgumentValue), []byte(k.b64)) {
			t.Fatalf("error echoes the key: %+v", e)
		}
		return e
	}
	badMD5 := base64.StdEncoding.EncodeToString(make([]byte, 16))
	cases := []struct {
		name    string
		headers map[string]string
		code    string
		message string
	}{
		{"bad algorithm", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES128", "x-amz-server-side-encryption-customer-key": k.b64, "x-amz-server-side-encryption-customer-key-MD5": k.md5b64},
			"InvalidEncryptionAlgorithmError", "The encryption request that you specified is not valid. The valid value is AES256."},
		{"no algorithm", map[string]string{"x-amz-server-side-encryption-customer-key": k.b64, "x-amz-server-side-encryption-customer-key-MD5": k.md5b64},
			"InvalidArgument", msgSSECNoAlgorithm},
		{"no key", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key-MD5": k.md5b64},
			"InvalidArgument", msgSSECNoKey},
		{"no key MD5", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": k.b64},
			"InvalidArgument", msgSSECNoKeyMD5},
		{"short key", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": base64.StdEncoding.EncodeToString(make([]byte, 16)), "x-amz-server-side-encryption-customer-key-MD5": k.md5b64},
			"InvalidArgument", msgSSECBadKey},
		{"MD5 mismatch", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": k.b64, "x-amz-server-side-encryption-customer-key-MD5": badMD5},
			"InvalidArgument", msgSSECKeyMD5},
	}
	for _, tc := range cases {
		e := put(tc.headers)
		if e.Code != tc.code || e.Message != tc.message {
			t.Errorf("%s: got %s %q, want %s %q", tc.name, e.Code, e.Message, tc.code, tc.message)
		}
	}
	if g.objectExists(t, "ssecerr", "bad") {
		t.Fatal("a refused SSE-C PUT stored the object")
	}

	// Copying an encrypted object: its stored bytes must never be copied
	// as the object.
	_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("ssecerr"), Key: aws.String("copy"), CopySource: aws.String("ssecerr/secret")})
	expectAPIError(t, err, "InvalidRequest", 400)
	if g.objectExists(t, "ssecerr", "copy") {
		t.Fatal("a refused copy of an SSE-C object stored the copy")
	}
}

// Without the loopback setting, SSE-C over plain HTTP is refused before
// anything else ("Amazon S3 rejects any requests made over HTTP when using
// SSE-C", Using server-side encryption with customer-provided keys), and
// the error names the header but does not echo the key. AWS documents no
// error code for it. S3 answers the same sentence about SSE-KMS
// ("Requests specifying Server Side Encryption with AWS KMS managed keys
// must be made over a secure connection.") with InvalidArgument, 400
// (aws/aws-sdk-js issue #2335), and an S3 service answers this SSE-C
// sentence with InvalidArgument, 400 (velero-io/velero issue #7837).
// MinIO (ErrInsecureSSECustomerRequest) says InvalidRequest, as does Ceph
// RGW, which however answers SSE-KMS over HTTP the same way, where S3
// demonstrably answers InvalidArgument.
func TestSSECRefusedOverHTTP(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "ssechttp")
	k := newTestCustomerKey(0x33)
	for _, h := range []string{"x-amz-server-side-encryption-customer-key", "x-amz-server-side-encryption-customer-algorithm"} {
		resp, e := sendWithHeaders(t, g, "PUT", "/ssechttp/k", []byte("data"), map[string]string{h: k.b64})
		if resp.StatusCode != 400 || e.Code != "InvalidArgument" || e.Message != msgSSECOverHTTP || e.ArgumentName != h || e.ArgumentValue != "" {
			t.Fatalf("%s over HTTP: %d %+v", h, resp.StatusCode, e)
		}
	}
}

// No plaintext at rest: a marker pattern written with SSE-C, small (inline
// in the local store's metadata database) and large (a data file), is
// nowhere in the store's files. Source: AWS user guide, "Protecting data with server-side encryption"
// (data is encrypted as it is written to disk).
func TestSSECStoresNoPlaintext(t *testing.T) {
	g, dir := startSSEGateway(t)
	g.mustCreateBucket(t, "ssecdisk")
	c := g.client()
	k := newTestCustomerKey(0x5a)
	ssecPut(t, c, "ssecdisk", "small", patterned(300), k)
	ssecPut(t, c, "ssecdisk", "large", patterned(1<<20), k)
	// A control stored plainly, small and large, under another marker: the
	// search finds it, so the search itself works.
	control := []byte("CONTROL-PLAIN-")
	g.mustPut(t, "ssecdisk", "control-small", string(markerBody(300, control)))
	g.mustPut(t, "ssecdisk", "control-large", string(markerBody(1<<20, control)))
	expectNoPlaintext(t, dir, plaintextMarker, control)
}

// expectNoPlaintext fails if any file under dir holds marker, or none holds
// control.
func expectNoPlaintext(t *testing.T, dir string, marker, control []byte) {
	t.Helper()
	controls := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, marker) {
			t.Errorf("%s holds the encrypted objects' plaintext", path)
		}
		controls += bytes.Count(b, control)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if controls < 2 {
		t.Fatalf("the plaintext control is found %d times: the search is broken", controls)
	}
}
