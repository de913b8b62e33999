package s3api

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// A request refused with its body unread still gets its S3 error when the
// client writes the whole body before it reads the answer, as botocore
// does, on a connection that already served a request. Closing a socket
// with unread data sends a TCP reset, which destroyed the answer in
// flight (a broken pipe for the client); RFC 9110 section 10.1.1 lets a
// client send the body without waiting for 100 Continue, and RFC 9112
// section 9.6 asks a server to close in stages so the client reads the
// response. The body is larger than what the router drains to keep the
// connection, and the connection is closed after the answer.
func TestRefusedBodyStillGetsItsAnswer(t *testing.T) {
	g := startGateway(t, Config{KMS: testKMSRing(t, "k1"), AllowSSEKMSOverHTTP: true})
	g.mustCreateBucket(t, "linger")
	body := strings.Repeat("b", 4<<20)

	for _, tc := range []struct {
		name   string
		sign   func(*http.Request)
		status int
		code   string
	}{{
		// The screen answers before 100 Continue; this client does
		// not wait for it.
		name: "refused before 100 Continue, body sent at once",
		sign: func(req *http.Request) {
			req.Header.Set("Expect", "100-continue")
			signRequest(t, req, "UNSIGNED-PAYLOAD", testAccessKey, "not-the-secret")
		},
		status: http.StatusForbidden, code: "SignatureDoesNotMatch",
	}, {
		// The handler refuses an unknown KMS key before it reads the
		// body.
		name: "refused by the handler",
		sign: func(req *http.Request) {
			req.Header.Set("x-amz-server-side-encryption", "aws:kms")
			req.Header.Set("x-amz-server-side-encryption-aws-kms-key-id", "no-such-key")
			signRequest(t, req, "UNSIGNED-PAYLOAD", testAccessKey, testSecretKey)
		},
		status: http.StatusBadRequest, code: "KMS.NotFoundException",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			conn, br := dialRaw(t, g.addr)
			first, _ := http.NewRequest(http.MethodGet, g.endpoint+"/", nil)
			signRequest(t, first, "UNSIGNED-PAYLOAD", testAccessKey, testSecretKey)
			if _, err := io.WriteString(conn, rawHead(first, -1)); err != nil {
				t.Fatal(err)
			}
			if resp, data := readRaw(t, br); resp.StatusCode != http.StatusOK {
				t.Fatalf("ListBuckets: %d %s", resp.StatusCode, data)
			}

			req, _ := http.NewRequest(http.MethodPut, g.endpoint+"/linger/refused", nil)
			tc.sign(req)
			if _, err := io.WriteString(conn, rawHead(req, int64(len(body)))+body); err != nil {
				t.Fatalf("writing the body the gateway refused: %v", err)
			}
			resp, data := readRaw(t, br)
			checkErrorXML(t, resp, data, tc.status, tc.code)
			if !resp.Close {
				t.Error("connection kept open with the body unread")
			}
			if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
				t.Errorf("after the answer: %q, %v; want a clean end of stream", rest, err)
			}
			if g.objectExists(t, "linger", "refused") {
				t.Error("refused object stored")
			}
		})
	}
}

// A refused aws-chunked body sent with Transfer-Encoding: chunked (botocore
// over HTTPS), small enough to be read away, leaves the connection open for
// the next request: once the chunked body's end is read, the connection's
// next message can be told apart (RFC 9112 section 9.6 otherwise asks for
// the staged close TestRefusedBodyStillGetsItsAnswer covers).
func TestRefusedChunkedBodyIsDrained(t *testing.T) {
	g := startGateway(t, Config{KMS: testKMSRing(t, "k1"), AllowSSEKMSOverHTTP: true})
	g.mustCreateBucket(t, "drain")
	conn, br := dialRaw(t, g.addr)
	req, _ := http.NewRequest(http.MethodPut, g.endpoint+"/drain/refused", nil)
	req.Header.Set("x-amz-server-side-encryption", "aws:kms")
	req.Header.Set("x-amz-server-side-encryption-aws-kms-key-id", "no-such-key")
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("Transfer-Encoding", "chunked")
	req.Header.Set("x-amz-decoded-content-length", "5")
	signRequest(t, req, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", testAccessKey, testSecretKey)
	inner := "5\r\nhello\r\n0\r\n\r\n"
	wire := rawHead(req, -1) + fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(inner), inner)
	if _, err := io.WriteString(conn, wire); err != nil {
		t.Fatal(err)
	}
	resp, data := readRaw(t, br)
	checkErrorXML(t, resp, data, http.StatusBadRequest, "KMS.NotFoundException")
	if resp.Close {
		t.Fatal("connection closed after a body small enough to read away")
	}
	next, _ := http.NewRequest(http.MethodGet, g.endpoint+"/", nil)
	signRequest(t, next, "UNSIGNED-PAYLOAD", testAccessKey, testSecretKey)
	if _, err := io.WriteString(conn, rawHead(next, -1)); err != nil {
		t.Fatal(err)
	}
	if resp, data := readRaw(t, br); resp.StatusCode != http.StatusOK {
		t.Fatalf("next request on the connection: %d %s", resp.StatusCode, data)
	}
}
