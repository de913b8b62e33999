package s3api

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// chunkSigner builds aws-chunked bodies by hand, chaining chunk
// signatures from a request's seed signature as SigV4 streaming does, so
// tests can corrupt any part of the framing.
type chunkSigner struct {
	key   []byte
	date  string
	scope string
	prev  string
}

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func hmacSum(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// newChunkSigner reads the seed signature off a signed request.
func newChunkSigner(t testing.TB, req *http.Request, secret string) *chunkSigner {
	t.Helper()
	authz := req.Header.Get("Authorization")
	_, seed, ok := strings.Cut(authz, "Signature=")
	if !ok {
		t.Fatalf("no signature in %q", authz)
	}
	date := req.Header.Get("X-Amz-Date")
	day := date[:8]
	key := hmacSum([]byte("AWS4"+secret), day)
	key = hmacSum(key, testRegion)
	key = hmacSum(key, "s3")
	key = hmacSum(key, "aws4_request")
	return &chunkSigner{key: key, date: date, scope: day + "/" + testRegion + "/s3/aws4_request", prev: seed}
}

func (c *chunkSigner) sign(data []byte) string {
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + c.date + "\n" + c.scope + "\n" + c.prev + "\n" + emptySHA256 + "\n" + sha256Hex(data)
	c.prev = hex.EncodeToString(hmacSum(c.key, sts))
	return c.prev
}

// signedChunks encodes data as signed chunks of size n plus the final
// empty chunk; corrupt, if >= 0, names a chunk whose signature is broken.
func (c *chunkSigner) signedChunks(data []byte, n, corrupt int) []byte {
	var b bytes.Buffer
	for i := 0; ; i++ {
		chunk := data[:min(n, len(data))]
		data = data[len(chunk):]
		sig := c.sign(chunk)
		if i == corrupt {
			sig = strings.Repeat("0", len(sig))
		}
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", len(chunk), sig)
		b.Write(chunk)
		b.WriteString("\r\n")
		if len(chunk) == 0 {
			return b.Bytes()
		}
	}
}

// unsignedChunks encodes data as one unsigned chunk, the final chunk and
// the trailer lines, as botocore and the Go SDK send them.
func unsignedChunks(data []byte, trailers ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%x\r\n", len(data))
	b.Write(data)
	b.WriteString("\r\n0\r\n")
	for _, tr := range trailers {
		b.WriteString(tr + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// streamingRequest is a PUT whose headers announce an aws-chunked body of
// decodedLen bytes, signed with secret in mode. The body is set by the
// caller (after signing, since the chunk signatures chain from the seed).
func (g *gateway) streamingRequest(t testing.TB, path, mode string, decodedLen int, secret string, extra map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, g.endpoint+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(decodedLen))
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	signRequest(t, req, mode, testAccessKey, secret)
	return req
}

func withBody(req *http.Request, body []byte) *http.Request {
	req.Body = ioNopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	return req
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func ioNopCloser(r *bytes.Reader) nopCloser { return nopCloser{r} }
