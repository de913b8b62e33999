package local

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/terngate/terngate/store"
)

// dataFileOnDisk looks at the disk only, without waiting for queued
// removals as dataFileExists does.
func dataFileOnDisk(s *Store, id store.ID) bool {
	_, err := os.Stat(s.files.path(id))
	return err == nil
}

// The data files an overwrite and a delete release are removed after the
// call returns; Close removes whatever is still queued.
func TestReleasedDataFilesRemovedByClose(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 0)
	ctx := context.Background()
	replaced := putFile(t, s, s.Root(), "overwritten", bytes.Repeat([]byte("a"), 1000))
	live := putFile(t, s, s.Root(), "overwritten", bytes.Repeat([]byte("b"), 1000))
	deleted := putFile(t, s, s.Root(), "deleted", bytes.Repeat([]byte("c"), 1000))
	if err := s.UnlinkFile(ctx, s.Root(), "deleted", deleted.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []store.ID{replaced.ID, deleted.ID} {
		if dataFileOnDisk(s, id) {
			t.Errorf("data file of released file %d is still on disk after Close", id)
		}
	}
	if !dataFileOnDisk(s, live.ID) {
		t.Errorf("data file of the live file %d is gone", live.ID)
	}
}

// A released data file whose removal a crash prevented is an orphan: the
// next Open removes it, and the file's name stays as the last commit left
// it.
func TestReleasedDataFileLeftByCrashIsRemovedAtOpen(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir, 0)
	old := putFile(t, s, s.Root(), "key", []byte("old bytes"))
	// Stop the remover first, as a crash would: the release below queues
	// into a remover that never runs it.
	stopRemover(s)
	cur := putFile(t, s, s.Root(), "key", []byte("new bytes"))
	if !dataFileOnDisk(s, old.ID) {
		t.Fatal("the released data file is gone though its removal never ran")
	}
	s = reopenRemovesOrphan(t, s, dir, old.ID)
	defer s.Close()
	if got := readFile(t, s, cur.ID); string(got) != "new bytes" {
		t.Fatalf("key reads %q after reopen, want the last write", got)
	}
}

// wait returns once everything queued before it is removed; after close,
// releases are removed at once.
func TestDataRemovalsWaitAndClose(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	var ids []store.ID
	for i := range 50 {
		info := putFile(t, s, s.Root(), "k", []byte{byte(i)})
		ids = append(ids, info.ID)
	}
	s.removals.wait()
	for _, id := range ids[:len(ids)-1] {
		if dataFileOnDisk(s, id) {
			t.Fatalf("data file %d still on disk after wait", id)
		}
	}
	s.removals.close()
	last := ids[len(ids)-1]
	if err := s.UnlinkFile(ctx, s.Root(), "k", last); err != nil {
		t.Fatal(err)
	}
	if dataFileOnDisk(s, last) {
		t.Fatal("a release after close was not removed at once")
	}
	s.removals.wait() // returns at once after close
}

// A small inline file linked over one with a data file releases that data
// file as any overwrite does: through the remover, after the reply, so a
// crash before the removal leaves an orphan that Open removes.
func TestInlineOverwriteReleasesDataFileLater(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir, 0)
	old := putFile(t, s, s.Root(), "key", bytes.Repeat([]byte("d"), 1000))
	if !dataFileOnDisk(s, old.ID) {
		t.Fatal("the first write has no data file; the test needs one")
	}
	stopRemover(s)
	if _, err := s.LinkInlineFile(context.Background(), s.Root(), "key", []byte("inline"), nil); err != nil {
		t.Fatal(err)
	}
	if !dataFileOnDisk(s, old.ID) {
		t.Fatal("the inline overwrite removed the released data file before returning, not through the remover")
	}
	s = reopenRemovesOrphan(t, s, dir, old.ID)
	defer s.Close()
}

// stopRemover replaces s's remover with one that never runs, so releases
// stay queued as a crash would leave them.
func stopRemover(s *Store) {
	s.removals.close()
	s.removals = &dataRemovals{files: s.files, log: s.log, queue: make(chan removal, removalQueue), done: make(chan struct{})}
	close(s.removals.done)
}

// reopenRemovesOrphan closes s without waiting on its stopped remover and
// opens dir again, which must remove orphan's data file.
func reopenRemovesOrphan(t *testing.T, s *Store, dir string, orphan store.ID) *Store {
	t.Helper()
	s.removals.closed = true // Close must not wait on the stopped remover
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir, 0)
	if dataFileOnDisk(s, orphan) {
		s.Close()
		t.Fatal("Open left the orphaned data file of the overwritten file")
	}
	return s
}
