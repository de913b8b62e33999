package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"
)

// smallObjectState is what a key holds: absent, or version v of its body
// (whose bytes, size and metadata derive from key and v).
type smallObjectState struct {
	present bool
	version int
}

// smallVersionBody is version v of key: sizes alternate between bodies the
// local store keeps inline in meta.db and bodies that get a data file of
// their own, so both commit points are crossed.
func smallVersionBody(key string, v int) []byte {
	sizes := []int{0, 1, 4 << 10, 60 << 10, 70 << 10, 200 << 10}
	size := sizes[(v+len(key))%len(sizes)]
	b := make([]byte, size)
	r := rand.New(rand.NewPCG(uint64(v), uint64(len(key))*7919+uint64(key[len(key)-1])))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// answeredError is a request the gateway answered with an unexpected status:
// unlike a broken connection, never an effect of the kill.
type answeredError struct{ error }

func putSmallVersion(ctx context.Context, g *gateway, key string, v int) error {
	h := http.Header{}
	h.Set("x-amz-meta-version", fmt.Sprint(v))
	h.Set("Content-Type", "application/x-v"+fmt.Sprint(v))
	resp, err := g.send(ctx, rawRequest{method: "PUT", rawPath: "/crashsmall/" + key, header: h, bodyBytes: smallVersionBody(key, v)})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return answeredError{fmt.Errorf("PUT %s v%d: %d %s", key, v, resp.StatusCode, body)}
	}
	return nil
}

func deleteSmall(ctx context.Context, g *gateway, key string) error {
	resp, err := g.send(ctx, rawRequest{method: "DELETE", rawPath: "/crashsmall/" + key})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusNoContent {
		return answeredError{fmt.Errorf("DELETE %s: %d", key, resp.StatusCode)}
	}
	return nil
}

// observeSmall reads key back: absent, or the version its metadata names,
// after checking that bytes, ETag and content type are that version's.
func observeSmall(t *testing.T, g *gateway, key string) smallObjectState {
	t.Helper()
	resp := g.do(t, testContext(t, time.Minute), rawRequest{method: "GET", rawPath: "/crashsmall/" + key})
	if resp.status == http.StatusNotFound && resp.errorCode() == "NoSuchKey" {
		return smallObjectState{}
	}
	if resp.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", key, resp.status, resp.body)
	}
	var v int
	if _, err := fmt.Sscan(resp.header.Get("x-amz-meta-version"), &v); err != nil {
		t.Fatalf("GET %s: x-amz-meta-version %q", key, resp.header.Get("x-amz-meta-version"))
	}
	want := smallVersionBody(key, v)
	sum := md5.Sum(want)
	if !bytes.Equal(resp.body, want) {
		t.Errorf("GET %s: %d bytes are not those of version %d (%d bytes)", key, len(resp.body), v, len(want))
	}
	if etag := resp.header.Get("ETag"); etag != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Errorf("GET %s: ETag %s, want version %d's MD5", key, etag, v)
	}
	if ct := resp.header.Get("Content-Type"); ct != "application/x-v"+fmt.Sprint(v) {
		t.Errorf("GET %s: Content-Type %q, want version %d's", key, ct, v)
	}
	return smallObjectState{present: true, version: v}
}

// smallKeyLog is what the test knows of one key: the state its last
// acknowledged request left, and the request in flight, if any.
type smallKeyLog struct {
	acked    smallObjectState
	inFlight *smallObjectState
}

// TestKillDuringSmallWrites kill -9s the gateway (local store) while many
// concurrent PUTs, overwrites and deletes of small and larger objects are
// in flight, then restarts it on the same data dir, three times at
// different moments. Thirty-two writers keep the local store's group
// commit busy (while one commit syncs, the next writers queue to share the
// following one), so each kill lands with commits running and writers
// queued. Each key is written by one worker, one request at a time, so
// after the restart it must hold exactly what its last acknowledged
// request left, or what the request in flight at the kill would have left
// (unanswered, it may or may not have committed): never another version,
// never bytes or metadata of another version, never a partial body.
func TestKillDuringSmallWrites(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	expectStatus(t, g.do(t, testContext(t, time.Minute), rawRequest{method: "PUT", rawPath: "/crashsmall"}), http.StatusOK, "create bucket")

	const workers, keysPerWorker = 32, 4
	logs := make([][]smallKeyLog, workers)
	for w := range logs {
		logs[w] = make([]smallKeyLog, keysPerWorker)
	}
	for cycle, runFor := range []time.Duration{1500 * time.Millisecond, 400 * time.Millisecond, 900 * time.Millisecond} {
		writeSmallUntilKill(t, g, logs, cycle, runFor)
		g = g.restart(t)
		acked := 0
		for w := range workers {
			for k := range keysPerWorker {
				key := fmt.Sprintf("w%d/k%02d", w, k)
				got := observeSmall(t, g, key)
				lg := logs[w][k]
				if lg.acked.present {
					acked++
				}
				if got != lg.acked && (lg.inFlight == nil || got != *lg.inFlight) {
					t.Errorf("%s after crash %d: %+v; last acknowledged %+v, in flight %+v", key, cycle+1, got, lg.acked, lg.inFlight)
				}
				logs[w][k] = smallKeyLog{acked: got}
			}
		}
		if acked == 0 {
			t.Fatalf("crash %d: no write was acknowledged before the kill: the test proved nothing", cycle+1)
		}
		t.Logf("crash %d after %v: %d keys held an acknowledged object", cycle+1, runFor, acked)
	}
}

// writeSmallUntilKill runs one writer per row of logs against g, keeping
// logs up to date, and kill -9s g after runFor. Versions written in cycle
// are cycle*1e6 + n, so no two cycles write the same one.
func writeSmallUntilKill(t *testing.T, g *gateway, logs [][]smallKeyLog, cycle int, runFor time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex // guards logs and answered
	var answered []error
	for w := range logs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), uint64(cycle)+1))
			for op := 1; ctx.Err() == nil; op++ {
				k := r.IntN(len(logs[w]))
				key := fmt.Sprintf("w%d/k%02d", w, k)
				next := smallObjectState{present: true, version: cycle*1_000_000 + op}
				if r.IntN(5) == 0 {
					next = smallObjectState{}
				}
				mu.Lock()
				logs[w][k].inFlight = &next
				mu.Unlock()
				var err error
				if next.present {
					err = putSmallVersion(ctx, g, key, next.version)
				} else {
					err = deleteSmall(ctx, g, key)
				}
				if err != nil {
					if _, ok := err.(answeredError); ok {
						mu.Lock()
						answered = append(answered, err)
						mu.Unlock()
					}
					return // the kill: the op stays in flight
				}
				mu.Lock()
				logs[w][k] = smallKeyLog{acked: next}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(runFor)
	g.kill()
	cancel()
	wg.Wait()
	for _, err := range answered {
		t.Errorf("before kill %d: %v", cycle+1, err)
	}
}
