package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/terngate/terngate/auth"
	"github.com/terngate/terngate/checksum"
	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
	"github.com/terngate/terngate/store/objects"
)

// sseMPMinPart is the smallest part the multipart SSE tests' gateway takes:
// small enough for quick tests, and not a multiple of the format's 64 KiB
// packages, so parts end mid-package.
const sseMPMinPart = 100 << 10

// startSSEMPGateway serves the API over a local store in a new directory
// with multipart uploads, a master key ring and SSE-C over plain HTTP, and
// returns the store's directory so tests can read the stored bytes.
func startSSEMPGateway(t *testing.T) (*gateway, string) {
	t.Helper()
	return startSSEMPGatewayWith(t, nil)
}

// startSSEMPGatewayWith is startSSEMPGateway with more configuration
// (a KMS, for SSE-KMS uploads).
func startSSEMPGatewayWith(t *testing.T, configure func(*Config)) (*gateway, string) {
	t.Helper()
	return startWrappedMPGateway(t, nil, configure)
}

// startWrappedMPGateway is startSSEMPGateway with the multipart manager's view of
// the store wrapped (to slow it down, say) and more configuration.
func startWrappedMPGateway(t *testing.T, wrapStore func(store.Store) store.Store, configure func(*Config)) (*gateway, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := local.Open(dir, local.Options{})
	if err != nil {
		t.Fatalf("opening local store: %v", err)
	}
	layer, err := objects.New(context.Background(), st, st.Root(), objects.Options{})
	if err != nil {
		t.Fatalf("creating object layer: %v", err)
	}
	tracker, err := multipart.OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var mst store.Store = st
	if wrapStore != nil {
		mst = wrapStore(st)
	}
	m := multipart.NewManager(mst, layer, tracker, multipart.Options{MinPartSize: sseMPMinPart})
	verifier := &auth.Verifier{Region: testRegion, Credentials: staticCredentials{testAccessKey: testSecretKey}}
	config := Config{
		Multipart: m, MasterKeys: testKeyRing(t, "k1"), AllowSSECOverHTTP: true, AllowSSEKMSOverHTTP: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if configure != nil {
		configure(&config)
	}
	app := New(layer, verifier, config)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() {
		_ = app.ShutdownWithTimeout(5 * time.Second)
		_ = tracker.Close()
		_ = st.Close()
	})
	addr := ln.Addr().String()
	return &gateway{addr: addr, endpoint: "http://" + addr, region: testRegion, layer: layer}, dir
}

// numberedBody is n bytes of plaintextMarker followed by a counter, over
// and over: every offset holds different bytes, so a range read from the
// wrong place cannot pass for the right one.
func numberedBody(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%s%07d|", plaintextMarker, i)
	}
	return b.Bytes()[:n]
}

// sseMPMode is one way of encrypting a multipart upload, as the SDK sends
// it.
type sseMPMode struct {
	name string
	// ssec is the customer key, for SSE-C; else the upload is SSE-S3.
	ssec *testCustomerKey
}

func (m sseMPMode) create(in *s3.CreateMultipartUploadInput) {
	if m.ssec == nil {
		in.ServerSideEncryption = types.ServerSideEncryptionAes256
		return
	}
	in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.ssec.b64), aws.String(m.ssec.md5b64)
}

func (m sseMPMode) part(in *s3.UploadPartInput) {
	if m.ssec != nil {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.ssec.b64), aws.String(m.ssec.md5b64)
	}
}

func (m sseMPMode) get(in *s3.GetObjectInput) {
	if m.ssec != nil {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.ssec.b64), aws.String(m.ssec.md5b64)
	}
}

// checkHeaders checks the encryption a response reports: the algorithm,
// and for SSE-C the key's MD5 (API_UploadPart, API_CreateMultipartUpload,
// API_GetObject list these response headers).
func (m sseMPMode) checkHeaders(t *testing.T, what string, sseAlg types.ServerSideEncryption, customerAlg, customerMD5 *string) {
	t.Helper()
	if m.ssec == nil {
		if sseAlg != types.ServerSideEncryptionAes256 || customerAlg != nil {
			t.Fatalf("%s: x-amz-server-side-encryption %q, customer algorithm %v", what, sseAlg, aws.ToString(customerAlg))
		}
		return
	}
	if aws.ToString(customerAlg) != "AES256" || aws.ToString(customerMD5) != m.ssec.md5b64 || sseAlg != "" {
		t.Fatalf("%s: customer algorithm %q key MD5 %q, x-amz-server-side-encryption %q", what, aws.ToString(customerAlg), aws.ToString(customerMD5), sseAlg)
	}
}

// Multipart uploads with SSE-S3 and SSE-C through aws-sdk-go-v2: every
// response names the encryption (API_UploadPart, API_CreateMultipartUpload
// list the headers); parts are checked against their
// plaintext CRC32 (COMPOSITE) and Content-MD5; ListParts, HEAD and
// Content-Length give plaintext sizes; GET of the whole object, of a range
// across part boundaries and of ?partNumber=2 return the plaintext; a part
// uploaded again under its number replaces the first. ETags: SSE-S3 keeps
// the MD5 of each part and the MD5-of-MD5s-N of the object (API_Object,
// ETag: "Objects encrypted by SSE-S3 ... have ETags that are an MD5
// digest of their object data"; multipart: "the ETag is not an MD5
// digest" of the object but S3's part-MD5 digest); SSE-C's are not MD5s
// of the data ("encrypted by SSE-C or SSE-KMS, have ETags that are not an
// MD5 digest"). A CopyObject of the result decrypts it. No file of the
// store holds the plaintext (Protecting data with server-side encryption).
func TestSSEMultipartRoundTrip(t *testing.T) {
	g, dir := startSSEMPGateway(t)
	g.mustCreateBucket(t, "ssemp")
	c := g.client()
	ctx := context.Background()
	k := newTestCustomerKey(0x6c)
	sizes := []int{150000, 150001, 70001}
	var body []byte
	for _, n := range sizes {
		body = append(body, numberedBody(len(body) + n)[len(body):]...)
	}
	for _, mode := range []sseMPMode{{name: "sse-s3"}, {name: "sse-c", ssec: &k}} {
		t.Run(mode.name, func(t *testing.T) {
			key := "obj-" + mode.name
			cin := &s3.CreateMultipartUploadInput{Bucket: aws.String("ssemp"), Key: aws.String(key), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}
			mode.create(cin)
			created, err := c.CreateMultipartUpload(ctx, cin)
			if err != nil {
				t.Fatalf("CreateMultipartUpload: %v", err)
			}
			mode.checkHeaders(t, "CreateMultipartUpload", created.ServerSideEncryption, created.SSECustomerAlgorithm, created.SSECustomerKeyMD5)
			upload := func(number int32, data []byte) *s3.UploadPartOutput {
				t.Helper()
				sum := md5.Sum(data)
				in := &s3.UploadPartInput{Bucket: aws.String("ssemp"), Key: aws.String(key), UploadId: created.UploadId, PartNumber: aws.Int32(number),
					Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, ContentMD5: aws.String(b64(sum[:]))}
				mode.part(in)
				out, err := c.UploadPart(ctx, in)
				if err != nil {
					t.Fatalf("UploadPart %d: %v", number, err)
				}
				mode.checkHeaders(t, fmt.Sprintf("UploadPart %d", number), out.ServerSideEncryption, out.SSECustomerAlgorithm, out.SSECustomerKeyMD5)
				isMD5 := aws.ToString(out.ETag) == `"`+hex.EncodeToString(sum[:])+`"`
				if isMD5 != (mode.ssec == nil) {
					t.Fatalf("UploadPart %d: ETag %s (MD5 %x)", number, aws.ToString(out.ETag), sum)
				}
				return out
			}
			upload(2, numberedBody(sizes[1] + 9)[9:]) // replaced below
			var completed []types.CompletedPart
			var partMD5s []byte
			off := 0
			for i, n := range sizes {
				data := body[off : off+n]
				off += n
				out := upload(int32(i+1), data)
				sum := md5.Sum(data)
				partMD5s = append(partMD5s, sum[:]...)
				completed = append(completed, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
			}
			parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("ssemp"), Key: aws.String(key), UploadId: created.UploadId})
			if err != nil || len(parts.Parts) != len(sizes) {
				t.Fatalf("ListParts: %+v %v", parts, err)
			}
			for i, p := range parts.Parts {
				if aws.ToInt64(p.Size) != int64(sizes[i]) {
					t.Fatalf("ListParts: part %d is %d bytes, want the plaintext's %d", i+1, aws.ToInt64(p.Size), sizes[i])
				}
			}
			done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("ssemp"), Key: aws.String(key),
				UploadId: created.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: completed}})
			if err != nil {
				t.Fatalf("CompleteMultipartUpload: %v", err)
			}
			ofMD5s := md5.Sum(partMD5s)
			s3ETag := fmt.Sprintf(`"%x-%d"`, ofMD5s, len(sizes))
			etag := aws.ToString(done.ETag)
			if (etag == s3ETag) != (mode.ssec == nil) || !strings.HasSuffix(etag, fmt.Sprintf("-%d\"", len(sizes))) {
				t.Fatalf("Complete: ETag %s (the parts' MD5 digest is %s)", etag, s3ETag)
			}
			if mode.ssec == nil && done.ServerSideEncryption != types.ServerSideEncryptionAes256 {
				t.Fatalf("Complete: x-amz-server-side-encryption %q", done.ServerSideEncryption)
			}

			read := func(rng string, part int32) (*s3.GetObjectOutput, []byte) {
				t.Helper()
				in := &s3.GetObjectInput{Bucket: aws.String("ssemp"), Key: aws.String(key)}
				if rng != "" {
					in.Range = aws.String(rng)
				}
				if part > 0 {
					in.PartNumber = aws.Int32(part)
				}
				mode.get(in)
				out, err := c.GetObject(ctx, in)
				if err != nil {
					t.Fatalf("GET %q part %d: %v", rng, part, err)
				}
				defer out.Body.Close()
				got, err := io.ReadAll(out.Body)
				if err != nil {
					t.Fatalf("GET %q part %d: body: %v", rng, part, err)
				}
				mode.checkHeaders(t, "GET", out.ServerSideEncryption, out.SSECustomerAlgorithm, out.SSECustomerKeyMD5)
				return out, got
			}
			if out, got := read("", 0); !bytes.Equal(got, body) || aws.ToString(out.ETag) != etag {
				t.Fatalf("GET: %d bytes (equal %v), ETag %s", len(got), bytes.Equal(got, body), aws.ToString(out.ETag))
			}
			if _, got := read("bytes=149990-300010", 0); !bytes.Equal(got, body[149990:300011]) {
				t.Fatalf("GET of a range across parts: %d bytes, not the plaintext", len(got))
			}
			if _, got := read("bytes=-5", 0); !bytes.Equal(got, body[len(body)-5:]) {
				t.Fatalf("GET of the last bytes: %q", got)
			}
			if out, got := read("", 2); !bytes.Equal(got, body[sizes[0]:sizes[0]+sizes[1]]) || aws.ToInt32(out.PartsCount) != 3 {
				t.Fatalf("GET ?partNumber=2: %d bytes, parts count %d", len(got), aws.ToInt32(out.PartsCount))
			}
			hin := &s3.HeadObjectInput{Bucket: aws.String("ssemp"), Key: aws.String(key)}
			if mode.ssec != nil {
				hin.SSECustomerAlgorithm, hin.SSECustomerKey, hin.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(k.b64), aws.String(k.md5b64)
			}
			head, err := c.HeadObject(ctx, hin)
			if err != nil || aws.ToInt64(head.ContentLength) != int64(len(body)) {
				t.Fatalf("HEAD: %+v %v", head, err)
			}

			// A copy of the multipart object decrypts it part by part (and is
			// encrypted itself, as it asks).
			cp := &s3.CopyObjectInput{Bucket: aws.String("ssemp"), Key: aws.String(key + "-copy"), CopySource: aws.String("ssemp/" + key), ServerSideEncryption: types.ServerSideEncryptionAes256}
			if mode.ssec != nil {
				cp.CopySourceSSECustomerAlgorithm, cp.CopySourceSSECustomerKey, cp.CopySourceSSECustomerKeyMD5 = aws.String("AES256"), aws.String(k.b64), aws.String(k.md5b64)
			}
			if _, err := c.CopyObject(ctx, cp); err != nil {
				t.Fatalf("CopyObject of the multipart object: %v", err)
			}
			if _, got := getBody(t, c, "ssemp", key+"-copy", ""); !bytes.Equal(got, body) {
				t.Fatalf("the copy holds %d bytes that are not the plaintext", len(got))
			}
		})
	}
	// Without its key, an SSE-C multipart object is not read.
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssemp"), Key: aws.String("obj-sse-c")})
	expectAPIError(t, err, "InvalidRequest", 400)

	control := []byte("CONTROL-PLAIN-")
	g.mustCreateBucket(t, "control")
	g.mustPut(t, "control", "small", string(markerBody(300, control)))
	g.mustPut(t, "control", "large", string(markerBody(1<<20, control)))
	expectNoPlaintext(t, dir, plaintextMarker, control)
}

// The SSE-C key of a multipart upload on every part: a part without it, or
// one with a key for an upload created without one, is AWS's InvalidRequest
// "The multipart upload initiate requested encryption. Subsequent part
// requests must include the appropriate encryption parameters." (quoted
// from S3 in aws/aws-sdk-ruby#1084 and aws/aws-sdk-go#1095); a part with
// another key is InvalidRequest "The provided encryption parameters did
// not match the ones used originally."; nothing is stored for them. SSE-KMS
// on a gateway without a KMS is refused, never stored in the clear.
func TestSSEMultipartKeyErrors(t *testing.T) {
	g, _ := startSSEMPGateway(t)
	g.mustCreateBucket(t, "ssemperr")
	k, other := newTestCustomerKey(0x21), newTestCustomerKey(0x22)
	ssecHeaders := func(k testCustomerKey) map[string]string {
		return map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256",
			"x-amz-server-side-encryption-customer-key": k.b64, "x-amz-server-side-encryption-customer-key-MD5": k.md5b64}
	}
	create := func(key string, headers map[string]string) string {
		t.Helper()
		resp, raw := sendWithHeadersBody(t, g, "POST", "/ssemperr/"+key+"?uploads", nil, headers)
		if resp.StatusCode != 200 {
			t.Fatalf("CreateMultipartUpload %s: %d %s", key, resp.StatusCode, raw)
		}
		var res initiateResult
		if err := decodeXML(raw, &res); err != nil {
			t.Fatal(err)
		}
		return res.UploadID
	}
	part := func(key, id string, headers map[string]string) (*http.Response, wireError) {
		return sendWithHeaders(t, g, "PUT", "/ssemperr/"+key+"?partNumber=1&uploadId="+id, []byte("part"), headers)
	}
	const needed = "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters."
	const mismatch = "The provided encryption parameters did not match the ones used originally."
	cid := create("c", ssecHeaders(k))
	sid := create("s", map[string]string{"x-amz-server-side-encryption": "AES256"})
	pid := create("p", nil)
	cases := []struct {
		name, key, id string
		headers       map[string]string
		message       string
	}{
		{"SSE-C upload, part without the key", "c", cid, nil, needed},
		{"SSE-C upload, part with another key", "c", cid, ssecHeaders(other), mismatch},
		{"SSE-S3 upload, part with an SSE-C key", "s", sid, ssecHeaders(k), mismatch},
		{"plain upload, part with an SSE-C key", "p", pid, ssecHeaders(k), needed},
	}
	for _, tc := range cases {
		resp, e := part(tc.key, tc.id, tc.headers)
		if resp.StatusCode != 400 || e.Code != "InvalidRequest" || e.Message != tc.message {
			t.Errorf("%s: %d %s %q", tc.name, resp.StatusCode, e.Code, e.Message)
		}
	}
	parts, err := g.client().ListParts(context.Background(), &s3.ListPartsInput{Bucket: aws.String("ssemperr"), Key: aws.String("c"), UploadId: aws.String(cid)})
	if err != nil || len(parts.Parts) != 0 {
		t.Fatalf("refused parts were stored: %+v %v", parts, err)
	}
	if resp, _ := part("c", cid, ssecHeaders(k)); resp.StatusCode != 200 || resp.Header.Get("x-amz-server-side-encryption-customer-key-MD5") != k.md5b64 {
		t.Fatalf("part with the upload's key: %d %v", resp.StatusCode, resp.Header)
	}
	// The body's own verdict passes through the encryption: a part of an
	// SSE-S3 upload whose checksum is wrong is BadDigest, not stored.
	if resp, e := part("s", sid, map[string]string{"x-amz-checksum-crc32": "AAAAAA=="}); resp.StatusCode != 400 || e.Code != "BadDigest" {
		t.Errorf("encrypted part with a wrong checksum: %d %+v", resp.StatusCode, e)
	}
	// A Complete naming another key is refused too.
	resp, e := sendWithHeaders(t, g, "POST", "/ssemperr/c?uploadId="+cid,
		[]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>`), ssecHeaders(other))
	if resp.StatusCode != 400 || e.Message != mismatch {
		t.Fatalf("Complete with another key: %d %+v", resp.StatusCode, e)
	}
	if resp, e := sendWithHeaders(t, g, "POST", "/ssemperr/kms?uploads", nil, map[string]string{"x-amz-server-side-encryption": "aws:kms"}); resp.StatusCode != http.StatusNotImplemented || e.Code != "NotImplemented" {
		t.Fatalf("CreateMultipartUpload with aws:kms: %d %+v", resp.StatusCode, e)
	}
}

// sendWithHeadersBody is sendWithHeaders returning the raw body.
func sendWithHeadersBody(t *testing.T, g *gateway, method, path string, body []byte, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, g.endpoint+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	signRequest(t, req, sha256Hex(body), testAccessKey, testSecretKey)
	return do(t, req)
}

// UploadPartCopy from encrypted sources (API_UploadPartCopy: an SSE-C
// source needs the x-amz-copy-source-server-side-encryption-customer-*
// headers): an SSE-C source without them is InvalidRequest, with them its
// plaintext becomes a part of an SSE-S3 upload; an SSE-S3 source is copied
// into a plain upload as its plaintext. A bucket with default encryption
// encrypts multipart uploads that ask for nothing, and browser-form
// uploads (API_PutBucketEncryption: the default applies to every object
// stored without its own encryption).
func TestSSEMultipartCopyAndDefault(t *testing.T) {
	g, dir := startSSEMPGateway(t)
	g.mustCreateBucket(t, "ssempcp")
	c := g.client()
	ctx := context.Background()
	k := newTestCustomerKey(0x44)
	src := numberedBody(sseMPMinPart + 5000)
	ssecPut(t, c, "ssempcp", "src-c", src, k)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssempcp"), Key: aws.String("src-s3"), Body: bytes.NewReader(src), ServerSideEncryption: types.ServerSideEncryptionAes256}); err != nil {
		t.Fatal(err)
	}

	created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ssempcp"), Key: aws.String("dst"), ServerSideEncryption: types.ServerSideEncryptionAes256})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("ssempcp"), Key: aws.String("dst"), UploadId: created.UploadId, PartNumber: aws.Int32(1), CopySource: aws.String("ssempcp/src-c")})
	expectAPIError(t, err, "InvalidRequest", 400)
	copied, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("ssempcp"), Key: aws.String("dst"), UploadId: created.UploadId, PartNumber: aws.Int32(1), CopySource: aws.String("ssempcp/src-c"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(k.b64), CopySourceSSECustomerKeyMD5: aws.String(k.md5b64)})
	if err != nil || copied.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("UploadPartCopy of an SSE-C source: %+v %v", copied, err)
	}
	copied2, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("ssempcp"), Key: aws.String("dst"), UploadId: created.UploadId, PartNumber: aws.Int32(2), CopySource: aws.String("ssempcp/src-s3"), CopySourceRange: aws.String("bytes=10-99")})
	if err != nil {
		t.Fatalf("UploadPartCopy of a range of an SSE-S3 source: %v", err)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("ssempcp"), Key: aws.String("dst"), UploadId: created.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: copied.CopyPartResult.ETag}, {PartNumber: aws.Int32(2), ETag: copied2.CopyPartResult.ETag}}}})
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	want := append(append([]byte{}, src...), src[10:100]...)
	if out, got := getBody(t, c, "ssempcp", "dst", ""); !bytes.Equal(got, want) || out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("GET of the copied parts: %d bytes (equal %v), %q", len(got), bytes.Equal(got, want), out.ServerSideEncryption)
	}

	// Into a plain upload, an encrypted source's plaintext.
	plain, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ssempcp"), Key: aws.String("plain")})
	if err != nil || plain.ServerSideEncryption != "" {
		t.Fatalf("plain CreateMultipartUpload: %+v %v", plain, err)
	}
	pc, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("ssempcp"), Key: aws.String("plain"), UploadId: plain.UploadId, PartNumber: aws.Int32(1), CopySource: aws.String("ssempcp/src-s3")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("ssempcp"), Key: aws.String("plain"), UploadId: plain.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: pc.CopyPartResult.ETag}}}}); err != nil {
		t.Fatal(err)
	}
	if info, err := g.layer.Stat(ctx, "ssempcp", "plain"); err != nil || info.Encryption != nil {
		t.Fatalf("the plain upload is stored encrypted: %+v %v", info.Encryption, err)
	}
	if _, got := getBody(t, c, "ssempcp", "plain", ""); !bytes.Equal(got, src) {
		t.Fatal("the plain copy is not the source's plaintext")
	}

	// Bucket default encryption: multipart and browser-form uploads.
	g.mustCreateBucket(t, "ssempdef")
	if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("ssempdef"), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}}); err != nil {
		t.Fatal(err)
	}
	def, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ssempdef"), Key: aws.String("mp")})
	if err != nil || def.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("CreateMultipartUpload under default encryption: %+v %v", def, err)
	}
	dp, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("ssempdef"), Key: aws.String("mp"), UploadId: def.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(src)})
	if err != nil || dp.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("UploadPart under default encryption: %+v %v", dp, err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("ssempdef"), Key: aws.String("mp"), UploadId: def.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: dp.ETag}}}}); err != nil {
		t.Fatal(err)
	}
	if info, err := g.layer.Stat(ctx, "ssempdef", "mp"); err != nil || info.Encryption == nil || info.Size != int64(len(src)) {
		t.Fatalf("the default-encrypted upload: %+v %v", info, err)
	}
	fields := signedPolicy(t, time.Now().Add(time.Hour), []any{map[string]string{"bucket": "ssempdef"}, map[string]string{"key": "form"}}, formField{"key", "form"})
	resp, raw := sendPostForm(t, g.endpoint, "ssempdef", fields, "f", src)
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("x-amz-server-side-encryption") != "AES256" {
		t.Fatalf("POST under default encryption: %d %v %s", resp.StatusCode, resp.Header, raw)
	}
	if info, err := g.layer.Stat(ctx, "ssempdef", "form"); err != nil || info.Encryption == nil {
		t.Fatalf("the form upload is not stored encrypted: %+v %v", info, err)
	}
	if _, got := getBody(t, c, "ssempdef", "form", ""); !bytes.Equal(got, src) {
		t.Fatal("the form upload does not read back")
	}
	// The plain multipart copy above holds the plaintext on purpose: it
	// is the control.
	expectNoPlaintextExcept(t, dir, plaintextMarker, 1)
}

// expectNoPlaintextExcept fails unless exactly files files under dir hold
// marker: the objects stored plainly on purpose, which also show that the
// search finds what is there.
func expectNoPlaintextExcept(t *testing.T, dir string, marker []byte, files int) {
	t.Helper()
	found := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, marker) {
			found++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found != files {
		t.Fatalf("%d files hold the plaintext marker, want %d (the plain objects)", found, files)
	}
}

// An SSE-C multipart upload with a FULL_OBJECT CRC64NVME checksum: the
// parts' checksums (API_UploadPart) and the object's are of the plaintext, Complete checks
// the client's whole-object value, HEAD returns it; ListParts (which may
// carry the key: API_ListParts) refuses another key; GetObjectAttributes
// gives plaintext sizes for the object and its parts.
func TestSSEMultipartChecksumsAndAttributes(t *testing.T) {
	g, _ := startSSEMPGateway(t)
	g.mustCreateBucket(t, "ssempck")
	c := g.client()
	ctx := context.Background()
	k, other := newTestCustomerKey(0x71), newTestCustomerKey(0x72)
	sizes := []int{120000, 50000}
	body := numberedBody(sizes[0] + sizes[1])
	created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ssempck"), Key: aws.String("o"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme, ChecksumType: types.ChecksumTypeFullObject,
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.b64), SSECustomerKeyMD5: aws.String(k.md5b64)})
	if err != nil {
		t.Fatal(err)
	}
	var completed []types.CompletedPart
	off := 0
	for i, n := range sizes {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("ssempck"), Key: aws.String("o"), UploadId: created.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(body[off : off+n]), ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme,
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.b64), SSECustomerKeyMD5: aws.String(k.md5b64)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		if want := checksum.Checksum(checksum.CRC64NVME, body[off:off+n]); aws.ToString(out.ChecksumCRC64NVME) != want {
			t.Fatalf("part %d: CRC64NVME %s, want the plaintext's %s", i+1, aws.ToString(out.ChecksumCRC64NVME), want)
		}
		off += n
		completed = append(completed, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC64NVME: out.ChecksumCRC64NVME})
	}
	listIn := func(key testCustomerKey) *s3.ListPartsInput {
		return &s3.ListPartsInput{Bucket: aws.String("ssempck"), Key: aws.String("o"), UploadId: created.UploadId,
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5b64)}
	}
	if parts, err := c.ListParts(ctx, listIn(k)); err != nil || len(parts.Parts) != 2 || aws.ToInt64(parts.Parts[1].Size) != int64(sizes[1]) {
		t.Fatalf("ListParts with the upload's key: %+v %v", parts, err)
	}
	_, err = c.ListParts(ctx, listIn(other))
	expectAPIError(t, err, "InvalidRequest", 400)

	whole := checksum.Checksum(checksum.CRC64NVME, body)
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("ssempck"), Key: aws.String("o"), UploadId: created.UploadId,
		ChecksumCRC64NVME: aws.String(whole), ChecksumType: types.ChecksumTypeFullObject,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: completed}})
	if err != nil || aws.ToString(done.ChecksumCRC64NVME) != whole {
		t.Fatalf("Complete: %+v %v", done, err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssempck"), Key: aws.String("o"), ChecksumMode: types.ChecksumModeEnabled,
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.b64), SSECustomerKeyMD5: aws.String(k.md5b64)})
	if err != nil || aws.ToString(head.ChecksumCRC64NVME) != whole || aws.ToInt64(head.ContentLength) != int64(len(body)) {
		t.Fatalf("HEAD: %+v %v", head, err)
	}
	attrs, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("ssempck"), Key: aws.String("o"),
		ObjectAttributes:     []types.ObjectAttributes{types.ObjectAttributesObjectSize, types.ObjectAttributesObjectParts},
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.b64), SSECustomerKeyMD5: aws.String(k.md5b64)})
	if err != nil || aws.ToInt64(attrs.ObjectSize) != int64(len(body)) || attrs.ObjectParts == nil || aws.ToInt32(attrs.ObjectParts.TotalPartsCount) != 2 {
		t.Fatalf("GetObjectAttributes: %+v %v", attrs, err)
	}
}
