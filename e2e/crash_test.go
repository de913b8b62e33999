package e2e

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

const (
	crashObjectSize = 1 << 30
	crashKillAfter  = 300 << 20
	// transientSlack is how much the data dir may grow over a crashed PUT
	// (metadata pages, logs), far below the bytes that were sent.
	transientSlack = 1 << 20
)

// stallingReader passes through its source until threshold bytes were read,
// then reports it and blocks until released: the request is then mid-body
// for as long as the test needs. Once released it fails the body, or with
// resume set, sends the rest.
type stallingReader struct {
	src       io.Reader
	read      int64
	threshold int64
	reached   chan struct{}
	release   <-chan struct{}
	resume    bool
	once      sync.Once
}

func (s *stallingReader) Read(p []byte) (int, error) {
	if s.read >= s.threshold {
		s.once.Do(func() { close(s.reached) })
		<-s.release
		if s.resume {
			return s.src.Read(p)
		}
		return 0, io.ErrUnexpectedEOF
	}
	if rem := s.threshold - s.read; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := s.src.Read(p)
	s.read += int64(n)
	return n, err
}

// interruptedPut streams a 1 GiB PUT of key and kill -9s the gateway once
// 300 MiB have been sent and w has seen a good part of them stored.
func interruptedPut(t *testing.T, g *gateway, key string, seed uint64, w storeWatch) {
	t.Helper()
	release := make(chan struct{})
	body := &stallingReader{src: newPatternReader(seed, crashObjectSize), threshold: crashKillAfter, reached: make(chan struct{}), release: release}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		resp, err := g.send(ctx, rawRequest{method: "PUT", rawPath: "/crash/" + key, body: body, contentLength: crashObjectSize, payloadHash: unsignedPayload})
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				err = errPutCompleted
			}
		}
		done <- err
	}()
	select {
	case <-body.reached:
	case err := <-done:
		t.Fatalf("the 1 GiB PUT ended before 300 MiB were sent: %v", err)
	case <-time.After(3 * time.Minute):
		t.Fatal("300 MiB not sent within 3 minutes")
	}
	w.awaitGrowth(t, crashKillAfter/3)
	g.kill()
	close(release)
	if err := <-done; err == errPutCompleted {
		t.Fatal("the interrupted PUT was answered 200")
	}
}

type putCompletedError struct{}

func (putCompletedError) Error() string { return "PUT completed" }

var errPutCompleted error = putCompletedError{}

// putPattern PUTs size pattern bytes of seed (streamed, unsigned payload).
func putPattern(t *testing.T, g *gateway, key string, seed uint64, size int64) {
	t.Helper()
	ctx := testContext(t, 5*time.Minute)
	resp, err := g.send(ctx, rawRequest{method: "PUT", rawPath: "/crash/" + key, body: newPatternReader(seed, size), contentLength: size, payloadHash: unsignedPayload})
	mustNoErr(t, err, "PUT %s", key)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT %s: %d %s", key, resp.StatusCode, body)
	}
}

// expectObjectSHA256 GETs bucket/key and compares its length and SHA-256.
func expectObjectSHA256(t *testing.T, g *gateway, bucket, key string, size int64, want string) {
	t.Helper()
	ctx := testContext(t, 5*time.Minute)
	resp, err := g.send(ctx, rawRequest{method: "GET", rawPath: "/" + bucket + "/" + key})
	mustNoErr(t, err, "GET %s", key)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", key, resp.StatusCode, b)
	}
	sum, n := readerSHA256(t, resp.Body)
	if n != size || sum != want {
		t.Fatalf("GET %s: %d bytes sha256 %s, want %d bytes sha256 %s", key, n, sum, size, want)
	}
}

func expectNoSuchKey(t *testing.T, g *gateway, key string) {
	t.Helper()
	resp := g.do(t, testContext(t, time.Minute), rawRequest{method: "GET", rawPath: "/crash/" + key})
	if resp.status != http.StatusNotFound || resp.errorCode() != "NoSuchKey" {
		t.Errorf("GET %s: %d %s, want 404 NoSuchKey", key, resp.status, resp.errorCode())
	}
}

// expectNoTransientGrowth checks the data dir did not keep the bytes of a
// crashed PUT.
func expectNoTransientGrowth(t *testing.T, dataDir string, before map[string]int64, what string) {
	t.Helper()
	after := treeFiles(t, dataDir)
	if grown := totalSize(after) - totalSize(before); grown > transientSlack {
		t.Errorf("%s: data dir grew by %d bytes (limit %d): transient data of the crashed PUT remains.\nbefore:\n%safter:\n%s",
			what, grown, transientSlack, describeTree(before), describeTree(after))
	}
}

// TestCrashDuringPut kill -9s the gateway in the middle of a new 1 GiB PUT:
// after a restart the key does not exist and the store keeps none of the
// bytes for good (see byRestart).
func TestCrashDuringPut(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	expectStatus(t, g.do(t, testContext(t, time.Minute), rawRequest{method: "PUT", rawPath: "/crash"}), http.StatusOK, "create bucket")
	w := watchStore(t, g, "crash", notePut)

	interruptedPut(t, g, "new-object", 1, w)
	g = g.restart(t)
	expectNoSuchKey(t, g, "new-object")
	w.expectReleased(t, "after a crashed new PUT and a restart", byRestart)
}

// TestCrashDuringOverwrite kill -9s the gateway while a 1 GiB object is being
// overwritten: the old object must survive intact.
func TestCrashDuringOverwrite(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	expectStatus(t, g.do(t, testContext(t, time.Minute), rawRequest{method: "PUT", rawPath: "/crash"}), http.StatusOK, "create bucket")
	const seedA, seedB = 10, 11
	putPattern(t, g, "big", seedA, crashObjectSize)
	sumA := patternSHA256(seedA, crashObjectSize)
	w := watchStore(t, g, "crash", notePut)

	interruptedPut(t, g, "big", seedB, w)
	g = g.restart(t)
	expectObjectSHA256(t, g, "crash", "big", crashObjectSize, sumA)
	w.expectReleased(t, "after a crashed overwrite and a restart", byRestart)
}

// TestCrashAfterPut kill -9s the gateway right after a PUT was answered: the
// acknowledged object must be there after a restart.
func TestCrashAfterPut(t *testing.T) {
	dataDir := newDataDir(t)
	g := startGateway(t, dataDir)
	expectStatus(t, g.do(t, testContext(t, time.Minute), rawRequest{method: "PUT", rawPath: "/crash"}), http.StatusOK, "create bucket")
	const size = 8 << 20
	putPattern(t, g, "acked", 20, size)
	small := []byte("small acknowledged object")
	expectStatus(t, g.do(t, testContext(t, time.Minute), rawRequest{method: "PUT", rawPath: "/crash/acked-small", bodyBytes: small}), http.StatusOK, "PUT small")
	g.kill()
	g = g.restart(t)
	expectObjectSHA256(t, g, "crash", "acked", size, patternSHA256(20, size))
	expectObjectSHA256(t, g, "crash", "acked-small", int64(len(small)), sha256Hex(small))
}

// expectDataDirGrowth waits until the data dir holds at least min bytes more
// than before: a streaming store has written what it received, so the crash
// really leaves transient data behind to clean up.
func expectDataDirGrowth(t *testing.T, dataDir string, before map[string]int64, min int64) {
	t.Helper()
	var grown int64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if grown = totalSize(treeFiles(t, dataDir)) - totalSize(before); grown >= min {
			t.Logf("data dir grew by %d MiB before the kill", grown>>20)
			return
		}
	}
	t.Fatalf("data dir grew by only %d bytes while 300 MiB of the PUT were sent (want ≥ %d): is the body buffered in memory?", grown, min)
}
