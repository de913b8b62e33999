package local

import (
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

// openPooledStore opens dir as the gateway does: ephemeral PUT files and
// a pool of data files.
func openPooledStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{EphemeralNotes: []string{testEphemeralNote}, DataFilePool: true})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return s
}

// waitPoolFull waits for p's filler to have filled it and returns its
// ready IDs.
func waitPoolFull(t *testing.T, p *dataPool) []store.ID {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p.mu.Lock()
		ready := slices.Clone(p.ready)
		p.mu.Unlock()
		if len(ready) == poolCapacity {
			return ready
		}
		if time.Now().After(deadline) {
			t.Fatalf("pool holds %d data files after 10 s, want %d", len(ready), poolCapacity)
		}
		time.Sleep(time.Millisecond)
	}
}

// listedIDs reads the data file IDs in directory dir.
func listedIDs(t *testing.T, dir string) []store.ID {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Errorf("read %s: %v", dir, err)
		return nil
	}
	var ids []store.ID
	for _, e := range entries {
		n, err := strconv.ParseUint(e.Name(), 16, 64)
		if err != nil {
			t.Errorf("unexpected entry %s in %s", e.Name(), dir)
			continue
		}
		ids = append(ids, store.ID(n))
	}
	return ids
}

// The pool hands out a data file only once a sync of its directory that
// began after the file's creation has returned: the hook lists a directory
// before syncing it, and only what it listed counts as synced.
func TestDataPoolOffersOnlySyncedFiles(t *testing.T) {
	s := newTestStore(t)
	var mu sync.Mutex
	synced := map[store.ID]bool{}
	syncs := 0
	p := newDataPool(s.files, s.newID, s.log)
	p.sync = func(dir string) error {
		listed := listedIDs(t, dir)
		if err := syncDir(dir); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		syncs++
		for _, id := range listed {
			synced[id] = true
		}
		return nil
	}
	p.start()
	defer p.close()

	var taken []store.ID
	deadline := time.Now().Add(10 * time.Second)
	for len(taken) < 2*poolCapacity { // more than one batch
		id, ok := p.take()
		if !ok {
			if time.Now().After(deadline) {
				t.Fatalf("took %d data files in 10 s", len(taken))
			}
			time.Sleep(time.Millisecond)
			continue
		}
		mu.Lock()
		ok = synced[id]
		mu.Unlock()
		if !ok {
			t.Fatalf("data file %d handed out before a sync of its directory", id)
		}
		if info, err := os.Stat(s.files.path(id)); err != nil || info.Size() != 0 {
			t.Fatalf("pooled data file %d: %v, %v; want an empty file", id, info, err)
		}
		if slices.Contains(taken, id) {
			t.Fatalf("data file %d handed out twice", id)
		}
		taken = append(taken, id)
	}
	mu.Lock()
	defer mu.Unlock()
	// Consecutive IDs fall in different directories, so a batch syncs
	// each of them once: far fewer syncs than files would mean files
	// were offered unsynced.
	if syncs < len(taken)/2 {
		t.Errorf("%d directory syncs for %d files", syncs, len(taken))
	}
}

// When a directory cannot be synced, its batch is never offered and its
// files are removed; takers find the pool empty and create their own.
func TestDataPoolDiscardsBatchItCannotSync(t *testing.T) {
	s := newTestStore(t) // no pool of its own, whose files the hook would list
	failed := make(chan []store.ID, 1)
	p := newDataPool(s.files, s.newID, s.log)
	p.sync = func(dir string) error {
		select {
		case failed <- listedIDs(t, dir):
		default:
		}
		return errors.New("injected sync failure")
	}
	p.start()
	defer p.close()
	unsynced := <-failed
	if len(unsynced) == 0 {
		t.Fatal("the failing sync saw no data file in its directory")
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, id := range unsynced {
		for dataFileOnDisk(s, id) {
			if time.Now().After(deadline) {
				t.Fatalf("data file %d of an unsynced batch is still on disk after 5 s", id)
			}
			time.Sleep(time.Millisecond)
		}
	}
	if id, ok := p.take(); ok {
		t.Fatalf("took data file %d from a pool whose syncs fail", id)
	}
}

// CreateTransient, of an ephemeral file or a recorded one, takes a pooled
// data file, and with the pool empty creates one itself.
func TestCreateTransientTakesPooledFileOrFallsBack(t *testing.T) {
	s := openPooledStore(t, t.TempDir())
	defer s.Close()
	ready := waitPoolFull(t, s.pool)
	want := map[store.ID]string{}
	for _, note := range []string{testEphemeralNote, "upload part"} {
		f := putFileNoted(t, s, s.Root(), "pooled "+note, note, []byte("from the pool: "+note))
		if !slices.Contains(ready, f.ID) {
			t.Errorf("file %d (%s) was not one of the pooled data files %v", f.ID, note, ready)
		}
		want[f.ID] = "from the pool: " + note
	}

	// An empty pool (its filler stopped) must not hold a creation back.
	s.pool.close()
	for _, note := range []string{testEphemeralNote, "upload part"} {
		f := putFileNoted(t, s, s.Root(), "own "+note, note, []byte("created on demand: "+note))
		if slices.Contains(ready, f.ID) {
			t.Errorf("file %d (%s) came from the closed pool", f.ID, note)
		}
		want[f.ID] = "created on demand: " + note
	}
	for id, w := range want {
		if got := readFile(t, s, id); string(got) != w {
			t.Errorf("file %d reads %q, want %q", id, got, w)
		}
	}
}

// A recorded transient file that cannot be recorded (its directory is
// gone) leaves no data file behind.
func TestCreateTransientInMissingDirectoryLeavesNoDataFile(t *testing.T) {
	s := openPooledStore(t, t.TempDir())
	defer s.Close()
	ready := waitPoolFull(t, s.pool)
	if _, err := s.CreateTransient(context.Background(), 424242, "upload part"); !errors.Is(err, store.ErrDirectoryGone) {
		t.Fatalf("CreateTransient in a missing directory: %v, want ErrDirectoryGone", err)
	}
	if dataFileOnDisk(s, ready[0]) {
		t.Errorf("the pooled data file %d the failed CreateTransient took is still on disk", ready[0])
	}
}

// Close removes the pooled files nobody took and keeps the taken one.
func TestCloseRemovesUnusedPoolFiles(t *testing.T) {
	dir := t.TempDir()
	s := openPooledStore(t, dir)
	ready := waitPoolFull(t, s.pool)
	linked := putFileNoted(t, s, s.Root(), "k", testEphemeralNote, []byte("kept"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, id := range ready {
		if id != linked.ID && dataFileOnDisk(s, id) {
			t.Errorf("unused pooled data file %d is still on disk after Close", id)
		}
	}
	s = openPooledStore(t, dir)
	defer s.Close()
	if got := readFile(t, s, linked.ID); string(got) != "kept" {
		t.Fatalf("linked file reads %q after reopen", got)
	}
}

// A crash leaves the pool's files behind; the next Open removes them, and
// none of their IDs is handed out again.
func TestPoolFilesLeftByCrashRemovedAtOpen(t *testing.T) {
	dir := t.TempDir()
	s := openPooledStore(t, dir)
	left := waitPoolFull(t, s.pool)
	// A crash: the filler stops and nothing removes the ready files.
	s.pool.stopOnce.Do(func() { close(s.pool.stop) })
	<-s.pool.done
	s.pool.ready = nil
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, id := range left {
		if !dataFileOnDisk(s, id) {
			t.Fatalf("pooled data file %d is gone though no cleanup ran", id)
		}
	}

	s = openPooledStore(t, dir)
	defer s.Close()
	for _, id := range left {
		if dataFileOnDisk(s, id) {
			t.Errorf("Open left the pooled data file %d of the crashed store", id)
		}
	}
	highest := slices.Max(left)
	for _, id := range waitPoolFull(t, s.pool) {
		if id <= highest {
			t.Errorf("pooled ID %d handed out again after the crash (highest before %d)", id, highest)
		}
	}
	tr, err := s.CreateTransient(context.Background(), s.Root(), testEphemeralNote)
	if err != nil {
		t.Fatal(err)
	}
	if tr.ID <= highest {
		t.Errorf("CreateTransient handed out ID %d again after the crash (highest before %d)", tr.ID, highest)
	}
}
