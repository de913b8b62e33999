package ternfs

import (
	"context"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

// TestUnlinkEntryIntegration checks on a real cluster that UnlinkEntry
// unlinks the edge it was given in one shard request, and that an edge
// changed since its lookup (replaced, renamed away and back, removed, or
// now a directory) gets exactly UnlinkFile's answer.
func TestUnlinkEntryIntegration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	dir, err := s.MakeDirectory(ctx, s.Root(), "d")
	if err != nil {
		t.Fatal(err)
	}
	link := func(name string) store.Entry {
		t.Helper()
		tr := mustWrite(t, ctx, s, dir, "put", []byte(name))
		if _, err := s.LinkFile(ctx, tr, dir, name); err != nil {
			t.Fatalf("link %s: %v", name, err)
		}
		e, err := s.Lookup(ctx, dir, name)
		if err != nil {
			t.Fatalf("lookup %s: %v", name, err)
		}
		return e
	}
	shardRequests := func() uint64 {
		var n uint64
		for _, c := range requestCounts(s) {
			n += c
		}
		return n
	}

	// The common case: one SoftUnlinkFile, no lookup.
	e := link("plain")
	before := shardRequests()
	if err := s.UnlinkEntry(ctx, dir, e); err != nil {
		t.Fatalf("unlink a fresh entry: %v", err)
	}
	if n := shardRequests() - before; n != 1 {
		t.Errorf("unlinking a fresh entry took %d shard requests, want 1", n)
	}
	wantErr(t, "lookup after unlink", func() error { _, err := s.Lookup(ctx, dir, "plain"); return err }(), store.ErrNotFound)
	wantErr(t, "unlink the same entry again", s.UnlinkEntry(ctx, dir, e), store.ErrNotFound)

	// Replaced since the lookup: stale, and the new file stays.
	old := link("replaced")
	fresh := link("replaced")
	wantErr(t, "unlink a replaced entry", s.UnlinkEntry(ctx, dir, old), store.ErrStale)
	if got, err := s.Lookup(ctx, dir, "replaced"); err != nil || got.ID != fresh.ID {
		t.Fatalf("the replacing file is gone: %+v %v", got, err)
	}

	// Renamed away and back: the same file under a new creation time is
	// still the file the caller meant, and goes.
	moved := link("moved")
	if err := s.Rename(ctx, dir, "moved", "away"); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename(ctx, dir, "away", "moved"); err != nil {
		t.Fatal(err)
	}
	if err := s.UnlinkEntry(ctx, dir, moved); err != nil {
		t.Fatalf("unlink an entry renamed away and back: %v", err)
	}
	wantErr(t, "lookup after unlink", func() error { _, err := s.Lookup(ctx, dir, "moved"); return err }(), store.ErrNotFound)

	// Now a directory: the file's name is held by a directory.
	gone := link("became-dir")
	if err := s.UnlinkFile(ctx, dir, "became-dir", gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MakeDirectory(ctx, dir, "became-dir"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "unlink an entry whose name is now a directory", s.UnlinkEntry(ctx, dir, gone), store.ErrIsDirectory)
}
