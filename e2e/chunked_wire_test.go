package e2e

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

func TestRejectedWireRequestsHTTP(t *testing.T) {
	checkRejectedWireRequests(t, startGateway(t, newDataDir(t)))
}

func TestRejectedWireRequestsHTTPS(t *testing.T) {
	checkRejectedWireRequests(t, startTLSGateway(t, newDataDir(t)))
}

// checkRejectedWireRequests sends hand-built requests that break one rule
// each over an existing object, which must come out untouched. Valid
// controls first prove the hand-built encodings themselves are right.
func checkRejectedWireRequests(t *testing.T, g *gateway) {
	ctx := testContext(t, 2*time.Minute)
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/wire"}), http.StatusOK, "create bucket")
	original := patternBytes(1, 5000)
	stored := g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/wire/victim", bodyBytes: original})
	expectStatus(t, stored, http.StatusOK, "PUT the original object")
	etag := stored.header.Get("ETag")

	const chunkSize = 64 << 10
	data := patternBytes(2, 3*chunkSize+12411) // three full chunks and a short one

	t.Run("controls", func(t *testing.T) {
		resp := signedChunkedPut{rawPath: "/wire/control-signed", data: data, chunkSize: chunkSize, corruptChunk: -1}.send(t, g)
		expectStatus(t, resp, http.StatusOK, "valid signed aws-chunked PUT")
		expectObject(t, g, "/wire/control-signed", data, quotedMD5(data))

		resp = unsignedTrailerPut{rawPath: "/wire/control-trailer", data: data, chunkSize: chunkSize, trailer: crc32Base64(data)}.send(t, g)
		expectStatus(t, resp, http.StatusOK, "valid unsigned-trailer aws-chunked PUT")
		expectObject(t, g, "/wire/control-trailer", data, quotedMD5(data))
		head := g.do(t, ctx, rawRequest{method: "HEAD", rawPath: "/wire/control-trailer", header: http.Header{"X-Amz-Checksum-Mode": {"ENABLED"}}})
		if got := head.header.Get("X-Amz-Checksum-Crc32"); got != crc32Base64(data) {
			t.Errorf("stored trailer checksum %q, want %q", got, crc32Base64(data))
		}
	})

	cases := []struct {
		name   string
		send   func(t *testing.T) *rawResponse
		status int
		code   string
	}{
		{"bad signature in chunk 2", func(t *testing.T) *rawResponse {
			return signedChunkedPut{rawPath: "/wire/victim", data: data, chunkSize: chunkSize, corruptChunk: 1}.send(t, g)
		}, http.StatusForbidden, "SignatureDoesNotMatch"},
		{"truncated chunk", func(t *testing.T) *rawResponse {
			// Cut inside the third chunk's data.
			cut := encodedLength(chunkSizes(len(data), chunkSize)) - 40000
			return signedChunkedPut{rawPath: "/wire/victim", data: data, chunkSize: chunkSize, corruptChunk: -1, truncateAt: cut}.send(t, g)
		}, http.StatusBadRequest, "IncompleteBody"},
		{"trailer checksum mismatch", func(t *testing.T) *rawResponse {
			return unsignedTrailerPut{rawPath: "/wire/victim", data: data, chunkSize: chunkSize, trailer: crc32Base64([]byte("other bytes"))}.send(t, g)
		}, http.StatusBadRequest, "BadDigest"},
		{"wrong header signature on an unsigned-trailer payload", func(t *testing.T) *rawResponse {
			return unsignedTrailerPut{rawPath: "/wire/victim", data: data, chunkSize: chunkSize, trailer: crc32Base64(data),
				secretKey: "not-the-secret-key-000000000000000000000"}.send(t, g)
		}, http.StatusForbidden, "SignatureDoesNotMatch"},
		{"dated 20 minutes ago", func(t *testing.T) *rawResponse {
			return g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/wire/victim", bodyBytes: data, signedAt: time.Now().Add(-20 * time.Minute)})
		}, http.StatusForbidden, "RequestTimeTooSkewed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.send(t)
			if resp.status != tc.status || resp.errorCode() != tc.code {
				t.Errorf("%d %s, want %d %s; body: %s", resp.status, resp.errorCode(), tc.status, tc.code, resp.body)
			}
			expectObject(t, g, "/wire/victim", original, etag)
		})
	}
}

// expectObject GETs rawPath and wants exactly data and etag.
func expectObject(t *testing.T, g *gateway, rawPath string, data []byte, etag string) {
	t.Helper()
	got := g.do(t, testContext(t, time.Minute), rawRequest{method: "GET", rawPath: rawPath})
	if got.status != http.StatusOK || !bytes.Equal(got.body, data) || got.header.Get("ETag") != etag {
		t.Errorf("GET %s: %d, %d bytes (equal: %v), ETag %s; want 200, the %d bytes stored, ETag %s",
			rawPath, got.status, len(got.body), bytes.Equal(got.body, data), got.header.Get("ETag"), len(data), etag)
	}
}
