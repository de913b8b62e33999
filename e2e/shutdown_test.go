package e2e

import (
	"context"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// TestGracefulShutdownFinishesInFlightPut sends SIGTERM while a PUT body is
// half sent: the PUT must still complete, new connections must be refused,
// and the process must exit cleanly.
func TestGracefulShutdownFinishesInFlightPut(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	expectStatus(t, g.do(t, testContext(t, time.Minute), rawRequest{method: "PUT", rawPath: "/graceful"}), http.StatusOK, "create bucket")
	const size, stallAt = 64 << 20, 16 << 20
	release := make(chan struct{})
	body := &stallingReader{src: newPatternReader(30, size), threshold: stallAt, reached: make(chan struct{}), release: release, resume: true}
	done := make(chan *http.Response, 1)
	errc := make(chan error, 1)
	go func() {
		resp, err := g.send(context.Background(), rawRequest{method: "PUT", rawPath: "/graceful/inflight", body: body, contentLength: size, payloadHash: unsignedPayload})
		if err != nil {
			errc <- err
			return
		}
		done <- resp
	}()
	select {
	case <-body.reached:
	case err := <-errc:
		t.Fatalf("PUT failed before the stall: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("PUT did not reach the stall point")
	}
	mustNoErr(t, g.cmd.Process.Signal(syscall.SIGTERM), "SIGTERM")
	time.Sleep(300 * time.Millisecond)
	if g.hasExited() {
		t.Fatalf("terngate exited with a PUT in flight: %v", g.exitErr)
	}
	close(release)
	select {
	case resp := <-done:
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("in-flight PUT after SIGTERM: %d %s, want 200", resp.StatusCode, b)
		}
	case err := <-errc:
		t.Errorf("in-flight PUT after SIGTERM failed: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("in-flight PUT did not finish after SIGTERM")
	}
	select {
	case <-g.exited:
		if g.exitErr != nil {
			t.Errorf("exit after SIGTERM: %v", g.exitErr)
		}
	case <-time.After(stopTimeout):
		t.Fatal("terngate did not exit after its last request finished")
	}
	g = g.restart(t)
	expectObjectSHA256(t, g, "graceful", "inflight", size, patternSHA256(30, size))
}
