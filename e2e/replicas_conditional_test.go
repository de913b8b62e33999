package e2e

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Conditional writes across replicas (issue #14): replicas share one
// TernFS root and one Redis, and a conditional write must be decided once
// for all of them, not once per process. The counts are the bar;
// TERNGATE_E2E_TRIALS, TERNGATE_E2E_CONTENDERS and
// TERNGATE_E2E_INCREMENTS can only lower them, for local iteration.

const (
	stormReplicas    = 3
	stormTrials      = 100
	stormContenders  = 30
	stormIncrements  = 300
	counterWorkers   = 3 // per replica
	stormLeaseTTL    = time.Second
	stormPause       = 2500 * time.Millisecond // > stormLeaseTTL: the lease lapses
	stormPauseGap    = 700 * time.Millisecond
	redisOutageEvery = 2 * time.Second
	redisOutage      = 2 * time.Second
)

type stormCounts struct{ trials, contenders, increments int }

func countsOf(t testing.TB) stormCounts {
	return stormCounts{
		trials:     stormCount(t, "TERNGATE_E2E_TRIALS", stormTrials),
		contenders: stormCount(t, "TERNGATE_E2E_CONTENDERS", stormContenders),
		increments: stormCount(t, "TERNGATE_E2E_INCREMENTS", stormIncrements),
	}
}

// TestReplicasIfNoneMatchStorm: 30 concurrent If-None-Match: * PUTs of one
// key spread over three replicas give exactly one 200; the others lose
// with 412 or 409, and every replica then serves the winner's body.
func TestReplicasIfNoneMatchStorm(t *testing.T) {
	rs := startReplicaSet(t, stormReplicas, nil, leaseTTLArgs(stormLeaseTTL)...)
	n := countsOf(t)
	createBucketSDK(t, rs.gws[0].sdkClient(), "storm")
	ifNoneMatchStorm(t, rs.gws, "storm", n.trials, n.contenders, false)
}

// TestReplicasCompleteIfNoneMatchStorm: 30 uploads of one key, completed
// concurrently over three replicas with If-None-Match: *, give exactly
// one winner, and the object is the winner's.
func TestReplicasCompleteIfNoneMatchStorm(t *testing.T) {
	rs := startReplicaSet(t, stormReplicas, nil, leaseTTLArgs(stormLeaseTTL)...)
	n := countsOf(t)
	createBucketSDK(t, rs.gws[0].sdkClient(), "storm")
	completeStorm(t, rs.gws, "storm", n.trials, n.contenders)
}

// TestReplicasIfMatchCounter increments a decimal counter object by
// compare-and-swap (GET, PUT If-Match its ETag, again on 412/409) from
// several workers on each of three replicas: it ends at exactly the number
// of successful PUTs, each of which wrote a value no other did.
func TestReplicasIfMatchCounter(t *testing.T) {
	rs := startReplicaSet(t, stormReplicas, nil, leaseTTLArgs(stormLeaseTTL)...)
	n := countsOf(t)
	createBucketSDK(t, rs.gws[0].sdkClient(), "storm")
	ifMatchCounter(t, rs.gws, "storm", "counter", n.increments, false)
}

// TestReplicasPausedMidStorm runs the If-None-Match storm and the counter
// while one replica is SIGSTOPped again and again for longer than its
// lease: when it wakes up, whatever it was writing under a lease that
// lapsed must not win a second time.
func TestReplicasPausedMidStorm(t *testing.T) {
	rs := startReplicaSet(t, stormReplicas, nil, leaseTTLArgs(stormLeaseTTL)...)
	n := countsOf(t)
	createBucketSDK(t, rs.gws[0].sdkClient(), "storm")
	pause := pauseReplica(rs.gws[0], stormPause, stormPauseGap)
	t.Run("IfNoneMatch", func(t *testing.T) {
		runStorm(t, func() { ifNoneMatchStorm(t, rs.gws, "storm", n.trials, n.contenders, false) }, pause)
	})
	t.Run("IfMatchCounter", func(t *testing.T) {
		runStorm(t, func() { ifMatchCounter(t, rs.gws, "storm", "counter", n.increments, false) }, pause)
	})
}

// TestReplicasRedisRestartMidStorm runs the If-None-Match storm and the
// counter while the replicas' redis-server is killed and started again,
// empty, on its port. While it is down a conditional write is refused
// with a 503 (which SDKs retry), never granted twice.
func TestReplicasRedisRestartMidStorm(t *testing.T) {
	rs := startReplicaSet(t, stormReplicas, noRedisPersistence, leaseTTLArgs(stormLeaseTTL)...)
	n := countsOf(t)
	createBucketSDK(t, rs.gws[0].sdkClient(), "storm")
	var outages [][2]time.Time
	restart := restartRedis(rs.redis, redisOutageEvery, redisOutage, &outages)
	t.Run("IfNoneMatch", func(t *testing.T) {
		runStorm(t, func() { ifNoneMatchStorm(t, rs.gws, "storm", n.trials, n.contenders, true) }, restart)
	})
	t.Run("IfMatchCounter", func(t *testing.T) {
		runStorm(t, func() { ifMatchCounter(t, rs.gws, "storm", "counter", n.increments, true) }, restart)
	})
	t.Logf("redis-server was restarted %d times", len(outages))
	if len(outages) == 0 {
		t.Error("the storms ended before Redis was ever restarted: they proved nothing about it")
	}
}

// errorBudget reports the first few errors of a storm in full and only
// counts the rest.
type errorBudget struct {
	t    *testing.T
	mu   sync.Mutex
	seen int
}

func (b *errorBudget) errorf(format string, args ...any) {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seen++
	if b.seen <= 20 {
		b.t.Errorf(format, args...)
	}
}

func (b *errorBudget) close() {
	if b.seen > 20 {
		b.t.Errorf("... and %d more errors", b.seen-20)
	}
}

// ifNoneMatchStorm runs trials of contenders concurrent If-None-Match: *
// PUTs of a fresh key, writer i on replica i mod len(gws). mayBeUnavailable
// admits 503 refusals (and then a trial nobody won, if the key stays
// absent).
func ifNoneMatchStorm(t *testing.T, gws []*gateway, bucket string, trials, contenders int, mayBeUnavailable bool) {
	ctx := testContext(t, 60*time.Minute)
	errs := &errorBudget{t: t}
	defer errs.close()
	var answers tally
	multiple := 0
	for trial := range trials {
		key := fmt.Sprintf("once/%03d", trial)
		bodies := make([][]byte, contenders)
		got := make([]answer, contenders)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range contenders {
			bodies[i] = fmt.Appendf(nil, "trial %d, writer %d, replica %d\n", trial, i, i%len(gws))
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got[i] = putRaw(ctx, gws[i%len(gws)], bucket, key, bodies[i], ifNoneMatchStar())
			}()
		}
		close(start)
		wg.Wait()
		var winners []int
		for i, a := range got {
			answers.add(a)
			switch {
			case a.ok():
				winners = append(winners, i)
			case lostCleanly(a), mayBeUnavailable && unavailable(a):
			default:
				errs.errorf("trial %d: writer %d (replica %d) answered %s: %.300s", trial, i, i%len(gws), a, a.body)
			}
		}
		if len(winners) > 1 {
			multiple++
			errs.errorf("trial %d: %d writers won %s: %v", trial, len(winners), key, winners)
		}
		checkStoredWinner(ctx, errs, gws, bucket, key, trial, winners, bodies, mayBeUnavailable)
	}
	t.Logf("%d trials of %d writers over %d replicas: %s", trials, contenders, len(gws), answers.String())
	if multiple > 0 {
		t.Errorf("%d of %d trials had more than one winner", multiple, trials)
	}
}

// checkStoredWinner reads key from every replica: the body is the
// winner's, or (no winner) the key is absent.
func checkStoredWinner(ctx context.Context, errs *errorBudget, gws []*gateway, bucket, key string, trial int, winners []int, bodies [][]byte, mayBeUnavailable bool) {
	for r, g := range gws {
		a := settledGet(ctx, g, bucket, key)
		switch {
		case len(winners) == 0 && !mayBeUnavailable:
			errs.errorf("trial %d: nobody won %s", trial, key)
		case len(winners) == 0:
			if a.status != http.StatusNotFound || a.code != "NoSuchKey" {
				errs.errorf("trial %d: every writer was refused, yet replica %d GETs %s: %s %.200q", trial, r, key, a, a.body)
			}
		case !a.ok():
			errs.errorf("trial %d: GET %s from replica %d: %s %.200s", trial, key, r, a, a.body)
		case len(winners) == 1 && string(a.body) != string(bodies[winners[0]]):
			errs.errorf("trial %d: replica %d serves %q, the winner (writer %d) wrote %q", trial, r, a.body, winners[0], bodies[winners[0]])
		}
	}
}

// settledGet is a GET that waits out 503s (Redis restarting).
func settledGet(ctx context.Context, g *gateway, bucket, key string) answer {
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		a := getRaw(ctx, g, bucket, key)
		if !unavailable(a) || time.Now().After(deadline) {
			return a
		}
	}
}

// ifMatchCounter increments the decimal counter in key increments times
// by compare-and-swap, from counterWorkers workers per replica, each
// owning a share of the increments.
func ifMatchCounter(t *testing.T, gws []*gateway, bucket, key string, increments int, mayBeUnavailable bool) {
	ctx := testContext(t, 60*time.Minute)
	errs := &errorBudget{t: t}
	defer errs.close()
	if a := putRaw(ctx, gws[0], bucket, key, []byte("0"), nil); !a.ok() {
		t.Fatalf("PUT %s = 0: %s %.300s", key, a, a.body)
	}
	var answers tally
	var mu sync.Mutex
	wroteBy := make(map[int][]int) // counter value -> workers whose PUT of it succeeded
	workers := counterWorkers * len(gws)
	var wg sync.WaitGroup
	for w := range workers {
		share := increments / workers
		if w < increments%workers {
			share++
		}
		g := gws[w%len(gws)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for share > 0 {
				if ctx.Err() != nil {
					errs.errorf("worker %d: %d increments left at the deadline", w, share)
					return
				}
				cur := getRaw(ctx, g, bucket, key)
				if mayBeUnavailable && unavailable(cur) {
					time.Sleep(50 * time.Millisecond)
					continue
				}
				n, err := strconv.Atoi(string(cur.body))
				if !cur.ok() || err != nil || cur.etag == "" {
					errs.errorf("worker %d: GET %s: %s, ETag %q, body %.200q", w, key, cur, cur.etag, cur.body)
					return
				}
				a := putRaw(ctx, g, bucket, key, []byte(strconv.Itoa(n+1)), ifMatch(cur.etag))
				answers.add(a)
				switch {
				case a.ok():
					mu.Lock()
					wroteBy[n+1] = append(wroteBy[n+1], w)
					mu.Unlock()
					share--
				case lostCleanly(a):
				case mayBeUnavailable && unavailable(a):
					time.Sleep(50 * time.Millisecond)
				default:
					errs.errorf("worker %d: PUT %s = %d If-Match %s: %s %.300s", w, key, n+1, cur.etag, a, a.body)
					return
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d increments by %d workers over %d replicas: %s", increments, workers, len(gws), answers.String())
	for v := 1; v <= increments; v++ {
		if len(wroteBy[v]) != 1 {
			errs.errorf("value %d was written by %d successful PUTs (workers %v), want exactly 1", v, len(wroteBy[v]), wroteBy[v])
		}
	}
	for r, g := range gws {
		a := settledGet(ctx, g, bucket, key)
		if !a.ok() || string(a.body) != strconv.Itoa(increments) {
			t.Errorf("replica %d: the counter reads %s %.100q after %d successful increments, want %d", r, a, a.body, increments, increments)
		}
	}
}

// completeStorm runs trials of contenders uploads of one fresh key each,
// completed concurrently with If-None-Match: *.
func completeStorm(t *testing.T, gws []*gateway, bucket string, trials, contenders int) {
	ctx := testContext(t, 60*time.Minute)
	errs := &errorBudget{t: t}
	defer errs.close()
	var answers tally
	multiple := 0
	for trial := range trials {
		key := fmt.Sprintf("assembled/%03d", trial)
		ids := make([]string, contenders)
		bodies := make([][]byte, contenders)
		got := make([]answer, contenders)
		var prepared sync.WaitGroup
		for i := range contenders {
			bodies[i] = fmt.Appendf(nil, "trial %d, upload %d, replica %d\n", trial, i, i%len(gws))
			prepared.Add(1)
			go func() {
				defer prepared.Done()
				ids[i] = createUploadRaw(ctx, errs, gws[i%len(gws)], bucket, key)
				if ids[i] == "" {
					return
				}
				part := exchange(ctx, gws[(i+1)%len(gws)], rawRequest{method: "PUT", rawPath: "/" + bucket + "/" + key,
					rawQuery: "partNumber=1&uploadId=" + url.QueryEscape(ids[i]), bodyBytes: bodies[i]})
				if !part.ok() || part.etag != md5Hex(bodies[i]) {
					errs.errorf("trial %d: UploadPart of upload %d: %s ETag %q %.200s", trial, i, part, part.etag, part.body)
					ids[i] = ""
				}
			}()
		}
		prepared.Wait()
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range contenders {
			if ids[i] == "" {
				continue
			}
			doc := fmt.Sprintf("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%q</ETag></Part></CompleteMultipartUpload>", md5Hex(bodies[i]))
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got[i] = exchange(ctx, gws[(i+2)%len(gws)], rawRequest{method: "POST", rawPath: "/" + bucket + "/" + key,
					rawQuery: "uploadId=" + url.QueryEscape(ids[i]), header: ifNoneMatchStar(), bodyBytes: []byte(doc)})
			}()
		}
		close(start)
		wg.Wait()
		var winners []int
		for i, a := range got {
			if ids[i] == "" {
				continue
			}
			answers.add(a)
			switch {
			case a.ok():
				winners = append(winners, i)
			case completeLostCleanly(a):
			default:
				errs.errorf("trial %d: Complete of upload %d (replica %d) answered %s: %.300s", trial, i, (i+2)%len(gws), a, a.body)
			}
		}
		if len(winners) > 1 {
			multiple++
			errs.errorf("trial %d: %d Completes won %s: %v", trial, len(winners), key, winners)
		}
		checkStoredWinner(ctx, errs, gws, bucket, key, trial, winners, bodies, false)
		if len(winners) == 1 {
			want := multipartETagOf([][]byte{md5Of(bodies[winners[0]])})
			if a := getRaw(ctx, gws[0], bucket, key); `"`+a.etag+`"` != want {
				errs.errorf("trial %d: ETag %q, the winner's is %s", trial, a.etag, want)
			}
		}
		abortLosers(ctx, gws, bucket, key, ids, winners)
	}
	t.Logf("%d trials of %d Completes over %d replicas: %s", trials, contenders, len(gws), answers.String())
	if multiple > 0 {
		t.Errorf("%d of %d trials had more than one winner", multiple, trials)
	}
}

// createUploadRaw starts an upload and returns its ID ("" after an error).
func createUploadRaw(ctx context.Context, errs *errorBudget, g *gateway, bucket, key string) string {
	a := exchange(ctx, g, rawRequest{method: "POST", rawPath: "/" + bucket + "/" + key, rawQuery: "uploads"})
	var out struct {
		UploadID string `xml:"UploadId"`
	}
	if !a.ok() || xml.Unmarshal(a.body, &out) != nil || out.UploadID == "" {
		errs.errorf("CreateMultipartUpload %s: %s %.300s", key, a, a.body)
		return ""
	}
	return out.UploadID
}

// abortLosers aborts the uploads that did not win, so the key's uploads
// do not pile up over the trials.
func abortLosers(ctx context.Context, gws []*gateway, bucket, key string, ids []string, winners []int) {
	var wg sync.WaitGroup
	for i, id := range ids {
		if id == "" || (len(winners) > 0 && winners[0] == i) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			exchange(ctx, gws[i%len(gws)], rawRequest{method: "DELETE", rawPath: "/" + bucket + "/" + key,
				rawQuery: "uploadId=" + url.QueryEscape(id)})
		}()
	}
	wg.Wait()
}
