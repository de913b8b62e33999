package local

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var testBucket = []byte("test")

func newTestCommitter(t *testing.T) *groupCommitter {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "test.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket(testBucket)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return newGroupCommitter(db)
}

func putKey(tx *bolt.Tx, key string, value []byte) error {
	return tx.Bucket(testBucket).Put([]byte(key), value)
}

func getKey(t *testing.T, g *groupCommitter, key string) []byte {
	t.Helper()
	var v []byte
	if err := g.db.View(func(tx *bolt.Tx) error {
		v = append([]byte(nil), tx.Bucket(testBucket).Get([]byte(key))...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(v) == 0 {
		return nil
	}
	return v
}

// holdCommit starts a writer whose fn blocks until release is called, and
// returns once that fn runs: a commit is then in progress and every update
// started meanwhile queues for the next one.
func holdCommit(t *testing.T, g *groupCommitter, fn func(*bolt.Tx) error) (release func() error) {
	t.Helper()
	running, unblock, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	var once sync.Once
	go func() {
		done <- g.update(func(tx *bolt.Tx) error {
			once.Do(func() { close(running) })
			<-unblock
			return fn(tx)
		})
	}()
	<-running
	return func() error {
		close(unblock)
		return <-done
	}
}

// queueWrites starts one update per fn, in order, each after the previous
// one has queued behind the held commit, and returns their errors' channels.
func queueWrites(t *testing.T, g *groupCommitter, fns ...func(*bolt.Tx) error) []chan error {
	t.Helper()
	results := make([]chan error, len(fns))
	for i, fn := range fns {
		results[i] = make(chan error, 1)
		go func() { results[i] <- g.update(fn) }()
		waitQueued(t, g, i+1)
	}
	return results
}

func waitQueued(t *testing.T, g *groupCommitter, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Microsecond) {
		g.mu.Lock()
		queued := len(g.queue)
		g.mu.Unlock()
		if queued == n {
			return
		}
	}
	t.Fatalf("%d writes never queued", n)
}

// appendOrder records, in the transaction, that write name ran: the key
// "order" lists the writes of the committed transactions in order.
func appendOrder(tx *bolt.Tx, name string) error {
	order := append([]byte(nil), tx.Bucket(testBucket).Get([]byte("order"))...)
	return putKey(tx, "order", append(order, name...))
}

// Writers who arrive while a commit runs share the next commit, which
// starts as soon as the running one ends (no timer), and their fns run in
// arrival order.
func TestGroupCommitQueuedWritersShareNextCommit(t *testing.T) {
	g := newTestCommitter(t)
	release := holdCommit(t, g, func(tx *bolt.Tx) error { return appendOrder(tx, "0") })
	var mu sync.Mutex
	txIDs := map[string]int{}
	var fns []func(*bolt.Tx) error
	for i := 1; i <= 5; i++ {
		name := fmt.Sprint(i)
		fns = append(fns, func(tx *bolt.Tx) error {
			mu.Lock()
			txIDs[name] = tx.ID()
			mu.Unlock()
			return appendOrder(tx, name)
		})
	}
	results := queueWrites(t, g, fns...)
	if err := release(); err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if err := <-r; err != nil {
			t.Errorf("write %d: %v", i+1, err)
		}
	}
	if got := string(getKey(t, g, "order")); got != "012345" {
		t.Errorf("writes ran in order %q, want 012345", got)
	}
	if n := g.commits.Load(); n != 2 {
		t.Errorf("%d commits, want 2: the held one and one for the five queued", n)
	}
	for name, id := range txIDs {
		if id != txIDs["1"] {
			t.Errorf("write %s in transaction %d, write 1 in %d: want one shared commit", name, id, txIDs["1"])
		}
	}
}

// A lone writer commits at once, one commit per write.
func TestGroupCommitLoneWriter(t *testing.T) {
	g := newTestCommitter(t)
	for i := range 10 {
		if err := g.update(func(tx *bolt.Tx) error { return putKey(tx, fmt.Sprint(i), []byte("v")) }); err != nil {
			t.Fatal(err)
		}
	}
	if n := g.commits.Load(); n != 10 {
		t.Errorf("%d commits for 10 sequential writes, want 10", n)
	}
	if g.leading || len(g.queue) != 0 {
		t.Errorf("after the writes: leading %v, %d queued; want idle", g.leading, len(g.queue))
	}
}

var errRefused = errors.New("refused")

// A fn that fails in a group fails alone with its own error, its partial
// writes rolled back, and the others commit.
func TestGroupCommitFailureIsolated(t *testing.T) {
	g := newTestCommitter(t)
	release := holdCommit(t, g, func(tx *bolt.Tx) error { return putKey(tx, "held", []byte("v")) })
	results := queueWrites(t, g,
		func(tx *bolt.Tx) error { return putKey(tx, "a", []byte("v")) },
		func(tx *bolt.Tx) error {
			if err := putKey(tx, "partial", []byte("v")); err != nil {
				return err
			}
			return fmt.Errorf("write b: %w", errRefused)
		},
		func(tx *bolt.Tx) error { return putKey(tx, "c", []byte("v")) },
	)
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if err := <-results[0]; err != nil {
		t.Errorf("a: %v", err)
	}
	if err := <-results[1]; !errors.Is(err, errRefused) || err.Error() != "write b: refused" {
		t.Errorf("b: %v, want its own error", err)
	}
	if err := <-results[2]; err != nil {
		t.Errorf("c: %v", err)
	}
	for _, key := range []string{"held", "a", "c"} {
		if getKey(t, g, key) == nil {
			t.Errorf("%s lost", key)
		}
	}
	if getKey(t, g, "partial") != nil {
		t.Error("the failed write's partial write was committed")
	}
}

// A fn that failed in company runs again alone after the others have
// committed: its failure may have come from the state it saw there, and
// alone, after them, it can succeed.
func TestGroupCommitFailedWriteRerunsAloneAfterTheOthers(t *testing.T) {
	g := newTestCommitter(t)
	release := holdCommit(t, g, func(tx *bolt.Tx) error { return nil })
	runs := 0
	var mu sync.Mutex
	results := queueWrites(t, g,
		func(tx *bolt.Tx) error {
			mu.Lock()
			runs++
			mu.Unlock()
			if tx.Bucket(testBucket).Get([]byte("k")) == nil {
				return errRefused // k is written by a later write of the group
			}
			return putKey(tx, "saw-k", []byte("v"))
		},
		func(tx *bolt.Tx) error { return putKey(tx, "k", []byte("v")) },
	)
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if err := <-results[0]; err != nil {
		t.Errorf("the write run again alone: %v, want success", err)
	}
	if err := <-results[1]; err != nil {
		t.Errorf("k: %v", err)
	}
	if runs != 2 || getKey(t, g, "saw-k") == nil {
		t.Errorf("ran %d times, saw-k %q; want 2 runs, the second committed", runs, getKey(t, g, "saw-k"))
	}
}

// A fn that panics panics on its own caller's goroutine, is not run again,
// and neither loses the group's other writes nor wedges the queue.
func TestGroupCommitPanicStaysWithItsCaller(t *testing.T) {
	g := newTestCommitter(t)
	release := holdCommit(t, g, func(tx *bolt.Tx) error { return nil })
	panicRuns := 0
	var mu sync.Mutex
	recovered := make(chan any, 1)
	results := make([]chan error, 3)
	results[0] = queueWrites(t, g, func(tx *bolt.Tx) error { return putKey(tx, "a", []byte("v")) })[0]
	results[1] = make(chan error, 1)
	go func() {
		defer func() {
			recovered <- recover()
			results[1] <- nil
		}()
		g.update(func(tx *bolt.Tx) error {
			mu.Lock()
			panicRuns++
			mu.Unlock()
			panic("boom")
		})
	}()
	waitQueued(t, g, 2)
	results[2] = make(chan error, 1)
	go func() { results[2] <- g.update(func(tx *bolt.Tx) error { return putKey(tx, "c", []byte("v")) }) }()
	waitQueued(t, g, 3)
	if err := release(); err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if err := <-r; err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	p, ok := (<-recovered).(*panicked)
	if !ok || p.value != "boom" {
		t.Errorf("the panicking writer's caller recovered %v, want its panic", p)
	}
	if panicRuns != 1 {
		t.Errorf("the panicking fn ran %d times, want 1", panicRuns)
	}
	if getKey(t, g, "a") == nil || getKey(t, g, "c") == nil {
		t.Error("a write of the panicking one's group was lost")
	}
	// The queue still works, for a lone writer and for one that panics alone.
	func() {
		defer func() { recover() }()
		g.update(func(tx *bolt.Tx) error { panic("alone") })
	}()
	if err := g.update(func(tx *bolt.Tx) error { return putKey(tx, "after", []byte("v")) }); err != nil || getKey(t, g, "after") == nil {
		t.Errorf("write after the panics: %v", err)
	}
}

// Many writers at once: every successful write applied exactly once (reruns
// leave no trace), every failed one not at all, each writer's writes in
// its own order, and commits shared.
func TestGroupCommitConcurrentWriters(t *testing.T) {
	g := newTestCommitter(t)
	const writers, writes = 16, 100
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	successes := make([]int, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := fmt.Sprintf("writer-%d", w)
			for i := 1; i <= writes; i++ {
				fail := (w+i)%7 == 0
				err := g.update(func(tx *bolt.Tx) error {
					b := tx.Bucket(testBucket)
					// Each writer's last committed write is the one before: an
					// acknowledged write is visible to the writer's next one.
					last := uint64(0)
					if v := b.Get([]byte(own)); v != nil {
						last = binary.BigEndian.Uint64(v)
					}
					if want := uint64(successes[w]); last != want {
						return fmt.Errorf("%s: last write %d, want %d", own, last, want)
					}
					total := uint64(0)
					if v := b.Get([]byte("total")); v != nil {
						total = binary.BigEndian.Uint64(v)
					}
					if err := b.Put([]byte("total"), binary.BigEndian.AppendUint64(nil, total+1)); err != nil {
						return err
					}
					if err := b.Put([]byte(own), binary.BigEndian.AppendUint64(nil, last+1)); err != nil {
						return err
					}
					if fail {
						return errRefused
					}
					return nil
				})
				switch {
				case fail && errors.Is(err, errRefused):
				case !fail && err == nil:
					successes[w]++
				default:
					errs <- fmt.Errorf("%s write %d (to fail: %v): %v", own, i, fail, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	sum := 0
	for _, n := range successes {
		sum += n
	}
	total := binary.BigEndian.Uint64(getKey(t, g, "total"))
	if int(total) != sum {
		t.Errorf("total %d, want %d successful writes", total, sum)
	}
	commits := g.commits.Load()
	t.Logf("%d successful writes in %d commits", sum, commits)
	if commits >= int64(sum) {
		t.Errorf("%d commits for %d writes by %d writers at once: none shared", commits, sum, writers)
	}
}
