package objects

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terngate/terngate/internal/redistest"
	"github.com/terngate/terngate/lease"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/ternfs"
)

// ternfsReplicas opens n TernFS stores (n gateways' worth of clients) on one
// fresh root of the cluster in TERNFS_REGISTRY, each under a Layer with
// leases of ttl on r, and creates testBucket.
func ternfsReplicas(t *testing.T, r *redistest.Server, n int, ttl time.Duration) []replica {
	t.Helper()
	regs := os.Getenv("TERNFS_REGISTRY")
	if regs == "" {
		t.Skip("TERNFS_REGISTRY not set (host:port[,...]): this test needs a running TernFS cluster")
	}
	root := fmt.Sprintf("/terngate-objects-test/leases-%d", time.Now().UnixNano())
	var out []replica
	for range n {
		st, err := ternfs.Open(t.Context(), ternfs.Options{Registry: strings.Split(regs, ","), Root: root})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		rdb := r.Client(t)
		f := &freezer{}
		rdb.AddHook(f)
		l, err := New(t.Context(), st, st.Root(), Options{Leases: redisLeases{lease.New(rdb, lease.Options{TTL: ttl})}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, replica{layer: l, frozen: f})
	}
	if err := out[0].layer.CreateBucket(t.Context(), testBucket, "owner"); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPausedWriterIsFencedOnTernFS is TestPausedWriterIsFenced with two
// TernFS clients: the fence is ScrapTransientFile of the frozen gateway's
// file, and its LinkFile then fails FILE_NOT_FOUND on the shard.
func TestPausedWriterIsFencedOnTernFS(t *testing.T) {
	const ttl = 500 * time.Millisecond
	reps := ternfsReplicas(t, redistest.Start(t), 2, ttl)
	a, b := reps[0], reps[1]
	paused, wake := make(chan struct{}), make(chan struct{})
	var once sync.Once
	a.layer.beforeCommit = func() {
		once.Do(func() {
			a.frozen.freeze()
			close(paused)
			<-wake
		})
	}
	aDone := make(chan error, 1)
	go func() { aDone <- putIfNoneMatch(t.Context(), a.layer, "k", "from a") }()
	waitPaused(t, paused, aDone)
	if err := putIfNoneMatch(t.Context(), b.layer, "k", "from b"); err != nil {
		t.Fatalf("b's PUT while a is frozen: %v", err)
	}
	close(wake)
	a.frozen.thaw()
	if err := <-aDone; !errors.Is(err, s3err.ConditionalRequestConflict) {
		t.Fatalf("the frozen writer's PUT: %v, want ConditionalRequestConflict", err)
	}
	body, _, err := get(t.Context(), a.layer, "k")
	if err != nil || body != "from b" {
		t.Fatalf("object %q, %v; want b's", body, err)
	}
}

// TestLeasedIfNoneMatchHasOneWinnerOnTernFS: 20 concurrent If-None-Match
// PUTs through two TernFS clients, five rounds: exactly one winner each.
func TestLeasedIfNoneMatchHasOneWinnerOnTernFS(t *testing.T) {
	reps := ternfsReplicas(t, redistest.Start(t), 2, 2*time.Second)
	for round := range 5 {
		key := fmt.Sprintf("race/%d", round)
		var winners atomic.Int32
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				err := putIfNoneMatch(t.Context(), reps[i%2].layer, key, fmt.Sprintf("writer %d", i))
				switch {
				case err == nil:
					winners.Add(1)
				case errors.Is(err, s3err.PreconditionFailed):
				default:
					t.Errorf("round %d writer %d: %v", round, i, err)
				}
			})
		}
		wg.Wait()
		if n := winners.Load(); n != 1 {
			t.Errorf("round %d: %d writers created %s, want exactly 1", round, n, key)
		}
	}
}
