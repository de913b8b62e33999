package ternfs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

// TestRemovedDirectoryIsGoneIntegration: on a live cluster a request in a
// removed directory answers DIRECTORY_NOT_FOUND, which the store reports
// as store.ErrDirectoryGone, while a name missing from a live directory
// (NAME_NOT_FOUND) is only store.ErrNotFound. Both are store.ErrNotFound,
// so callers that only test for a miss see no change.
func TestRemovedDirectoryIsGoneIntegration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	dir, err := s.MakeDirectory(ctx, s.Root(), "doomed")
	if err != nil {
		t.Fatalf("mkdir: %v", err)
	}
	_, err = s.Lookup(ctx, dir, "absent")
	if !errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrDirectoryGone) {
		t.Fatalf("Lookup of a missing name in a live directory: %v; want store.ErrNotFound only", err)
	}
	if err := s.RemoveDirectory(ctx, s.Root(), "doomed"); err != nil {
		t.Fatalf("rmdir: %v", err)
	}
	checks := map[string]error{}
	_, checks["Lookup"] = s.Lookup(ctx, dir, "absent")
	_, checks["StatDirectory"] = s.StatDirectory(ctx, dir)
	checks["ReadDir"] = s.ReadDir(ctx, dir, func(store.Entry) error { return nil })
	for op, err := range checks {
		if !errors.Is(err, store.ErrDirectoryGone) || !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s in a removed directory: %v; want store.ErrDirectoryGone and store.ErrNotFound", op, err)
		}
	}
}

// TestLinkFileInfoIsTheShardsIntegration: LinkFile reports size and mtime
// without asking the shard again (the size is what this store appended,
// the mtime the link time the shard answers with); both must be what a
// StatFile says, and the link must cost no StatFile or StatTransientFile.
func TestLinkFileInfoIsTheShardsIntegration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	for _, size := range []int{0, 100, 4096, 5000} {
		before := requestCounts(s)
		tr := mustWrite(t, ctx, s, s.Root(), "put", storeTestBytes(size, 3))
		fi, err := s.LinkFile(ctx, tr, s.Root(), "f")
		if err != nil {
			t.Fatalf("link %d bytes: %v", size, err)
		}
		asked := requestCounts(s)
		for _, kind := range []string{"StatFile", "StatTransientFile"} {
			if n := asked[kind] - before[kind]; n != 0 {
				t.Errorf("%d bytes: writing and linking sent %d %s", size, n, kind)
			}
		}
		st, err := s.StatFile(ctx, tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fi != st {
			t.Errorf("%d bytes: LinkFile reports %+v, StatFile %+v", size, fi, st)
		}
		f, err := s.OpenFile(ctx, tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if f.Size() != int64(size) {
			t.Errorf("%d bytes: the opened file has %d", size, f.Size())
		}
		f.Close()
	}
}

// TestOpenMissingFileIntegration: OpenFile lists spans without a StatFile
// first; a file that does not exist must still be store.ErrNotFound.
func TestOpenMissingFileIntegration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	tr := mustWrite(t, ctx, s, s.Root(), "put", storeTestBytes(10, 1))
	if err := s.ScrapTransient(ctx, tr); err != nil {
		t.Fatal(err)
	}
	// A scrapped file without spans is removed at once (dropIfEmpty);
	// an inline one waits for GC, so use an id no file ever had: the
	// next id the shard would give is past it, and ids are never reused.
	missing := store.ID(uint64(tr.ID) + 0x100*1000000)
	if _, err := s.OpenFile(ctx, missing); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OpenFile of a file that does not exist: %v; want store.ErrNotFound", err)
	}
}

// requestCounts is the store client's shard requests so far, by kind.
func requestCounts(s *Store) map[string]uint64 {
	out := map[string]uint64{}
	for _, c := range s.Client().Requests().Counts() {
		if c.Service == "shard" {
			out[c.Kind] = c.N
		}
	}
	return out
}
