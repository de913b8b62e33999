package s3api

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"
)

// A body that trickles in below the minimum rate, or stops, is cut off
// with S3's RequestTimeout (400, "Your socket connection to the server was
// not read from or written to within the timeout period. Idle connections
// will be closed.", as S3 answered in aws/aws-sdk-js issue #281 and
// aws/aws-sdk-go PR #411), and nothing is stored.
// Source: RequestTimeout in the S3 error code list, https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
func TestSlowBodyCutOff(t *testing.T) {
	g := startGateway(t, Config{MinBodyRate: 64 << 10, MinBodyRateWindow: 300 * time.Millisecond})
	g.mustCreateBucket(t, "slow")
	const size = 1 << 20
	const message = "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."

	t.Run("trickle", func(t *testing.T) {
		req := unsignedPut(t, g, "/slow/trickle")
		conn, br := dialRaw(t, g.addr)
		if _, err := io.WriteString(conn, rawHead(req, size)); err != nil {
			t.Fatal(err)
		}
		// 100 bytes every 20 ms is 5 KB/s, far below 64 KiB/s; the
		// writes stop failing once the gateway has answered and closed.
		done := make(chan struct{})
		go func() {
			defer close(done)
			chunk := bytes.Repeat([]byte("t"), 100)
			for sent := 0; sent < size; sent += len(chunk) {
				if _, err := conn.Write(chunk); err != nil {
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
		resp, body := readRaw(t, br)
		checkErrorXML(t, resp, body, http.StatusBadRequest, "RequestTimeout")
		if doc := parseErrorDoc(t, body); doc.Message != message {
			t.Errorf("message %q", doc.Message)
		}
		conn.Close()
		<-done
		if g.objectExists(t, "slow", "trickle") {
			t.Error("trickled object stored")
		}
	})

	t.Run("stall", func(t *testing.T) {
		req := unsignedPut(t, g, "/slow/stall")
		conn, br := dialRaw(t, g.addr)
		if _, err := io.WriteString(conn, rawHead(req, size)); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Write(make([]byte, 100<<10)); err != nil {
			t.Fatal(err)
		}
		resp, body := readRaw(t, br)
		checkErrorXML(t, resp, body, http.StatusBadRequest, "RequestTimeout")
		if g.objectExists(t, "slow", "stall") {
			t.Error("stalled object stored")
		}
	})

	t.Run("a body at full speed is stored", func(t *testing.T) {
		data := randomBytes(t, 4<<20)
		resp, body := do(t, g.signedRequest(t, http.MethodPut, "/slow/fast", data, testSecretKey))
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		if got := g.getBytes(t, "slow", "fast"); !bytes.Equal(got, data) {
			t.Fatal("stored bytes differ")
		}
	})
}
