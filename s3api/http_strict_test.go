package s3api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/internal/syncbuf"
)

// dialRaw opens a connection for hand-written requests.
func dialRaw(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	return conn, bufio.NewReader(conn)
}

func readRaw(t *testing.T, br *bufio.Reader) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body
}

// A client sending Expect: 100-continue learns that its request is refused
// before it sends the body: no 100 Continue comes unless the signature and
// the policy pass (RFC 9110 section 10.1.1; S3 documents 100-continue as
// the way "to avoid sending the message body if the message is rejected
// based on the headers", docs.aws.amazon.com/AmazonS3/latest/API/RESTRedirect.html).
func TestExpectContinueAfterAuthentication(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "expect")
	body := strings.Repeat("e", 20000)

	t.Run("bad signature: 403 without 100", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPut, g.endpoint+"/expect/refused", nil)
		signRequest(t, req, "UNSIGNED-PAYLOAD", testAccessKey, "not-the-secret")
		req.Header.Set("Expect", "100-continue")
		conn, br := dialRaw(t, g.addr)
		if _, err := io.WriteString(conn, rawHead(req, int64(len(body)))); err != nil {
			t.Fatal(err)
		}
		resp, data := readRaw(t, br)
		checkErrorXML(t, resp, data, http.StatusForbidden, "SignatureDoesNotMatch")
		if !resp.Close {
			t.Error("connection kept open after refusing a body that may still come")
		}
		if g.objectExists(t, "expect", "refused") {
			t.Error("refused object stored")
		}
	})

	t.Run("unknown bucket of a stranger: 403 without 100", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPut, g.endpoint+"/expect/anon", nil)
		req.Header.Set("Expect", "100-continue")
		conn, br := dialRaw(t, g.addr)
		if _, err := io.WriteString(conn, rawHead(req, int64(len(body)))); err != nil {
			t.Fatal(err)
		}
		resp, data := readRaw(t, br)
		checkErrorXML(t, resp, data, http.StatusForbidden, "AccessDenied")
	})

	t.Run("good signature: 100, then the body, then 200", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPut, g.endpoint+"/expect/ok", nil)
		signRequest(t, req, "UNSIGNED-PAYLOAD", testAccessKey, testSecretKey)
		req.Header.Set("Expect", "100-continue")
		conn, br := dialRaw(t, g.addr)
		if _, err := io.WriteString(conn, rawHead(req, int64(len(body)))); err != nil {
			t.Fatal(err)
		}
		line, err := br.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
			t.Fatalf("first line %q, %v; want 100 Continue", line, err)
		}
		if blank, _ := br.ReadString('\n'); blank != "\r\n" {
			t.Fatalf("100 Continue followed by %q", blank)
		}
		if _, err := io.WriteString(conn, body); err != nil {
			t.Fatal(err)
		}
		resp, data := readRaw(t, br)
		if resp.StatusCode != 200 {
			t.Fatalf("PUT after 100: %d %s", resp.StatusCode, data)
		}
		if got := g.getBytes(t, "expect", "ok"); string(got) != body {
			t.Fatalf("stored %d bytes", len(got))
		}
	})
}

// Framing that two parsers could read differently is refused before
// anything is read or stored, and the connection is closed (RFC 9112
// section 6.3). A transfer coding other than chunked, or chunked around a
// body that is not aws-chunked, is S3's NotImplemented naming
// Transfer-Encoding (AWS's reply recorded in JuliaWeb/HTTP.jl issue #98).
func TestAmbiguousFramingRefused(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "frame")
	cases := []struct {
		name   string
		lines  string
		body   string
		status int
		code   string
		header string
	}{
		{"two different Content-Lengths", "Content-Length: 5\r\nContent-Length: 6\r\n", "hello!", 400, "InvalidRequest", ""},
		{"a Content-Length list that disagrees", "Content-Length: 5, 6\r\n", "hello!", 400, "InvalidRequest", ""},
		{"Content-Length and Transfer-Encoding", "Content-Length: 10\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n", 400, "InvalidRequest", ""},
		{"Transfer-Encoding gzip", "Transfer-Encoding: gzip, chunked\r\n", "5\r\nhello\r\n0\r\n\r\n", 501, "NotImplemented", "Transfer-Encoding"},
		{"chunked around a plain body", "Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n", 501, "NotImplemented", "Transfer-Encoding"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := fmt.Sprintf("/frame/k%d", i)
			req, _ := http.NewRequest(http.MethodPut, g.endpoint+key, nil)
			signRequest(t, req, "UNSIGNED-PAYLOAD", testAccessKey, testSecretKey)
			head := strings.TrimSuffix(rawHead(req, -1), "\r\n") + tc.lines + "\r\n"
			conn, br := dialRaw(t, g.addr)
			if _, err := io.WriteString(conn, head+tc.body); err != nil {
				t.Fatal(err)
			}
			resp, data := readRaw(t, br)
			checkErrorXML(t, resp, data, tc.status, tc.code)
			if doc := parseErrorDoc(t, data); doc.Elements["Header"] != tc.header {
				t.Errorf("<Header> %q, want %q", doc.Elements["Header"], tc.header)
			}
			if strings.Contains(string(data), "Signature=") {
				t.Errorf("the answer echoes the request head: %s", data)
			}
			if tc.status == 400 && !resp.Close {
				t.Error("connection kept open after ambiguous framing")
			}
			if g.objectExists(t, "frame", key[len("/frame/"):]) {
				t.Error("object stored")
			}
		})
	}

	t.Run("the same Content-Length twice", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPut, g.endpoint+"/frame/same", nil)
		signRequest(t, req, "UNSIGNED-PAYLOAD", testAccessKey, testSecretKey)
		head := strings.TrimSuffix(rawHead(req, 5), "\r\n") + "Content-Length: 5\r\n\r\n"
		conn, br := dialRaw(t, g.addr)
		if _, err := io.WriteString(conn, head+"hello"); err != nil {
			t.Fatal(err)
		}
		if resp, data := readRaw(t, br); resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, data)
		}
	})
}

// A request the 100-continue screen refuses is answered as the handler
// would answer it without Expect: the same error elements (NoSuchBucket
// names the bucket in BucketName, as ErrorResponses shows) and an access
// line naming the bucket, key and access key.
func TestExpectRefusalAnswersAsTheHandler(t *testing.T) {
	var out syncbuf.Buffer
	g := startGateway(t, Config{Logger: slog.New(slog.NewJSONHandler(&out, nil))})
	answer := func(expect bool) (string, errorDoc) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPut, g.endpoint+"/no-such-bucket/k", nil)
		if expect {
			req.Header.Set("Expect", "100-continue")
		}
		signRequest(t, req, "UNSIGNED-PAYLOAD", testAccessKey, testSecretKey)
		conn, br := dialRaw(t, g.addr)
		head := rawHead(req, 5)
		if !expect {
			head += "hello"
		}
		if _, err := io.WriteString(conn, head); err != nil {
			t.Fatal(err)
		}
		resp, data := readRaw(t, br)
		checkErrorXML(t, resp, data, http.StatusNotFound, "NoSuchBucket")
		return resp.Header.Get("x-amz-request-id"), parseErrorDoc(t, data)
	}
	_, plain := answer(false)
	id, screened := answer(true)
	if screened.Elements["BucketName"] != "no-such-bucket" || screened.Elements["BucketName"] != plain.Elements["BucketName"] {
		t.Errorf("BucketName %q with Expect, %q without; want no-such-bucket", screened.Elements["BucketName"], plain.Elements["BucketName"])
	}

	var line map[string]any
	for deadline := time.Now().Add(5 * time.Second); line == nil && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for l := range strings.SplitSeq(out.String(), "\n") {
			if strings.Contains(l, id) && strings.Contains(l, `"msg":"request"`) {
				if err := json.Unmarshal([]byte(l), &line); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if line["bucket"] != "no-such-bucket" || line["key"] != "k" || line["access_key"] != testAccessKey {
		t.Errorf("access line of the screened request: %v", line)
	}
}
