package local

import (
	"fmt"
	"log/slog"
	"os"

	bolt "go.etcd.io/bbolt"
)

// A database that grows (a versioned bucket keeps every old body) takes
// its new pages past bbolt's high-water mark, in the tail bbolt leaves
// sparse when it extends meta.db (ftruncate). On ext4 a write into a hole
// allocates a block, and the commit's fdatasync must then also commit the
// journal that records the allocation, which a commit overwriting freed
// pages (an unversioned overwrite) does not. fallocate would not help: its
// unwritten extents are converted, and journaled, on first write. So a
// background step keeps the region just past the high-water mark written
// with zeros and synced ahead of need, and growing commits overwrite
// allocated blocks (docs/performance.md, "Versioned overwrite, third
// pass"). bbolt ignores the file's bytes past its high-water mark and
// extends the file only when it is shorter than needed.
const (
	// minTailAhead and maxTailAhead bound how far past the high-water mark
	// the written tail reaches: a quarter of the database between them, so
	// a small database (every test's) writes little ahead.
	minTailAhead = 256 << 10
	maxTailAhead = 16 << 20
	// tailChunk is what one hold of the writer lock writes, so commits wait
	// for at most one chunk.
	tailChunk = 1 << 20
)

// tailWriter keeps meta.db's tail written ahead of bbolt's allocations.
// One goroutine does the writing; poke wakes it after commits.
type tailWriter struct {
	db    *bolt.DB
	file  *os.File // its own handle on meta.db, for the zeros and their sync
	log   *slog.Logger
	zeros []byte
	end   int64 // the written tail reaches here; only the goroutine uses it

	wake chan struct{} // buffered 1: a poke never waits
	stop chan struct{}
	done chan struct{}
}

// startTailWriter starts the writer of path's tail, or returns nil where
// writing ahead does not help.
func startTailWriter(db *bolt.DB, path string, log *slog.Logger) (*tailWriter, error) {
	if !allocatesBlocks(path) {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open meta.db for its tail: %w", err)
	}
	t := &tailWriter{db: db, file: f, log: log,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go t.run()
	t.poke()
	return t, nil
}

// poke tells the writer that the database may have grown. A store still
// opening, or on tmpfs, has none.
func (t *tailWriter) poke() {
	if t == nil {
		return
	}
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// close stops the writer (waiting for a chunk in progress) and closes its
// handle.
func (t *tailWriter) close() error {
	if t == nil {
		return nil
	}
	close(t.stop)
	<-t.done
	return t.file.Close()
}

func (t *tailWriter) run() {
	defer close(t.done)
	for {
		select {
		case <-t.stop:
			return
		case <-t.wake:
		}
		if err := t.fill(); err != nil {
			// Commits work without it, as they did before: give up rather
			// than retry a full or failing disk at every commit.
			t.log.Warn("local store: cannot write meta.db's tail ahead; growing commits allocate as they go", "err", err)
			return
		}
	}
}

// fill writes zeros up to the target past the high-water mark when less
// than half of it is left. Each chunk is synced at once (outside the
// lock), so that few of its pages are still dirty when a commit's
// fdatasync, which flushes the whole file, comes.
func (t *tailWriter) fill() error {
	var hwm int64
	if err := t.db.View(func(tx *bolt.Tx) error { hwm = tx.Size(); return nil }); err != nil {
		return fmt.Errorf("read meta.db's high-water mark: %w", err)
	}
	if t.end-hwm >= tailAhead(hwm)/2 {
		return nil
	}
	for {
		select {
		case <-t.stop:
			return nil
		default:
		}
		more, err := t.writeChunk()
		if err != nil {
			return err
		}
		if err := syncData(t.file); err != nil {
			return fmt.Errorf("sync meta.db's tail: %w", err)
		}
		if !more {
			return nil
		}
	}
}

// writeChunk writes up to tailChunk zeros past the high-water mark while it
// holds bbolt's writer lock (an open write transaction, rolled back), so no
// commit allocates, and writes, those pages meanwhile. It reports whether
// the target is still ahead.
func (t *tailWriter) writeChunk() (more bool, err error) {
	tx, err := t.db.Begin(true)
	if err != nil {
		return false, fmt.Errorf("hold meta.db's writer lock: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	hwm := tx.Size()
	start, target := max(t.end, hwm), hwm+tailAhead(hwm)
	if start >= target {
		return false, nil
	}
	n := min(int64(tailChunk), target-start)
	if t.zeros == nil {
		t.zeros = make([]byte, tailChunk)
	}
	if _, err := t.file.WriteAt(t.zeros[:n], start); err != nil {
		return false, fmt.Errorf("write meta.db's tail at %d: %w", start, err)
	}
	t.end = start + n
	return t.end < target, nil
}

// tailAhead is how far past a high-water mark of hwm bytes the written tail
// should reach, a multiple of 64 KiB (of any page size bbolt uses).
func tailAhead(hwm int64) int64 {
	ahead := min(max(hwm/4, minTailAhead), maxTailAhead)
	return ahead &^ (64<<10 - 1)
}
