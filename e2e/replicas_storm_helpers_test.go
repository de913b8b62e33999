package e2e

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Helpers of the replica storms: many gateways over one TernFS root and
// one Redis, hammered with conditional writes while replicas are paused
// or Redis restarts.

// replicaSet is what startReplicaSet starts.
type replicaSet struct {
	gws   []*gateway
	redis *redisServer
	root  string
}

// startReplicaSet starts n gateways on one fresh TernFS bucket root and
// one Redis started with redisFlags; gwArgs go to every gateway.
func startReplicaSet(t testing.TB, n int, redisFlags []string, gwArgs ...string) replicaSet {
	t.Helper()
	registry := os.Getenv("TERNFS_REGISTRY")
	if registry == "" {
		t.Skip("TERNFS_REGISTRY not set (host:port): gateway replicas need a store they share, a TernFS cluster; " +
			"e.g. TERNFS_REGISTRY=127.0.0.1:10001 go test ./e2e -run Replica")
	}
	redis := startRedisServer(t, redisFlags...)
	root := fmt.Sprintf("/terngate-e2e/replicas-%d", time.Now().UnixNano())
	gws := make([]*gateway, n)
	for i := range gws {
		args := append([]string{"--store", "ternfs", "--ternfs-registry", registry,
			"--ternfs-root", root, "--redis-url", redis.url()}, gwArgs...)
		gws[i] = startGateway(t, newDataDir(t), args...)
	}
	return replicaSet{gws: gws, redis: redis, root: root}
}

// noRedisPersistence makes a restarted redis-server come back empty.
var noRedisPersistence = []string{"--save", "", "--appendonly", "no"}

// pid is the gateway's process ID, for signals the harness has no
// method for (SIGSTOP/SIGCONT).
func (g *gateway) pid() int { return g.cmd.Process.Pid }

// leaseTTLArgs asks for a short cross-replica lease, so that a paused
// replica's lease runs out within the test.
func leaseTTLArgs(ttl time.Duration) []string {
	return []string{"--lease-ttl", ttl.String()}
}

// stormCount is a count of the storms: def, or lower for local iteration
// through the environment variable name (never higher: the default is
// the bar).
func stormCount(t testing.TB, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > def {
		t.Fatalf("%s=%q: want 1..%d (it can only lower the default)", name, v, def)
	}
	t.Logf("%s=%d lowers the default %d", name, n, def)
	return n
}

// answer is one response of a storm, read whole. A Complete can fail
// after its 200 status line: code then holds the error in its body.
type answer struct {
	status int
	code   string
	etag   string
	body   []byte
	err    error // transport error; status is 0
}

func (a answer) String() string {
	switch {
	case a.err != nil:
		return "transport error: " + a.err.Error()
	case a.code != "":
		return fmt.Sprintf("%d %s", a.status, a.code)
	}
	return strconv.Itoa(a.status)
}

// ok is a success: a 2xx with no error document.
func (a answer) ok() bool { return a.err == nil && a.status/100 == 2 && a.code == "" }

// exchange sends r to g and reads the whole answer.
func exchange(ctx context.Context, g *gateway, r rawRequest) answer {
	resp, err := g.send(ctx, r)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{status: resp.StatusCode, err: fmt.Errorf("reading the body: %w", err)}
	}
	a := answer{status: resp.StatusCode, etag: strings.Trim(resp.Header.Get("ETag"), `"`), body: body}
	if bytes.Contains(body, []byte("<Error>")) {
		var e s3Error
		if xml.Unmarshal(body, &e) == nil {
			a.code = e.Code
		}
		if a.code == "" {
			a.code = "(unparsed error document)"
		}
	}
	return a
}

func putRaw(ctx context.Context, g *gateway, bucket, key string, body []byte, header http.Header) answer {
	return exchange(ctx, g, rawRequest{method: "PUT", rawPath: "/" + bucket + "/" + key, header: header, bodyBytes: body})
}

func getRaw(ctx context.Context, g *gateway, bucket, key string) answer {
	return exchange(ctx, g, rawRequest{method: "GET", rawPath: "/" + bucket + "/" + key})
}

func ifNoneMatchStar() http.Header { return http.Header{"If-None-Match": {"*"}} }

func ifMatch(etag string) http.Header { return http.Header{"If-Match": {`"` + etag + `"`}} }

// tally counts answers by their String.
type tally struct {
	mu sync.Mutex
	n  map[string]int
}

func (t *tally) add(a answer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == nil {
		t.n = make(map[string]int)
	}
	t.n[a.String()]++
}

func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	keys := make([]string, 0, len(t.n))
	for k := range t.n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s ×%d; ", k, t.n[k])
	}
	return b.String()
}

// A conditional write that loses answers one of these: the condition was
// judged false (412 PreconditionFailed), or a conflicting write of the key
// was in progress (409 ConditionalRequestConflict). AWS documents both for
// If-None-Match on PutObject and CompleteMultipartUpload, e.g. the SDK's
// CompleteMultipartUploadRequest.ifNoneMatch
// (https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/s3/aws.sdk.kotlin.services.s3.model/-complete-multipart-upload-request/if-none-match.html)
// and https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html.
func lostCleanly(a answer) bool {
	return (a.status == http.StatusPreconditionFailed && a.code == "PreconditionFailed") ||
		(a.status == http.StatusConflict && a.code == "ConditionalRequestConflict")
}

// completeLostCleanly is lostCleanly for a Complete, whose error may also
// follow a 200 status line: the gateway sends it (and whitespace) early
// while a long assembly runs, as S3 does: the CompleteMultipartUpload API
// reference says a request can fail after the initial 200 OK, so a 200 OK
// can carry an error document
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html).
func completeLostCleanly(a answer) bool {
	if a.err == nil && a.status == http.StatusOK {
		return a.code == "PreconditionFailed" || a.code == "ConditionalRequestConflict"
	}
	return lostCleanly(a)
}

// unavailable is the refusal a replica gives while it cannot reach the
// lease's Redis: 503, which every SDK retries (SlowDown or
// ServiceUnavailable).
func unavailable(a answer) bool {
	return a.status == http.StatusServiceUnavailable && (a.code == "ServiceUnavailable" || a.code == "SlowDown")
}

// chaos is a disturbance run by the test goroutine while a storm runs in
// others, until done closes.
type chaos func(t *testing.T, done <-chan struct{})

// runStorm runs storm in a goroutine while disturb (if any) runs here.
func runStorm(t *testing.T, storm func(), disturb chaos) {
	done := make(chan struct{})
	go func() { defer close(done); storm() }()
	if disturb != nil {
		disturb(t, done)
	}
	<-done
}

// pauseReplica SIGSTOPs g for stopped (longer than its lease), then
// SIGCONTs it for running, over and over until done.
func pauseReplica(g *gateway, stopped, running time.Duration) chaos {
	return func(t *testing.T, done <-chan struct{}) {
		pauses := 0
		defer func() { t.Logf("replica %s was paused %d times for %v", g.addr, pauses, stopped) }()
		for {
			select {
			case <-done:
				return
			case <-time.After(running):
			}
			if err := syscall.Kill(g.pid(), syscall.SIGSTOP); err != nil {
				t.Errorf("SIGSTOP %d: %v", g.pid(), err)
				return
			}
			pauses++
			time.Sleep(stopped)
			if err := syscall.Kill(g.pid(), syscall.SIGCONT); err != nil {
				t.Fatalf("SIGCONT %d: %v", g.pid(), err)
			}
		}
	}
}

// restartRedis kills redis-server (it has no persistence: it comes back
// empty) and starts it again on its port after down, every every, until
// done. It records when Redis was down.
func restartRedis(r *redisServer, every, down time.Duration, outages *[][2]time.Time) chaos {
	return func(t *testing.T, done <-chan struct{}) {
		for {
			select {
			case <-done:
				return
			case <-time.After(every):
			}
			from := time.Now()
			r.kill()
			time.Sleep(down)
			r.start()
			*outages = append(*outages, [2]time.Time{from, time.Now()})
		}
	}
}

// logInternalErrors logs the errors the gateways answered 500 for (their
// log tail, printed on failure, may have lost them).
func logInternalErrors(t testing.TB, gws []*gateway) {
	t.Helper()
	for i, g := range gws {
		n := 0
		for line := range strings.Lines(g.stderr.String()) {
			if strings.Contains(line, `msg="internal error"`) {
				if n++; n <= 10 {
					t.Logf("replica %d: %s", i, strings.TrimSpace(line))
				}
			}
		}
		if n > 10 {
			t.Logf("replica %d: ... and %d more internal errors", i, n-10)
		}
	}
}
