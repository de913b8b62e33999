package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

func TestSecondOpenFails(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir, 0)
	if second, err := Open(dir, Options{}); err == nil {
		second.Close()
		t.Fatal("second Open of a data directory in use succeeded")
	} else if !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second Open error %q does not say the directory is in use", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir, 0) // free again after Close
	s.Close()
}

// Reopening after a crash (the handle closed with no cleanup) keeps linked
// files and unlinked transient files, and removes orphaned data files.
func TestReopenAfterCrash(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openTestStore(t, dir, 0)
	bucket, err := s.MakeDirectory(ctx, s.Root(), "bucket")
	if err != nil {
		t.Fatal(err)
	}
	linked := putFile(t, s, bucket, "obj", []byte("durable"))
	tr, err := s.CreateTransient(ctx, bucket, "upload in flight")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, tr, strings.NewReader("partial")); err != nil {
		t.Fatal(err)
	}
	scrapped, err := s.CreateTransient(ctx, bucket, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ScrapTransient(ctx, scrapped); err != nil {
		t.Fatal(err)
	}
	// What a crash between a committed unlink and the data file's removal
	// leaves: a data file with no inode. Also an entry that is no data file.
	orphan := s.files.path(0xabcdef0123)
	if err := os.WriteFile(orphan, []byte("orphan"), 0o644); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "files", "00", "not-a-data-file")
	if err := os.WriteFile(foreign, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Crash: no unlink, no scrap, just drop the handles.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTestStore(t, dir, 0)
	defer s.Close()
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("orphaned data file survived Open: %v", err)
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Errorf("entry that is not a data file was removed: %v", err)
	}
	if e, err := s.Lookup(ctx, bucket, "obj"); err != nil || e.ID != linked.ID {
		t.Fatalf("Lookup after reopen = %+v, %v", e, err)
	}
	if string(readFile(t, s, linked.ID)) != "durable" {
		t.Fatal("linked content lost")
	}
	var visited []store.TransientInfo
	s.VisitTransient(ctx, func(ti store.TransientInfo) error {
		visited = append(visited, ti)
		return nil
	})
	if len(visited) != 1 || visited[0].ID != tr.ID || visited[0].Note != "upload in flight" || visited[0].Size != 7 {
		t.Fatalf("transient files after reopen: %+v", visited)
	}
	// The in-flight upload can be finished after the restart.
	if _, err := s.Append(ctx, tr, strings.NewReader(" done")); err != nil {
		t.Fatal(err)
	}
	info, err := s.LinkFile(ctx, tr, bucket, "obj")
	if err != nil {
		t.Fatal(err)
	}
	if string(readFile(t, s, info.ID)) != "partial done" {
		t.Fatal("resumed upload content wrong")
	}
	if n := dataFileCount(t, s); n != 2 { // obj and the foreign entry
		t.Fatalf("%d entries under files/, want 2", n)
	}
}

func TestOpenReapsExpiredTransients(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	const ttl = time.Second // outlasts the append on a loaded machine
	s := openTestStore(t, dir, ttl)
	tr, err := s.CreateTransient(ctx, s.Root(), "abandoned")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, tr, strings.NewReader("bytes")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	time.Sleep(ttl * 3 / 2)
	s = openTestStore(t, dir, ttl)
	defer s.Close()
	if notes := transientNotes(t, s); len(notes) != 0 {
		t.Fatalf("expired transient files survived Open: %v", notes)
	}
	if dataFileExists(s, tr.ID) {
		t.Fatal("expired transient file's data survived Open")
	}
}

func TestIDsNeverReused(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openTestStore(t, dir, 0)
	var highest store.ID
	// The newest IDs are all released before the reopen, so an allocator
	// that looked at live IDs would hand them out again.
	for range 3 {
		tr, err := s.CreateTransient(ctx, s.Root(), "")
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.LinkFile(ctx, tr, s.Root(), "f")
		if err != nil {
			t.Fatal(err)
		}
		highest = max(highest, info.ID)
	}
	d, _ := s.MakeDirectory(ctx, s.Root(), "d")
	highest = max(highest, d)
	s.RemoveDirectory(ctx, s.Root(), "d")
	e, _ := s.Lookup(ctx, s.Root(), "f")
	s.UnlinkFile(ctx, s.Root(), "f", e.ID)
	s.Close()

	s = openTestStore(t, dir, 0)
	defer s.Close()
	seen := map[store.ID]bool{s.Root(): true}
	for range 5 {
		tr, err := s.CreateTransient(ctx, s.Root(), "")
		if err != nil {
			t.Fatal(err)
		}
		d, err := s.MakeDirectory(ctx, s.Root(), fmt.Sprint("d", tr.ID))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []store.ID{tr.ID, d} {
			if id <= highest || seen[id] {
				t.Fatalf("ID %d reused (highest before reopen %d)", id, highest)
			}
			seen[id] = true
		}
	}
}
