package local

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/terngate/terngate/store"
)

const (
	// poolCapacity is how many ready data files the pool keeps at most: a
	// batch of ~32 makes the directory fsyncs that follow it share one
	// journal commit, and the bound keeps what a Close or crash leaves to
	// remove small.
	poolCapacity = 64
	// poolLow is the level under which taking a file wakes the filler.
	poolLow = poolCapacity / 2
	// poolSyncers bounds the threads blocked in a batch's directory
	// fsyncs.
	poolSyncers = 16
	// poolRetry is how long the filler waits after a failure before trying
	// again; meanwhile every taker falls back to creating its own file.
	poolRetry = time.Second
)

// dataPool keeps empty data files whose directory entries are already
// durable, so that creating a transient file makes no file system call on
// the request path. Before it, every PUT fsynced its new file's
// directory (~3 ms of ~20 under issue #15's mixed workload); the filler
// creates files in batches and fsyncs each directory a batch touched once,
// off the request path.
//
// Durability: a file is offered only after the fsync of its directory
// returned, and a link can name a file only after it was taken, so every
// link's commit follows the sync of the entry it points at.
//
// Unused files are removed at close; a crash leaves them as data files
// without an inode, which removeOrphans deletes at the next Open. The pool
// starts after removeOrphans, and nothing else removes data files by
// scanning for them (reaping and releases name their IDs), so no pooled
// file is removed while it waits. IDs come from newID: never reused.
type dataPool struct {
	files *dataFiles
	newID func() (store.ID, error)
	sync  func(dir string) error // syncDir; tests watch the calls
	log   *slog.Logger

	mu    sync.Mutex
	ready []store.ID

	wake     chan struct{} // buffered: a refill is wanted
	stop     chan struct{} // closed by close
	stopOnce sync.Once
	done     chan struct{} // closed when run has returned
}

func newDataPool(files *dataFiles, newID func() (store.ID, error), log *slog.Logger) *dataPool {
	return &dataPool{
		files: files,
		newID: newID,
		sync:  syncDir,
		log:   log,
		wake:  make(chan struct{}, 1),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
}

// start runs the filler, which fills the pool at once.
func (p *dataPool) start() {
	go p.run()
}

func (p *dataPool) run() {
	defer close(p.done)
	for {
		wanted := p.wake
		var retry <-chan time.Time
		if err := p.fill(); err != nil {
			p.log.Warn("local store: cannot fill the pool of data files; new transient files get their own meanwhile", "err", err)
			wanted, retry = nil, time.After(poolRetry)
		}
		select {
		case <-p.stop:
			return
		case <-wanted:
		case <-retry:
		}
	}
}

// take hands out a ready data file, or reports false when there is none:
// the caller then creates one itself rather than wait for the filler.
func (p *dataPool) take() (store.ID, bool) {
	if p == nil {
		return 0, false
	}
	p.mu.Lock()
	n := len(p.ready)
	var id store.ID
	ok := n > 0
	if ok {
		// Oldest first: IDs keep roughly the order of creation.
		id = p.ready[0]
		p.ready = p.ready[1:]
		n--
	}
	p.mu.Unlock()
	if n < poolLow {
		select {
		case p.wake <- struct{}{}:
		default: // a refill is already wanted
		}
	}
	return id, ok
}

// fill tops the pool up to poolCapacity with one batch of new files.
func (p *dataPool) fill() error {
	p.mu.Lock()
	want := poolCapacity - len(p.ready)
	p.mu.Unlock()
	if want <= 0 {
		return nil
	}
	batch := make([]store.ID, 0, want)
	var err error
	for range want {
		if p.stopping() {
			p.discard(batch)
			return nil
		}
		var id store.ID
		if id, err = p.newID(); err != nil {
			break
		}
		if err = p.files.createUnsynced(id); err != nil {
			break
		}
		batch = append(batch, id)
	}
	// Offer what was created even after a failure, once it is durable.
	if serr := p.syncDirectories(batch); serr != nil {
		p.discard(batch)
		return errors.Join(err, serr)
	}
	p.mu.Lock()
	p.ready = append(p.ready, batch...)
	p.mu.Unlock()
	if err != nil {
		return fmt.Errorf("create pooled data file: %w", err)
	}
	return nil
}

// syncDirectories fsyncs each directory holding one of ids, several at
// once: the first to run commits the journal for all of them, and the
// others' cache flushes overlap (a batch of 32 took half the time of one
// directory after another on ext4).
func (p *dataPool) syncDirectories(ids []store.ID) error {
	var g errgroup.Group
	g.SetLimit(poolSyncers)
	var seen [256]bool
	for _, id := range ids {
		b := byte(id)
		if seen[b] {
			continue
		}
		seen[b] = true
		g.Go(func() error { return p.sync(p.files.subdir(b)) })
	}
	return g.Wait()
}

func (p *dataPool) stopping() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
}

// discard removes files that will never be offered.
func (p *dataPool) discard(ids []store.ID) {
	for _, id := range ids {
		if err := p.files.remove(id); err != nil {
			p.log.Warn("local store: cannot remove an unused pooled data file; the next start removes it", "err", err)
		}
	}
}

// close stops the filler and removes the files nobody took. Takers find
// the pool empty afterwards; closing again does nothing more.
func (p *dataPool) close() {
	if p == nil {
		return
	}
	p.stopOnce.Do(func() { close(p.stop) })
	<-p.done
	p.mu.Lock()
	unused := p.ready
	p.ready = nil
	p.mu.Unlock()
	p.discard(unused)
}
