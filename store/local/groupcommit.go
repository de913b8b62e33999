package local

import (
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// maxGroupWrites bounds how many writes share one transaction, so that a
// burst of writers does not build one huge transaction (and one long wait
// for its first writer).
const maxGroupWrites = 256

// groupCommitter runs write transactions so that writers who overlap share
// one bbolt commit, and so its two fdatasyncs. It is written here because
// bbolt offers only db.Batch, which holds every commit back by a timer
// (MaxBatchDelay) to gather writers: with a fast disk the timer, not the
// disk, bounded small PUTs. Here a writer who finds no commit running
// commits at once, with whatever is queued; writers who arrive meanwhile
// queue, and the first of them leads the next commit as soon as the
// running one ends. No write is acknowledged before its commit returns.
type groupCommitter struct {
	db *bolt.DB

	mu      sync.Mutex
	queue   []*pendingWrite // waiting for the next commit, in arrival order
	leading bool            // a writer is committing (or about to); newcomers queue

	commits atomic.Int64 // successful commits, for tests and measurement
}

// pendingWrite is one caller's fn waiting for its outcome.
type pendingWrite struct {
	fn func(*bolt.Tx) error
	// done receives the leadership of the next group, then (or only) the
	// outcome. It is buffered: the sender never waits on the receiver.
	done chan writeOutcome
}

type writeOutcome struct {
	err  error
	lead bool // not an outcome: the receiver leads the next commit
}

// panicked carries a panic out of a fn run on another writer's goroutine,
// so that it is raised again on its own caller's.
type panicked struct {
	value any
	stack []byte
}

func (p *panicked) Error() string {
	return fmt.Sprintf("panic in write transaction: %v\n%s", p.value, p.stack)
}

func newGroupCommitter(db *bolt.DB) *groupCommitter {
	return &groupCommitter{db: db}
}

// update runs fn in a write transaction, possibly together with other
// writers' fns, and returns once that transaction has committed (or fn
// failed). fn may run more than once (a group is rolled back and run again
// when one of its fns fails), so it must set its results afresh on every
// run. A fn that fails fails alone with its own error; a fn that panics
// panics on its caller's goroutine and leaves the others to commit.
func (g *groupCommitter) update(fn func(*bolt.Tx) error) error {
	w := &pendingWrite{fn: fn, done: make(chan writeOutcome, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if g.leading {
		g.mu.Unlock()
		out := <-w.done
		if !out.lead {
			return w.result(out)
		}
	} else {
		g.leading = true
		g.mu.Unlock()
	}
	return g.lead(w)
}

// lead commits the queue's head (self is its first entry) and then hands
// the leadership to whoever queued meanwhile.
func (g *groupCommitter) lead(self *pendingWrite) error {
	g.mu.Lock()
	n := min(len(g.queue), maxGroupWrites)
	group := g.queue[:n:n]
	g.queue = slices.Clone(g.queue[n:])
	g.mu.Unlock()

	defer g.handOff()
	g.commitGroup(group)
	return self.result(<-self.done)
}

// handOff wakes the first queued writer to lead the next commit, or marks
// that none is running.
func (g *groupCommitter) handOff() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.queue) == 0 {
		g.leading = false
		return
	}
	g.queue[0].done <- writeOutcome{lead: true}
}

// commitGroup runs the group's fns in order in one transaction and commits
// it. When a fn fails, the transaction is rolled back (the fn may have left
// partial writes) and the others run again without it; the failed fn then
// runs alone, after them, since its failure may have come from their
// writes. A fn that panicked is not run again. Every member gets exactly
// one outcome, even if bbolt itself panics.
func (g *groupCommitter) commitGroup(group []*pendingWrite) {
	var alone []*pendingWrite // failed in company, not run alone yet
	defer func() {
		if r := recover(); r != nil {
			err := &panicked{value: r, stack: debug.Stack()}
			for _, w := range append(group, alone...) {
				w.done <- writeOutcome{err: err}
			}
			panic(r)
		}
	}()
	for len(group) > 0 {
		failed, failure, err := g.tryCommit(group)
		if failed < 0 {
			for _, w := range group {
				w.done <- writeOutcome{err: err}
			}
			group = nil
			break
		}
		w := group[failed]
		ranAlone := len(group) == 1
		group = slices.Delete(group, failed, failed+1)
		if _, isPanic := failure.(*panicked); ranAlone || isPanic {
			w.done <- writeOutcome{err: failure}
			continue
		}
		alone = append(alone, w)
	}
	for len(alone) > 0 {
		w := alone[0]
		alone = alone[1:]
		g.commitGroup([]*pendingWrite{w})
	}
}

// tryCommit runs the group's fns in one transaction. It returns the index
// of the first fn that failed (-1 if none did) and that fn's error, after
// which the transaction was rolled back, or else the commit's error.
func (g *groupCommitter) tryCommit(group []*pendingWrite) (failed int, failure, commitErr error) {
	failed = -1
	commitErr = g.db.Update(func(tx *bolt.Tx) error {
		for i, w := range group {
			if err := callSafely(w.fn, tx); err != nil {
				failed, failure = i, err
				return err
			}
		}
		return nil
	})
	if failed < 0 && commitErr == nil {
		g.commits.Add(1)
	}
	return failed, failure, commitErr
}

// callSafely runs fn, turning a panic into an error for its caller.
func callSafely(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicked{value: r, stack: debug.Stack()}
		}
	}()
	return fn(tx)
}

// result returns the outcome to w's caller, raising its fn's panic again.
func (w *pendingWrite) result(out writeOutcome) error {
	if p, ok := out.err.(*panicked); ok {
		panic(p)
	}
	return out.err
}
