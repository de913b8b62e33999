package s3api

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/terngate/terngate/auth"
	"github.com/terngate/terngate/store/local"
	"github.com/terngate/terngate/store/objects"
)

const (
	testAccessKey = "AKIDTERNGATETEST"
	testSecretKey = "terngate-test-secret-key-0123456789"
	testRegion    = "us-east-1"
)

type staticCredentials map[string]string

func (c staticCredentials) Secret(accessKey string) (string, bool) {
	s, ok := c[accessKey]
	return s, ok
}

// gateway is a running S3 API over a local store in a temporary directory.
type gateway struct {
	addr     string // host:port
	endpoint string // http://host:port
	region   string
	layer    *objects.Layer
}

func startGateway(t testing.TB, cfg Config) *gateway {
	t.Helper()
	return startGatewayWith(t, cfg, staticCredentials{testAccessKey: testSecretKey})
}

// startGatewayWith serves the API with the given credentials.
func startGatewayWith(t testing.TB, cfg Config, creds auth.Credentials) *gateway {
	t.Helper()
	return startGatewayOn(t, cfg, creds, nil)
}

// startGatewayOn is startGatewayWith serving through wrap's listener (a
// TLS one, say); nil serves plain HTTP.
func startGatewayOn(t testing.TB, cfg Config, creds auth.Credentials, wrap func(net.Listener) net.Listener) *gateway {
	t.Helper()
	st, err := local.Open(t.TempDir(), local.Options{})
	if err != nil {
		t.Fatalf("opening local store: %v", err)
	}
	layer, err := objects.New(context.Background(), st, st.Root(), objects.Options{})
	if err != nil {
		t.Fatalf("creating object layer: %v", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	region := cfg.Region
	if region == "" {
		region = testRegion
	}
	verifier := &auth.Verifier{
		Region:      region,
		Credentials: creds,
	}
	app := New(layer, verifier, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served, scheme := Listener(ln), "http://"
	if wrap != nil {
		served, scheme = wrap(served), "https://"
	}
	go func() { _ = app.Listener(served) }()
	t.Cleanup(func() {
		_ = app.ShutdownWithTimeout(5 * time.Second)
		_ = st.Close()
	})
	addr := ln.Addr().String()
	return &gateway{addr: addr, endpoint: scheme + addr, region: region, layer: layer}
}

// client is an aws-sdk-go-v2 S3 client for the gateway, path-style.
func (g *gateway) client() *s3.Client {
	return s3.New(s3.Options{
		Region:           g.region,
		BaseEndpoint:     aws.String(g.endpoint),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		RetryMaxAttempts: 1,
	})
}

func (g *gateway) mustCreateBucket(t testing.TB, bucket string) {
	t.Helper()
	if _, err := g.client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", bucket, err)
	}
}

func (g *gateway) mustPut(t *testing.T, bucket, key, body string) {
	t.Helper()
	_, err := g.client().PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body),
	})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
}

// objectExists asks the layer directly, bypassing HTTP.
func (g *gateway) objectExists(t *testing.T, bucket, key string) bool {
	t.Helper()
	_, err := g.layer.Stat(context.Background(), bucket, key)
	return err == nil
}

// signedRequest builds a request signed with the test credentials (or
// the given secret) over payload, whose hash it declares.
func (g *gateway) signedRequest(t testing.TB, method, path string, body []byte, secret string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, g.endpoint+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	signRequest(t, req, hex.EncodeToString(sum[:]), testAccessKey, secret)
	return req
}

func signRequest(t testing.TB, req *http.Request, payloadHash, accessKey, secret string) {
	t.Helper()
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secret}
	if err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).SignHTTP(context.Background(), creds, req, payloadHash, "s3", testRegion, time.Now()); err != nil {
		t.Fatalf("signing: %v", err)
	}
}

// do sends a request with the standard client and returns the response
// with its body read.
func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	return doWith(t, http.DefaultClient, req)
}

// doWith sends a request with hc and returns the response with its body
// read.
func doWith(t *testing.T, hc *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	return resp, body
}

// apiErrorCode returns the S3 error code and HTTP status of an SDK error.
func apiErrorCode(t *testing.T, err error) (string, int) {
	t.Helper()
	if err == nil {
		t.Fatal("expected an error, got success")
	}
	code := ""
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	status := 0
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

func expectAPIError(t *testing.T, err error, wantCode string, wantStatus int) {
	t.Helper()
	code, status := apiErrorCode(t, err)
	if (wantCode != "" && code != wantCode) || status != wantStatus {
		t.Fatalf("error = %s/%d (%v), want %s/%d", code, status, err, wantCode, wantStatus)
	}
}

// rawExchange writes head and body on a fresh connection, optionally
// half-closes it, and returns the response.
func rawExchange(t *testing.T, addr, head string, body []byte, closeWrite bool) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	if len(body) > 0 {
		if _, err := conn.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if closeWrite {
		_ = conn.(*net.TCPConn).CloseWrite()
	}
	resp, err := http.ReadResponse(bufioReader(conn), nil)
	if err != nil {
		t.Fatalf("reading raw response: %v", err)
	}
	return resp
}

// rawHead renders a signed request's head as it would go on the wire,
// with the given Content-Length line (or none when contentLength < 0).
func rawHead(req *http.Request, contentLength int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", req.Method, req.URL.RequestURI(), req.URL.Host)
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	if contentLength >= 0 {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", contentLength)
	}
	b.WriteString("\r\n")
	return b.String()
}

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
