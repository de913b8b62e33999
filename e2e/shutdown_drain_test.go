package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// putOutcome is what one PUT of the drain test got.
type putOutcome struct {
	status int
	err    error
}

// TestSIGTERMDrainsInFlightPuts sends SIGTERM with ten PUTs in flight:
// seven whose bodies resume at once and three that stall past the shutdown
// grace. Readiness must fail and new connections be refused at once; every
// PUT must end either completed (200, and the exact bytes readable after a
// restart) or failed with its key absent — never partial.
func TestSIGTERMDrainsInFlightPuts(t *testing.T) {
	const grace = 4 * time.Second
	g := startGateway(t, newDataDir(t), "--shutdown-grace", grace.String())
	expectStatus(t, g.do(t, testContext(t, time.Minute), rawRequest{method: "PUT", rawPath: "/drain"}), http.StatusOK, "create bucket")

	const puts, stragglers, size, stallAt = 10, 3, 8 << 20, 2 << 20
	resume, lateResume := make(chan struct{}), make(chan struct{})
	outcomes := make([]putOutcome, puts)
	var wg sync.WaitGroup
	for i := range puts {
		release := resume
		if i >= puts-stragglers {
			release = lateResume
		}
		body := &stallingReader{src: newPatternReader(uint64(100+i), size), threshold: stallAt,
			reached: make(chan struct{}), release: release, resume: true}
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := g.send(testContext(t, 2*time.Minute), rawRequest{method: "PUT", rawPath: drainKey(i),
				body: body, contentLength: size, payloadHash: unsignedPayload})
			if err != nil {
				outcomes[i] = putOutcome{err: err}
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			outcomes[i] = putOutcome{status: resp.StatusCode}
		}()
		select {
		case <-body.reached:
		case <-time.After(time.Minute):
			t.Fatalf("PUT %d did not reach its stall point", i)
		}
		// On loopback the first 2 MiB can sit in socket buffers before the
		// gateway has even accepted the connection, and a connection still
		// in the listen backlog at SIGTERM is refused with the listener, as
		// with any server: wait until the gateway is serving this PUT.
		waitFor(t, time.Minute, fmt.Sprintf("the gateway to serve PUT %d", i), func() bool {
			return scrapeMetrics(t, "http://"+g.adminAddr)["terngate_requests_inflight"] >= float64(i+1)
		})
	}

	mustNoErr(t, g.cmd.Process.Signal(syscall.SIGTERM), "SIGTERM")
	waitFor(t, 5*time.Second, "the S3 listener to close", func() bool {
		c, err := net.DialTimeout("tcp", g.addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	body := expectAdminGET(t, "http://"+g.adminAddr+"/readyz", http.StatusServiceUnavailable, "not ready")
	if !strings.Contains(body, "shutdown") {
		t.Errorf("/readyz while draining does not name the shutdown: %q", body)
	}
	if g.hasExited() {
		t.Fatalf("terngate exited with PUTs in flight: %v", g.exitErr)
	}
	close(resume)

	select {
	case <-g.exited:
		if g.exitErr != nil {
			t.Errorf("exit after SIGTERM: %v", g.exitErr)
		}
	case <-time.After(grace + stopTimeout):
		t.Fatal("terngate did not exit after the shutdown grace")
	}
	close(lateResume)
	wg.Wait()

	g = g.restart(t)
	for i, o := range outcomes {
		completed := o.err == nil && o.status == http.StatusOK
		switch {
		case i < puts-stragglers && !completed:
			t.Errorf("PUT %d, resumed within the grace: %d %v, want 200", i, o.status, o.err)
		case i >= puts-stragglers && completed:
			t.Errorf("PUT %d, stalled past the grace, was answered 200", i)
		}
		if completed {
			expectObjectSHA256(t, g, "drain", fmt.Sprintf("k%d", i), size, patternSHA256(uint64(100+i), size))
			continue
		}
		resp := g.do(t, testContext(t, time.Minute), rawRequest{method: "HEAD", rawPath: drainKey(i)})
		if resp.status != http.StatusNotFound {
			t.Errorf("PUT %d failed (%d %v) but HEAD answers %d: a partial object?", i, o.status, o.err, resp.status)
		}
	}
}

func drainKey(i int) string { return fmt.Sprintf("/drain/k%d", i) }

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out after %v waiting for %s", d, what)
}
