package s3api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"strings"
	"testing"
)

var requestIDPattern = regexp.MustCompile(`^[0-9A-F]{16}$`)

// checkErrorXML asserts an error response's status, code and envelope.
func checkErrorXML(t *testing.T, resp *http.Response, body []byte, status int, code string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d (%s)", resp.StatusCode, status, body)
	}
	id := resp.Header.Get("x-amz-request-id")
	if !requestIDPattern.MatchString(id) || resp.Header.Get("x-amz-id-2") == "" || resp.Header.Get("Server") != "terngate" {
		t.Errorf("headers: request id %q, id-2 %q, server %q", id, resp.Header.Get("x-amz-id-2"), resp.Header.Get("Server"))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/xml" {
		t.Errorf("Content-Type %q", ct)
	}
	s := string(body)
	for _, want := range []string{`<?xml version="1.0" encoding="UTF-8"?>`, "<Error>", "<Code>" + code + "</Code>",
		"<Message>", "<Resource>", "<RequestId>" + id + "</RequestId>"} {
		if !strings.Contains(s, want) {
			t.Errorf("error body lacks %s: %s", want, s)
		}
	}
}

func TestAuthErrors(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "authb")

	req, _ := http.NewRequest(http.MethodGet, g.endpoint+"/authb", nil)
	resp, body := do(t, req)
	checkErrorXML(t, resp, body, 403, "AccessDenied")

	resp, body = do(t, g.signedRequest(t, http.MethodGet, "/authb", nil, "wrong-secret"))
	checkErrorXML(t, resp, body, 403, "SignatureDoesNotMatch")

	req, _ = http.NewRequest(http.MethodGet, g.endpoint+"/authb", nil)
	signRequest(t, req, hex.EncodeToString(sha256.New().Sum(nil)), "AKIDUNKNOWN", testSecretKey)
	resp, body = do(t, req)
	checkErrorXML(t, resp, body, 403, "InvalidAccessKeyId")

	// Request ids are unique.
	resp2, _ := do(t, g.signedRequest(t, http.MethodGet, "/authb", nil, "wrong-secret"))
	if resp2.Header.Get("x-amz-request-id") == resp.Header.Get("x-amz-request-id") {
		t.Error("request id repeated")
	}
}

func TestErrorDocuments(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "errs")

	resp, body := do(t, g.signedRequest(t, http.MethodGet, "/errs/missing%2Fkey", nil, testSecretKey))
	checkErrorXML(t, resp, body, 404, "NoSuchKey")
	if !strings.Contains(string(body), "<Key>missing/key</Key>") || !strings.Contains(string(body), "<Resource>/errs/missing%2Fkey</Resource>") {
		t.Errorf("NoSuchKey body: %s", body)
	}

	resp, body = do(t, g.signedRequest(t, http.MethodGet, "/nobucket", nil, testSecretKey))
	checkErrorXML(t, resp, body, 404, "NoSuchBucket")
	if !strings.Contains(string(body), "<BucketName>nobucket</BucketName>") {
		t.Errorf("NoSuchBucket body: %s", body)
	}

	// HEAD errors have the status and no body.
	resp, body = do(t, g.signedRequest(t, http.MethodHead, "/errs/missing", nil, testSecretKey))
	if resp.StatusCode != 404 || len(body) != 0 || resp.Header.Get("x-amz-request-id") == "" {
		t.Errorf("HEAD error: %d, %d body bytes", resp.StatusCode, len(body))
	}

	for _, path := range []string{"/errs?lifecycle", "/errs?uploads", "/errs/k?torrent", "/errs/k?uploadId=x"} {
		resp, body = do(t, g.signedRequest(t, http.MethodGet, path, nil, testSecretKey))
		checkErrorXML(t, resp, body, 501, "NotImplemented")
	}
	resp, body = do(t, g.signedRequest(t, http.MethodPost, "/errs/k", nil, testSecretKey))
	checkErrorXML(t, resp, body, 405, "MethodNotAllowed")
	resp, body = do(t, g.signedRequest(t, http.MethodPut, "/errs?location", nil, testSecretKey))
	checkErrorXML(t, resp, body, 405, "MethodNotAllowed")
}

func TestVirtualHostAddressing(t *testing.T) {
	g := startGateway(t, Config{Domain: "s3.test"})
	g.mustCreateBucket(t, "vhost")

	put := g.signedRequest(t, http.MethodPut, "/dir/obj", []byte("via vhost"), testSecretKey)
	put.Host = "vhost.s3.test"
	// Re-sign for the virtual host.
	put.Header.Del("Authorization")
	sum := sha256.Sum256([]byte("via vhost"))
	put.Body = io.NopCloser(bytes.NewReader([]byte("via vhost")))
	signRequest(t, put, hex.EncodeToString(sum[:]), testAccessKey, testSecretKey)
	resp, body := do(t, put)
	if resp.StatusCode != 200 {
		t.Fatalf("vhost PUT: %d %s", resp.StatusCode, body)
	}
	if !g.objectExists(t, "vhost", "dir/obj") {
		t.Fatal("virtual-host PUT did not land in bucket vhost")
	}
	get, _ := http.NewRequest(http.MethodGet, g.endpoint+"/dir/obj", nil)
	get.Host = "vhost.s3.test:" + strings.Split(g.addr, ":")[1]
	signRequest(t, get, hex.EncodeToString(sha256.New().Sum(nil)), testAccessKey, testSecretKey)
	resp, body = do(t, get)
	if resp.StatusCode != 200 || string(body) != "via vhost" {
		t.Errorf("vhost GET: %d %q", resp.StatusCode, body)
	}
	// Path-style still works on the same server.
	resp, body = do(t, g.signedRequest(t, http.MethodGet, "/vhost/dir/obj", nil, testSecretKey))
	if resp.StatusCode != 200 || string(body) != "via vhost" {
		t.Errorf("path-style GET: %d %q", resp.StatusCode, body)
	}
}

func TestKeysReachTheLayerVerbatim(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "verbatim")
	for _, tc := range []struct{ path, key string }{
		{"/verbatim/a%2Fb", "a/b"},
		{"/verbatim/sp%20ace%2Bplus", "sp ace+plus"},
		{"/verbatim/%E2%82%AC", "€"},
	} {
		resp, body := do(t, g.signedRequest(t, http.MethodPut, tc.path, []byte("x"), testSecretKey))
		if resp.StatusCode != 200 {
			t.Errorf("PUT %s: %d %s", tc.path, resp.StatusCode, body)
			continue
		}
		if !g.objectExists(t, "verbatim", tc.key) {
			t.Errorf("PUT %s did not store key %q", tc.path, tc.key)
		}
	}
}

func TestWrongPayloadHashStoresNothing(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "hash")
	req, _ := http.NewRequest(http.MethodPut, g.endpoint+"/hash/k", strings.NewReader("actual body"))
	other := sha256.Sum256([]byte("signed body"))
	signRequest(t, req, hex.EncodeToString(other[:]), testAccessKey, testSecretKey)
	resp, body := do(t, req)
	checkErrorXML(t, resp, body, 400, "XAmzContentSHA256Mismatch")
	if g.objectExists(t, "hash", "k") {
		t.Error("object stored despite payload hash mismatch")
	}
}

// unsignedPut is a signed PUT head declaring UNSIGNED-PAYLOAD.
func unsignedPut(t *testing.T, g *gateway, path string) *http.Request {
	req, _ := http.NewRequest(http.MethodPut, g.endpoint+path, nil)
	signRequest(t, req, "UNSIGNED-PAYLOAD", testAccessKey, testSecretKey)
	return req
}

func TestShortBodyStoresNothing(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "short")

	// Past fasthttp's prefetch: the handler sees the body end early.
	req := unsignedPut(t, g, "/short/big")
	resp := rawExchange(t, g.addr, rawHead(req, 1<<20), bytes.Repeat([]byte("x"), 100<<10), true)
	body, _ := io.ReadAll(resp.Body)
	checkErrorXML(t, resp, body, 400, "IncompleteBody")
	if g.objectExists(t, "short", "big") {
		t.Error("truncated large upload stored")
	}

	// Within the prefetch: fasthttp refuses the request itself.
	req = unsignedPut(t, g, "/short/small")
	resp = rawExchange(t, g.addr, rawHead(req, 1000), []byte("tiny"), true)
	resp.Body.Close()
	if resp.StatusCode < 400 {
		t.Errorf("truncated small upload: status %d", resp.StatusCode)
	}
	if g.objectExists(t, "short", "small") {
		t.Error("truncated small upload stored")
	}
}

func TestPutLengthChecks(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "length")

	// fasthttp reads min(Content-Length, 8 KiB) of the body before it
	// calls the handler, so send a little of it.
	req := unsignedPut(t, g, "/length/huge")
	resp := rawExchange(t, g.addr, rawHead(req, 6<<30), make([]byte, 16<<10), false)
	body, _ := io.ReadAll(resp.Body)
	checkErrorXML(t, resp, body, 400, "EntityTooLarge")

	req = unsignedPut(t, g, "/length/nolength")
	resp = rawExchange(t, g.addr, rawHead(req, -1), nil, false)
	body, _ = io.ReadAll(resp.Body)
	checkErrorXML(t, resp, body, 411, "MissingContentLength")

	// An aws-chunked payload must say how long the object inside it is.
	req, _ = http.NewRequest(http.MethodPut, g.endpoint+"/length/chunked", strings.NewReader("x"))
	signRequest(t, req, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", testAccessKey, testSecretKey)
	resp, body = do(t, req)
	checkErrorXML(t, resp, body, 411, "MissingContentLength")

	// An unsigned payload with an honest length is stored.
	req = unsignedPut(t, g, "/length/ok")
	resp = rawExchange(t, g.addr, rawHead(req, 5), []byte("hello"), false)
	resp.Body.Close()
	if resp.StatusCode != 200 || !g.objectExists(t, "length", "ok") {
		t.Errorf("unsigned PUT: %d", resp.StatusCode)
	}
}

func TestKeepAliveAfterUnreadBodyError(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "keep")
	// A PUT refused before its body is read must not leave the body to be
	// parsed as the next request on the connection.
	client := &http.Client{}
	for i := 0; i < 3; i++ {
		body := bytes.Repeat([]byte("y"), 64<<10)
		req, _ := http.NewRequest(http.MethodPut, g.endpoint+"/keep/k", bytes.NewReader(body))
		req.Header.Set("x-amz-storage-class", "COLD")
		sum := sha256.Sum256(body)
		signRequest(t, req, hex.EncodeToString(sum[:]), testAccessKey, testSecretKey)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		checkErrorXML(t, resp, data, 400, "InvalidStorageClass")
	}
	resp, body := do(t, g.signedRequest(t, http.MethodGet, "/keep", nil, testSecretKey))
	if resp.StatusCode != 200 {
		t.Errorf("follow-up list: %d %s", resp.StatusCode, body)
	}
}

// A GET, HEAD or DELETE without a body (net/http sends no Content-Length
// for them) must leave the connection open for the next request: closing
// it made every small read pay a new TCP connection on both sides.
func TestKeepAliveAfterBodilessRequests(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "keep")
	g.mustPut(t, "keep", "k", "hello")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	var conns int
	trace := &httptrace.ClientTrace{ConnectStart: func(string, string) { conns++ }}
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodGet} {
		req := g.signedRequest(t, method, "/keep/k", nil, testSecretKey)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Close {
			t.Errorf("%s answered with Connection: close (status %d)", method, resp.StatusCode)
		}
	}
	if conns != 1 {
		t.Errorf("six requests opened %d connections, want 1", conns)
	}
}
