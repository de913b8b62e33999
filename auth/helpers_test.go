package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/terngate/terngate/s3err"
)

const (
	testAccessKey = "AKIDEXAMPLE"
	testSecret    = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testRegion    = "us-east-1"
	testHost      = "bucket.s3.example.com"
)

var testTime = time.Date(2024, 5, 17, 12, 30, 0, 0, time.UTC)

type staticCreds map[string]string

func (c staticCreds) Secret(ak string) (string, bool) {
	s, ok := c[ak]
	return s, ok
}

func newTestVerifier() *Verifier {
	return &Verifier{
		Region:      testRegion,
		Credentials: staticCreds{testAccessKey: testSecret},
		Now:         func() time.Time { return testTime },
	}
}

// newHTTPRequest builds an outgoing request whose canonical URI is rawPath
// exactly (the SDK signs EscapedPath verbatim with path escaping disabled,
// as its S3 client does).
func newHTTPRequest(t testing.TB, method, rawPath, rawQuery string) *http.Request {
	t.Helper()
	u := &url.URL{Scheme: "https", Opaque: "//" + testHost + rawPath, RawQuery: rawQuery}
	req, err := http.NewRequest(method, "https://"+testHost+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.URL = u
	req.Host = testHost
	return req
}

func disablePathEscaping(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }

// signHeader signs req with the SDK's header signer.
func signHeader(t testing.TB, req *http.Request, payloadHash string, at time.Time, secret string) {
	t.Helper()
	if req.Header.Get("X-Amz-Content-Sha256") == "" {
		req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, "s3", testRegion, at, disablePathEscaping); err != nil {
		t.Fatal(err)
	}
}

// presign returns the presigned URL's raw path and query and the headers the
// client must send with it.
func presign(t *testing.T, req *http.Request, at time.Time, expires int) (string, http.Header) {
	t.Helper()
	q := req.URL.Query()
	q.Set("X-Amz-Expires", strconv.Itoa(expires))
	req.URL.RawQuery = q.Encode()
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
	signed, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, UnsignedPayload, "s3", testRegion, at, disablePathEscaping)
	if err != nil {
		t.Fatal(err)
	}
	_, rawQuery, _ := strings.Cut(signed, "?")
	return rawQuery, hdr
}

// toServerRequest turns a signed outgoing request into what the server sees.
func toServerRequest(req *http.Request, rawPath string) *Request {
	h := req.Header.Clone()
	if req.ContentLength > 0 {
		h.Set("Content-Length", strconv.FormatInt(req.ContentLength, 10))
	}
	return &Request{
		Method:   req.Method,
		Host:     req.Host,
		RawPath:  rawPath,
		RawQuery: req.URL.RawQuery,
		Header:   h,
	}
}

// wantS3Err fails unless err is the catalogue error want (by code) and, if
// msg is not empty, carries that message.
func wantS3Err(t *testing.T, err error, want *s3err.Error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", want.Code)
	}
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %s", err, want.Code)
	}
	if msg != "" && s3err.As(err).Message != msg {
		t.Fatalf("message %q, want %q", s3err.As(err).Message, msg)
	}
}
