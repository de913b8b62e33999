package lease

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terngate/terngate/internal/redistest"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

func noFence(t *testing.T) FenceFunc {
	return func(_ context.Context, h store.Transient) error {
		t.Errorf("unexpected fence of %+v", h)
		return nil
	}
}

// pause stops a lease's renewal without releasing it: its holder is frozen
// as far as Redis can tell.
func pause(l *Lease) {
	l.once.Do(func() {
		close(l.stop)
		l.wg.Wait()
	})
}

// TestMutualExclusion: many goroutines over two Leases values (two
// replicas) never hold one name at once, and all of them get it.
func TestMutualExclusion(t *testing.T) {
	r := redistest.Start(t)
	replicas := []*Leases{New(r.Client(t), Options{TTL: 2 * time.Second}), New(r.Client(t), Options{TTL: 2 * time.Second})}
	var inside, maxInside, done atomic.Int32
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			l, err := replicas[i%2].Acquire(t.Context(), "bucket/dir/name", store.Transient{ID: store.ID(i + 1)}, noFence(t))
			if err != nil {
				t.Error(err)
				return
			}
			n := inside.Add(1)
			for m := maxInside.Load(); n > m && !maxInside.CompareAndSwap(m, n); m = maxInside.Load() {
			}
			if !l.Valid() {
				t.Error("a fresh lease is not valid")
			}
			time.Sleep(time.Millisecond)
			inside.Add(-1)
			done.Add(1)
			l.Release(t.Context())
		})
	}
	wg.Wait()
	if maxInside.Load() != 1 || done.Load() != 40 {
		t.Fatalf("max holders at once %d (want 1), grants %d (want 40)", maxInside.Load(), done.Load())
	}
}

// TestExpiredHolderIsFenced: a holder that stops renewing (paused) keeps the
// name until its lease expires; then the next acquirer fences its transient
// file, and only then takes over. The paused holder's Valid is false by then.
func TestExpiredHolderIsFenced(t *testing.T) {
	r := redistest.Start(t)
	const ttl = 400 * time.Millisecond
	a := New(r.Client(t), Options{TTL: ttl})
	b := New(r.Client(t), Options{TTL: ttl})
	paused := store.Transient{ID: 77, Cookie: 0xfeedface}
	la, err := a.Acquire(t.Context(), "n", paused, noFence(t))
	if err != nil {
		t.Fatal(err)
	}
	granted := time.Now()
	pause(la)
	var fencedWith []store.Transient
	lb, err := b.Acquire(t.Context(), "n", store.Transient{ID: 78}, func(_ context.Context, h store.Transient) error {
		fencedWith = append(fencedWith, h)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer lb.Release(t.Context())
	if waited := time.Since(granted); waited < ttl-50*time.Millisecond {
		t.Errorf("took over after %v, before the lease's TTL %v", waited, ttl)
	}
	if len(fencedWith) != 1 || fencedWith[0] != paused {
		t.Errorf("fenced %v, want exactly the paused holder's %v", fencedWith, paused)
	}
	if la.Valid() {
		t.Error("the paused holder's lease is still valid after it expired")
	}
	if !lb.Valid() {
		t.Error("the new holder's lease is not valid")
	}
}

// TestLiveLeaseIsNotTakenOver: while its holder renews, nobody else gets
// the lease, even long past one TTL; a waiter gives up with
// ConditionalRequestConflict after MaxWait.
func TestLiveLeaseIsNotTakenOver(t *testing.T) {
	r := redistest.Start(t)
	const ttl = 300 * time.Millisecond
	a := New(r.Client(t), Options{TTL: ttl})
	b := New(r.Client(t), Options{TTL: ttl, MaxWait: 3 * ttl})
	la, err := a.Acquire(t.Context(), "n", store.Transient{ID: 1}, noFence(t))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = b.Acquire(t.Context(), "n", store.Transient{ID: 2}, noFence(t))
	if !errors.Is(err, s3err.ConditionalRequestConflict) {
		t.Fatalf("acquire of a live lease: %v, want ConditionalRequestConflict", err)
	}
	if waited := time.Since(start); waited < 3*ttl {
		t.Errorf("gave up after %v, before MaxWait", waited)
	}
	if !la.Valid() {
		t.Error("the renewing holder lost validity")
	}
	la.Release(t.Context())
	lb, err := b.Acquire(t.Context(), "n", store.Transient{ID: 2}, noFence(t))
	if err != nil {
		t.Fatalf("acquire after release: %v", err)
	}
	lb.Release(t.Context())
}

// TestFenceFailureBlocksTakeover: if the expired holder cannot be fenced,
// its lease is not taken over.
func TestFenceFailureBlocksTakeover(t *testing.T) {
	r := redistest.Start(t)
	a := New(r.Client(t), Options{TTL: 200 * time.Millisecond})
	la, err := a.Acquire(t.Context(), "n", store.Transient{ID: 5}, noFence(t))
	if err != nil {
		t.Fatal(err)
	}
	pause(la)
	boom := errors.New("shard unreachable")
	_, err = a.Acquire(t.Context(), "n", store.Transient{ID: 6}, func(context.Context, store.Transient) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("acquire with a failing fence: %v, want the fence's error", err)
	}
}

// TestRedisDataLossWaitsOutOldHolders: after Redis restarts without its
// data, no lease is granted for one TTL (the old holder's renewals fail and
// its validity runs out meanwhile), and while Redis is down Acquire fails
// with ServiceUnavailable.
func TestRedisDataLossWaitsOutOldHolders(t *testing.T) {
	r := redistest.Start(t)
	const ttl = 600 * time.Millisecond
	a := New(r.Client(t), Options{TTL: ttl})
	b := New(r.Client(t), Options{TTL: ttl})
	// The group's epoch exists before the loss.
	la, err := a.Acquire(t.Context(), "n", store.Transient{ID: 1}, noFence(t))
	if err != nil {
		t.Fatal(err)
	}

	r.Stop()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if _, err := b.Acquire(ctx, "n", store.Transient{ID: 2}, noFence(t)); !errors.Is(err, s3err.ServiceUnavailable) {
		t.Fatalf("acquire with Redis down: %v, want ServiceUnavailable", err)
	}
	r.Restart()

	restarted := time.Now()
	lb, err := b.Acquire(t.Context(), "n", store.Transient{ID: 2}, noFence(t))
	if err != nil {
		t.Fatal(err)
	}
	defer lb.Release(t.Context())
	if waited := time.Since(restarted); waited < ttl-20*time.Millisecond {
		t.Errorf("granted %v after Redis lost its data, before one TTL (%v)", waited, ttl)
	}
	if la.Valid() {
		t.Error("the holder from before the loss still trusts its lease")
	}
	la.Release(t.Context())
	if !lb.Valid() {
		t.Error("the new holder's lease was released by the old holder")
	}
}

// TestFlushStartsNewEpoch: losing the keys without a restart (FLUSHALL:
// same replid, no epoch record) also holds grants back for one TTL.
func TestFlushStartsNewEpoch(t *testing.T) {
	r := redistest.Start(t)
	const ttl = 500 * time.Millisecond
	rdb := r.Client(t)
	m := New(rdb, Options{TTL: ttl})
	first := time.Now()
	l, err := m.Acquire(t.Context(), "n", store.Transient{}, noFence(t))
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(first); waited < ttl-20*time.Millisecond {
		t.Errorf("first grant on an empty Redis after %v, want at least one TTL", waited)
	}
	l.Release(t.Context())
	again := time.Now()
	l, err = m.Acquire(t.Context(), "n", store.Transient{}, noFence(t))
	if err != nil {
		t.Fatal(err)
	}
	l.Release(t.Context())
	if time.Since(again) > ttl/2 {
		t.Errorf("a free lease in a settled epoch took %v", time.Since(again))
	}
	if err := rdb.FlushAll(t.Context()).Err(); err != nil {
		t.Fatal(err)
	}
	flushed := time.Now()
	l, err = m.Acquire(t.Context(), "n", store.Transient{}, noFence(t))
	if err != nil {
		t.Fatal(err)
	}
	l.Release(t.Context())
	if waited := time.Since(flushed); waited < ttl-20*time.Millisecond {
		t.Errorf("granted %v after FLUSHALL, want at least one TTL", waited)
	}
}

// TestPrimeTakesTheEpochWaitAtStart: Prime starts every group's epoch, so
// once one TTL has passed the first write to any name is granted at once;
// without it each group's first write waits the TTL (TestFlushStartsNewEpoch).
func TestPrimeTakesTheEpochWaitAtStart(t *testing.T) {
	r := redistest.Start(t)
	const ttl = 500 * time.Millisecond
	m := New(r.Client(t), Options{TTL: ttl})
	if err := m.Prime(t.Context()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(ttl + 50*time.Millisecond)
	for i := range 64 {
		name := "primed-" + strconv.Itoa(i)
		start := time.Now()
		l, err := m.Acquire(t.Context(), name, store.Transient{}, noFence(t))
		if err != nil {
			t.Fatal(err)
		}
		l.Release(t.Context())
		if waited := time.Since(start); waited > ttl/2 {
			t.Fatalf("first grant of %q after Prime took %v, want no epoch wait", name, waited)
		}
	}
	// Priming a settled Redis starts no new epoch.
	if err := m.Prime(t.Context()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	l, err := m.Acquire(t.Context(), "after-second-prime", store.Transient{}, noFence(t))
	if err != nil {
		t.Fatal(err)
	}
	l.Release(t.Context())
	if waited := time.Since(start); waited > ttl/2 {
		t.Errorf("grant after a second Prime took %v", waited)
	}
}

// TestFailoverStartsNewEpoch: a replica promoted to master has the epoch
// record (replicated) but a new master_replid: it may have missed the last
// grants, so it grants nothing for one TTL.
func TestFailoverStartsNewEpoch(t *testing.T) {
	master, replica := redistest.Start(t), redistest.Start(t)
	const ttl = 500 * time.Millisecond
	rm, rr := master.Client(t), replica.Client(t)
	if err := rr.ReplicaOf(t.Context(), "127.0.0.1", strconv.Itoa(master.Port)).Err(); err != nil {
		t.Fatal(err)
	}
	m := New(rm, Options{TTL: ttl})
	l, err := m.Acquire(t.Context(), "n", store.Transient{}, noFence(t))
	if err != nil {
		t.Fatal(err)
	}
	l.Release(t.Context())
	_, epochKey := m.keys("n")
	for deadline := time.Now().Add(5 * time.Second); rr.Exists(t.Context(), epochKey).Val() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the epoch record never reached the replica")
		}
	}
	if err := rr.ReplicaOf(t.Context(), "NO", "ONE").Err(); err != nil {
		t.Fatal(err)
	}
	promoted := time.Now()
	l, err = New(rr, Options{TTL: ttl}).Acquire(t.Context(), "n", store.Transient{}, noFence(t))
	if err != nil {
		t.Fatal(err)
	}
	l.Release(t.Context())
	if waited := time.Since(promoted); waited < ttl-20*time.Millisecond {
		t.Errorf("the promoted replica granted after %v, want at least one TTL", waited)
	}
}
