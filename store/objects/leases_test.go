package objects

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/terngate/terngate/internal/redistest"
	"github.com/terngate/terngate/lease"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

// redisLeases is package lease as this package's NameLeases (the gateway
// has the same adapter).
type redisLeases struct{ *lease.Leases }

func (r redisLeases) Acquire(ctx context.Context, name string, holder store.Transient, fence func(context.Context, store.Transient) error) (NameLease, error) {
	l, err := r.Leases.Acquire(ctx, name, holder, fence)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// freezer stops a Redis client's traffic, as SIGSTOP would stop a
// process's: while frozen, commands wait until thawed or their context ends.
type freezer struct {
	mu     sync.Mutex
	thawed chan struct{}
}

func (f *freezer) freeze() { f.mu.Lock(); f.thawed = make(chan struct{}); f.mu.Unlock() }
func (f *freezer) thaw()   { f.mu.Lock(); close(f.thawed); f.thawed = nil; f.mu.Unlock() }

func (f *freezer) wait(ctx context.Context) error {
	f.mu.Lock()
	ch := f.thawed
	f.mu.Unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *freezer) DialHook(next redis.DialHook) redis.DialHook { return next }
func (f *freezer) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if err := f.wait(ctx); err != nil {
			return err
		}
		return next(ctx, cmd)
	}
}
func (f *freezer) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if err := f.wait(ctx); err != nil {
			return err
		}
		return next(ctx, cmds)
	}
}

// replica is one simulated gateway: its own Layer (own locks and caches)
// and its own Redis client, over the store and Redis all replicas share.
type replica struct {
	layer  *Layer
	frozen *freezer
}

// newReplicas opens one local store with testBucket and n layers over it,
// each with leases of ttl on r (none if r is nil).
func newReplicas(t testing.TB, r *redistest.Server, n int, ttl time.Duration) ([]replica, *local.Store) {
	t.Helper()
	st, err := local.Open(fastTempDir(t), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var out []replica
	for range n {
		f := &freezer{}
		var opts Options
		if r != nil {
			rdb := r.Client(t)
			rdb.AddHook(f)
			opts.Leases = redisLeases{lease.New(rdb, lease.Options{TTL: ttl})}
		}
		l, err := New(t.Context(), st, st.Root(), opts)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, replica{layer: l, frozen: f})
	}
	if err := out[0].layer.CreateBucket(t.Context(), testBucket, "owner"); err != nil {
		t.Fatal(err)
	}
	return out, st
}

func putIfNoneMatch(ctx context.Context, l *Layer, key, body string) error {
	_, err := l.Put(ctx, PutInput{Bucket: testBucket, Key: key, Body: strings.NewReader(body), Size: int64(len(body)), IfNoneMatchStar: true})
	return err
}

// TestLeasedIfNoneMatchHasOneWinner: 30 concurrent If-None-Match PUTs of one
// key through two layers (two gateways' worth of in-process locks) create
// the object exactly once; every other one is 412.
func TestLeasedIfNoneMatchHasOneWinner(t *testing.T) {
	reps, _ := newReplicas(t, redistest.Start(t), 2, 2*time.Second)
	var winners atomic.Int32
	var winner atomic.Value
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			body := fmt.Sprintf("writer %d", i)
			err := putIfNoneMatch(t.Context(), reps[i%2].layer, "race/key", body)
			switch {
			case err == nil:
				winners.Add(1)
				winner.Store(body)
			case errors.Is(err, s3err.PreconditionFailed):
			default:
				t.Errorf("writer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if n := winners.Load(); n != 1 {
		t.Fatalf("%d writers created the key, want exactly 1", n)
	}
	for _, r := range reps {
		body, _, err := get(t.Context(), r.layer, "race/key")
		if err != nil || body != winner.Load() {
			t.Fatalf("object %q, %v; want the winner's %q", body, err, winner.Load())
		}
	}
}

// TestPausedWriterIsFenced: a gateway that checked If-None-Match and is then
// frozen (process and Redis traffic) right before its link, past its lease,
// loses: the other gateway fences its file and creates the object; the
// frozen one's link, when it wakes, fails with ConditionalRequestConflict
// and leaves nothing behind.
func TestPausedWriterIsFenced(t *testing.T) {
	const ttl = 400 * time.Millisecond
	reps, _ := newReplicas(t, redistest.Start(t), 2, ttl)
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

	start := time.Now()
	if err := putIfNoneMatch(t.Context(), b.layer, "k", "from b"); err != nil {
		t.Fatalf("b's PUT while a is frozen: %v", err)
	}
	if waited := time.Since(start); waited < ttl/2 {
		t.Errorf("b won after %v, before a's lease could have expired", waited)
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

// TestWithoutLeasesPausedWriterAlsoWins is the control: the same pause
// with only in-process locks (two layers, no leases) lets both writers
// "create" the key, which is issue #14.
func TestWithoutLeasesPausedWriterAlsoWins(t *testing.T) {
	st, err := local.Open(fastTempDir(t), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a, err := New(t.Context(), st, st.Root(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(t.Context(), st, st.Root(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CreateBucket(t.Context(), testBucket, "owner"); err != nil {
		t.Fatal(err)
	}
	paused, wake := make(chan struct{}), make(chan struct{})
	var once sync.Once
	a.beforeCommit = func() { once.Do(func() { close(paused); <-wake }) }
	aDone := make(chan error, 1)
	go func() { aDone <- putIfNoneMatch(t.Context(), a, "k", "from a") }()
	waitPaused(t, paused, aDone)
	errB := putIfNoneMatch(t.Context(), b, "k", "from b")
	close(wake)
	if errA := <-aDone; errA != nil || errB != nil {
		t.Fatalf("without leases both writers should win (the bug leases fix): a %v, b %v", errA, errB)
	}
}

// TestPausedMetadataReplaceIsFenced: a copy-in-place frozen before linking
// its new record loses to a PUT from another gateway; the object keeps the
// PUT's bytes and metadata.
func TestPausedMetadataReplaceIsFenced(t *testing.T) {
	const ttl = 400 * time.Millisecond
	reps, _ := newReplicas(t, redistest.Start(t), 2, ttl)
	a, b := reps[0], reps[1]
	old := mustPut(t, a.layer, "k", "v1")
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
	go func() {
		_, err := a.layer.ReplaceMetadata(t.Context(), testBucket, "k", old.ETag, Metadata{ContentType: "text/replaced"})
		aDone <- err
	}()
	waitPaused(t, paused, aDone)
	_, err := b.layer.Put(t.Context(), PutInput{Bucket: testBucket, Key: "k", Body: strings.NewReader("v2"), Size: 2, IfMatch: old.ETag, Metadata: Metadata{ContentType: "text/b"}})
	if err != nil {
		t.Fatalf("b's If-Match PUT while a is frozen: %v", err)
	}
	close(wake)
	a.frozen.thaw()
	if err := <-aDone; !errors.Is(err, s3err.ConditionalRequestConflict) {
		t.Fatalf("the frozen metadata replace: %v, want ConditionalRequestConflict", err)
	}
	body, info, err := get(t.Context(), b.layer, "k")
	if err != nil || body != "v2" || info.Metadata.ContentType != "text/b" {
		t.Fatalf("object %q %+v, %v; want b's", body, info.Metadata, err)
	}
}

// TestWritesNeedRedis: with Redis down, writes fail with ServiceUnavailable
// and reads still work.
func TestWritesNeedRedis(t *testing.T) {
	r := redistest.Start(t)
	reps, _ := newReplicas(t, r, 1, time.Second)
	l := reps[0].layer
	mustPut(t, l, "k", "v1")
	r.Stop()
	_, err := l.Put(t.Context(), PutInput{Bucket: testBucket, Key: "k", Body: strings.NewReader("v2"), Size: 2})
	if !errors.Is(err, s3err.ServiceUnavailable) {
		t.Fatalf("PUT with Redis down: %v, want ServiceUnavailable", err)
	}
	if err := l.Delete(t.Context(), testBucket, "k"); !errors.Is(err, s3err.ServiceUnavailable) {
		t.Fatalf("DELETE with Redis down: %v, want ServiceUnavailable", err)
	}
	if body, _, err := get(t.Context(), l, "k"); err != nil || body != "v1" {
		t.Fatalf("GET with Redis down: %q, %v", body, err)
	}
}

// TestLeasedCreateBucketHasOneOwner: concurrent CreateBucket of one name by
// different owners through two layers (two gateways) creates it once; the
// others are BucketAlreadyExists (another owner) or BucketAlreadyOwnedByYou,
// as S3 answers a taken name, and the record keeps the winner as owner.
// Without the lease both layers could see the name free and the second
// record would overwrite the first's owner.
func TestLeasedCreateBucketHasOneOwner(t *testing.T) {
	reps, _ := newReplicas(t, redistest.Start(t), 2, 2*time.Second)
	var winners atomic.Int32
	var owner atomic.Value
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			who := fmt.Sprintf("owner-%d", i)
			err := reps[i%2].layer.CreateBucket(t.Context(), "contested", who)
			switch {
			case err == nil:
				winners.Add(1)
				owner.Store(who)
			case errors.Is(err, s3err.BucketAlreadyExists), errors.Is(err, s3err.BucketAlreadyOwnedByYou):
			default:
				t.Errorf("create by %s: %v", who, err)
			}
		})
	}
	wg.Wait()
	if n := winners.Load(); n != 1 {
		t.Fatalf("%d creates of one bucket succeeded, want exactly 1", n)
	}
	for _, r := range reps {
		info, err := r.layer.HeadBucket(t.Context(), "contested")
		if err != nil || info.Owner != owner.Load() {
			t.Fatalf("bucket owner %q, %v; want the winner %q", info.Owner, err, owner.Load())
		}
	}
}

// waitPaused waits until the first writer is paused before its commit, and
// fails the test, instead of hanging, if its write ends before getting there.
func waitPaused(t *testing.T, paused <-chan struct{}, done <-chan error) {
	t.Helper()
	select {
	case <-paused:
	case err := <-done:
		t.Fatalf("the first writer ended before its commit: %v", err)
	}
}
