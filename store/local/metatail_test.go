package local

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A database that grows keeps its tail written ahead (allocated blocks past
// bbolt's high-water mark), while concurrent writers keep committing: every
// file they linked reads back after a reopen and bbolt's consistency check
// passes, so the zeros never landed on a page bbolt had written.
func TestTailWriterKeepsAGrowingDatabaseAhead(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir, 0)
	if !allocatesBlocks(dir) {
		t.Fatalf("%s is on tmpfs; this test needs a disk filesystem (set TMPDIR)", dir)
	}
	ctx := context.Background()
	body := func(w, i int) []byte { return bytes.Repeat([]byte{byte(w), byte(i)}, 2048) }
	const writers, perWriter = 8, 150 // 4.8 MB of 4 KiB bodies, kept
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				name := fmt.Sprintf("w%d-%04d", w, i)
				if _, err := s.LinkInlineFile(ctx, rootID, name, body(w, i), nil); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("LinkInlineFile: %v", err)
	}

	var hwm int64
	if err := s.view(func(tx *bolt.Tx) error { hwm = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	want := hwm + tailAhead(hwm)/2
	var allocated int64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if allocated = allocatedBytes(t, filepath.Join(dir, "meta.db")); allocated >= want {
			break
		}
	}
	if allocated < want {
		t.Errorf("meta.db has %d bytes allocated; want at least %d (high-water mark %d plus half the tail)", allocated, want, hwm)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = openTestStore(t, dir, 0)
	defer s.Close()
	if err := s.view(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}); err != nil {
		t.Fatalf("meta.db after the tail was written ahead: %v", err)
	}
	for w := range writers {
		for i := range perWriter {
			e, err := s.Lookup(ctx, rootID, fmt.Sprintf("w%d-%04d", w, i))
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if got := readFile(t, s, e.ID); !bytes.Equal(got, body(w, i)) {
				t.Fatalf("w%d-%04d reads back %d bytes that differ from those written", w, i, len(got))
			}
		}
	}
}

// On tmpfs there are no blocks to allocate ahead: no writer starts, and the
// store works without one.
func TestNoTailWriterOnTmpfs(t *testing.T) {
	dir, err := os.MkdirTemp("/dev/shm", "local-tail-")
	if err != nil {
		t.Fatalf("no tmpfs to test on: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s := openTestStore(t, dir, 0)
	defer s.Close()
	if s.tail != nil {
		t.Fatalf("a tail writer started on tmpfs (%s)", dir)
	}
	data := []byte("small")
	info, err := s.LinkInlineFile(context.Background(), rootID, "f", data, nil)
	if err != nil {
		t.Fatalf("LinkInlineFile: %v", err)
	}
	if got := readFile(t, s, info.ID); !bytes.Equal(got, data) {
		t.Fatalf("read back %q; want %q", got, data)
	}
}

// A small database writes only the minimum ahead, so that a store that
// holds little (every test's) costs little disk.
func TestTailAheadIsBounded(t *testing.T) {
	for _, c := range []struct{ hwm, want int64 }{
		{16 << 10, minTailAhead},
		{4 << 20, 1 << 20},
		{10<<20 + 4096, 2<<20 + 512<<10},
		{1 << 30, maxTailAhead},
	} {
		if got := tailAhead(c.hwm); got != c.want {
			t.Errorf("tailAhead(%d) = %d; want %d", c.hwm, got, c.want)
		}
	}
}

// allocatedBytes is how much of path's size has disk blocks behind it.
func allocatedBytes(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		t.Fatalf("%s: no block count on this platform", path)
	}
	return st.Blocks * 512
}
