package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const unsignedPayload = "UNSIGNED-PAYLOAD"

// rawRequest is a request crafted byte for byte: rawPath goes on the wire
// exactly as written (never cleaned or re-escaped by Go).
type rawRequest struct {
	method   string
	rawPath  string // percent-encoded as it must appear on the wire
	rawQuery string
	host     string // Host header; empty means the gateway's address
	header   http.Header
	body     io.Reader
	// bodyBytes, when body is nil, is sent and hashed into
	// x-amz-content-sha256 unless payloadHash overrides it.
	bodyBytes     []byte
	payloadHash   string
	contentLength int64 // used with body; -1 means chunked
	// accessKey/secretKey override the gateway's key pair; unsigned sends
	// no signature at all.
	accessKey, secretKey string
	unsigned             bool
	// signedAt is the signing time; zero means now.
	signedAt time.Time
}

// rawResponse is a fully read response.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// s3Error is the XML error document S3 returns.
type s3Error struct {
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
	Key       string `xml:"Key"`
	RequestID string `xml:"RequestId"`
}

func (r *rawResponse) errorCode() string {
	var e s3Error
	if err := xml.Unmarshal(r.body, &e); err != nil {
		return ""
	}
	return e.Code
}

// do signs (SigV4, S3 flavour: the path is not escaped again) and sends r.
func (g *gateway) do(t testing.TB, ctx context.Context, r rawRequest) *rawResponse {
	t.Helper()
	resp, err := g.send(ctx, r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.rawPath, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", r.method, r.rawPath, err)
	}
	return &rawResponse{status: resp.StatusCode, header: resp.Header, body: body}
}

// send is do without reading the response, for streaming bodies.
func (g *gateway) send(ctx context.Context, r rawRequest) (*http.Response, error) {
	req, err := g.newSignedRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	return g.httpClient(10 * time.Minute).Do(req)
}

func (g *gateway) newSignedRequest(ctx context.Context, r rawRequest) (*http.Request, error) {
	host := r.host
	if host == "" {
		host = g.addr
	}
	body := r.body
	length := r.contentLength
	if body == nil {
		body = bytes.NewReader(r.bodyBytes)
		length = int64(len(r.bodyBytes))
	}
	// A careful client signs the canonical form of the key it means: the
	// wire path percent-decoded, then escaped the S3 way (which is what a
	// server can rebuild from any spelling of the same key).
	decoded, err := url.PathUnescape(r.rawPath)
	if err != nil {
		return nil, err
	}
	// The signer reads the path from "//host/path" opaque URLs; the wire
	// gets the bare raw path below so Go sends it untouched in origin form.
	target := g.endpoint() + "/"
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, err
	}
	req.URL.Opaque = "//" + host + s3EscapePath(decoded)
	req.URL.RawQuery = r.rawQuery
	req.Host = host
	req.ContentLength = length
	if length == 0 {
		req.Body = http.NoBody
	}
	for k, vs := range r.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if !r.unsigned {
		hash := r.payloadHash
		if hash == "" {
			sum := sha256.Sum256(r.bodyBytes)
			hash = hex.EncodeToString(sum[:])
		}
		req.Header.Set("X-Amz-Content-Sha256", hash)
		ak, sk := g.accessKey, g.secretKey
		if r.accessKey != "" {
			ak, sk = r.accessKey, r.secretKey
		}
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		creds := aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}
		signedAt := r.signedAt
		if signedAt.IsZero() {
			signedAt = time.Now()
		}
		if err := signer.SignHTTP(ctx, creds, req, hash, "s3", testRegion, signedAt.UTC()); err != nil {
			return nil, err
		}
	}
	req.URL.Opaque = r.rawPath
	return req, nil
}
