package local

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

func TestNameValidation(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	bad := []string{"", ".", "..", "a/b", "/", "nul\x00", strings.Repeat("n", store.MaxNameLen+1)}
	for _, name := range bad {
		if _, err := s.MakeDirectory(ctx, s.Root(), name); !errors.Is(err, store.ErrInvalidName) {
			t.Errorf("MakeDirectory(%q) = %v, want ErrInvalidName", name, err)
		}
		if _, err := s.Lookup(ctx, s.Root(), name); !errors.Is(err, store.ErrInvalidName) {
			t.Errorf("Lookup(%q) = %v, want ErrInvalidName", name, err)
		}
		tr, err := s.CreateTransient(ctx, s.Root(), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.LinkFile(ctx, tr, s.Root(), name); !errors.Is(err, store.ErrInvalidName) {
			t.Errorf("LinkFile(%q) = %v, want ErrInvalidName", name, err)
		}
		if err := s.ScrapTransient(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	// The longest legal name and odd-but-legal ones work.
	for _, name := range []string{strings.Repeat("n", store.MaxNameLen), "...", " ", "é\\x"} {
		putFile(t, s, s.Root(), name, []byte(name))
		if e, err := s.Lookup(ctx, s.Root(), name); err != nil || e.Name != name {
			t.Errorf("Lookup(%q) = %+v, %v", name, e, err)
		}
	}
}

func TestDirectoryErrors(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	root := s.Root()
	dir, err := s.MakeDirectory(ctx, root, "d")
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.MakeDirectory(ctx, root, "d")
	if err != nil || again != dir {
		t.Fatalf("MakeDirectory again = %d, %v; want %d (idempotent)", again, err, dir)
	}
	file := putFile(t, s, root, "f", []byte("x"))

	if _, err := s.MakeDirectory(ctx, root, "f"); !errors.Is(err, store.ErrExists) {
		t.Errorf("MakeDirectory over a file = %v, want ErrExists", err)
	}
	tr, _ := s.CreateTransient(ctx, root, "")
	if _, err := s.LinkFile(ctx, tr, root, "d"); !errors.Is(err, store.ErrIsDirectory) {
		t.Errorf("LinkFile over a directory = %v, want ErrIsDirectory", err)
	}
	if err := s.UnlinkFile(ctx, root, "d", dir); !errors.Is(err, store.ErrIsDirectory) {
		t.Errorf("UnlinkFile of a directory = %v, want ErrIsDirectory", err)
	}
	if err := s.RemoveDirectory(ctx, root, "f"); !errors.Is(err, store.ErrNotDirectory) {
		t.Errorf("RemoveDirectory of a file = %v, want ErrNotDirectory", err)
	}
	if _, err := s.Lookup(ctx, file.ID, "x"); !errors.Is(err, store.ErrNotDirectory) {
		t.Errorf("Lookup in a file = %v, want ErrNotDirectory", err)
	}
	if _, err := s.StatDirectory(ctx, file.ID); !errors.Is(err, store.ErrNotDirectory) {
		t.Errorf("StatDirectory of a file = %v, want ErrNotDirectory", err)
	}
	if _, err := s.StatFile(ctx, dir); !errors.Is(err, store.ErrIsDirectory) {
		t.Errorf("StatFile of a directory = %v, want ErrIsDirectory", err)
	}
	if _, err := s.Lookup(ctx, root, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Lookup(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.Lookup(ctx, 999999, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Lookup in missing dir = %v, want ErrNotFound", err)
	}
	if err := s.RemoveDirectory(ctx, root, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RemoveDirectory(missing) = %v, want ErrNotFound", err)
	}

	// A directory with a file, or with a subdirectory, is not empty.
	inner := putFile(t, s, dir, "inner", []byte("y"))
	if err := s.RemoveDirectory(ctx, root, "d"); !errors.Is(err, store.ErrNotEmpty) {
		t.Errorf("RemoveDirectory(non-empty) = %v, want ErrNotEmpty", err)
	}
	if err := s.UnlinkFile(ctx, dir, "inner", inner.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MakeDirectory(ctx, dir, "sub"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveDirectory(ctx, root, "d"); !errors.Is(err, store.ErrNotEmpty) {
		t.Errorf("RemoveDirectory(with subdir) = %v, want ErrNotEmpty", err)
	}
	if err := s.RemoveDirectory(ctx, dir, "sub"); err != nil {
		t.Fatal(err)
	}
	forDir, err := s.CreateTransient(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkFile(ctx, forDir, root, "elsewhere"); err == nil {
		t.Error("LinkFile into another directory than the one given at creation succeeded")
	}
	// The edges of a directory whose ID is a neighbour's prefix never leak:
	// "d" is empty now although "f" and others sit in root.
	if err := s.RemoveDirectory(ctx, root, "d"); err != nil {
		t.Fatalf("RemoveDirectory(empty) = %v", err)
	}
	if _, err := s.StatDirectory(ctx, dir); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("StatDirectory(removed) = %v, want ErrNotFound", err)
	}
	// A transient file created for a removed directory cannot be linked.
	if _, err := s.LinkFile(ctx, forDir, dir, "late"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LinkFile into a removed directory = %v, want ErrNotFound", err)
	}
}

func TestUnlinkStale(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	first := putFile(t, s, s.Root(), "k", []byte("1"))
	second := putFile(t, s, s.Root(), "k", []byte("2"))
	if err := s.UnlinkFile(ctx, s.Root(), "k", first.ID); !errors.Is(err, store.ErrStale) {
		t.Fatalf("UnlinkFile with the replaced ID = %v, want ErrStale", err)
	}
	if string(readFile(t, s, second.ID)) != "2" {
		t.Fatal("stale unlink damaged the current file")
	}
	if err := s.UnlinkFile(ctx, s.Root(), "k", second.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.UnlinkFile(ctx, s.Root(), "k", second.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second UnlinkFile = %v, want ErrNotFound", err)
	}
	if n := dataFileCount(t, s); n != 0 {
		t.Fatalf("%d data files left, want 0", n)
	}
}

func TestRename(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	root := s.Root()
	a := putFile(t, s, root, "a", []byte("A"))
	putFile(t, s, root, "b", []byte("B"))
	if _, err := s.MakeDirectory(ctx, root, "dir"); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename(ctx, root, "a", "b"); !errors.Is(err, store.ErrExists) {
		t.Errorf("Rename onto a file = %v, want ErrExists", err)
	}
	if err := s.Rename(ctx, root, "a", "dir"); !errors.Is(err, store.ErrExists) {
		t.Errorf("Rename onto a directory = %v, want ErrExists", err)
	}
	if err := s.Rename(ctx, root, "dir", "dir2"); !errors.Is(err, store.ErrIsDirectory) {
		t.Errorf("Rename of a directory = %v, want ErrIsDirectory", err)
	}
	if err := s.Rename(ctx, root, "missing", "c"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Rename of a missing name = %v, want ErrNotFound", err)
	}
	if err := s.Rename(ctx, root, "a", "bad/name"); !errors.Is(err, store.ErrInvalidName) {
		t.Errorf("Rename to an invalid name = %v, want ErrInvalidName", err)
	}
	if err := s.Rename(ctx, root, "a", "c"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, root, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old name after rename: %v", err)
	}
	e, err := s.Lookup(ctx, root, "c")
	if err != nil || e.ID != a.ID {
		t.Fatalf("Lookup(new name) = %+v, %v", e, err)
	}
	if string(readFile(t, s, e.ID)) != "A" {
		t.Fatal("renamed file content wrong")
	}
}

func TestDirectoryMtimeMovesOnEveryEdgeChange(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dir, err := s.MakeDirectory(ctx, s.Root(), "d")
	if err != nil {
		t.Fatal(err)
	}
	last, err := s.StatDirectory(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	step := func(what string, change func() error) {
		t.Helper()
		if err := change(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		info, err := s.StatDirectory(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		if !info.Mtime.After(last.Mtime) {
			t.Fatalf("%s: mtime %v did not move past %v", what, info.Mtime, last.Mtime)
		}
		last = info
	}
	var f1 store.FileInfo
	step("link", func() error { f1 = putFile(t, s, dir, "f", []byte("1")); return nil })
	step("replace", func() error { f1 = putFile(t, s, dir, "f", []byte("2")); return nil })
	step("rename", func() error { return s.Rename(ctx, dir, "f", "g") })
	step("mkdir", func() error { _, err := s.MakeDirectory(ctx, dir, "sub"); return err })
	step("rmdir", func() error { return s.RemoveDirectory(ctx, dir, "sub") })
	step("unlink", func() error { return s.UnlinkFile(ctx, dir, "g", f1.ID) })

	// Operations that change no edge leave the mtime alone.
	before := last
	if _, err := s.MakeDirectory(ctx, s.Root(), "d"); err != nil { // exists already
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, dir, "nothing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	if after, _ := s.StatDirectory(ctx, dir); !after.Mtime.Equal(before.Mtime) {
		t.Fatal("mtime moved without an edge change")
	}

	// Many changes in a row never share an mtime, even with a coarse clock.
	seen := map[int64]bool{last.Mtime.UnixNano(): true}
	for i := range 50 {
		putFile(t, s, dir, fmt.Sprint(i%3), nil)
		info, _ := s.StatDirectory(ctx, dir)
		if seen[info.Mtime.UnixNano()] {
			t.Fatalf("mtime %v repeated", info.Mtime)
		}
		seen[info.Mtime.UnixNano()] = true
	}
}

func TestReadDir(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dir, _ := s.MakeDirectory(ctx, s.Root(), "big")
	// A neighbour directory whose edges must not show up.
	other, _ := s.MakeDirectory(ctx, s.Root(), "other")
	putFile(t, s, other, "stranger", nil)

	start := time.Now()
	s.batch = 7
	const n = 7*5 + 3 // crosses batch boundaries
	want := make([]string, 0, n+1)
	for i := range n {
		name := fmt.Sprintf("file-%05d", i)
		tr, err := s.CreateTransient(ctx, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.LinkFile(ctx, tr, dir, name); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}
	if _, err := s.MakeDirectory(ctx, dir, "subdir"); err != nil {
		t.Fatal(err)
	}
	want = append(want, "subdir")

	var got []string
	err := s.ReadDir(ctx, dir, func(e store.Entry) error {
		got = append(got, e.Name)
		if e.Dir != (e.Name == "subdir") {
			t.Errorf("%q: Dir = %v", e.Name, e.Dir)
		}
		if e.CreationTime.Before(start.Add(-time.Second)) || e.ID == 0 {
			t.Errorf("%q: entry %+v", e.Name, e)
		}
		// fn may call back into the store (no transaction is held).
		if len(got) == 1 {
			if err := s.UnlinkFile(ctx, dir, e.Name, e.ID); err != nil {
				t.Errorf("UnlinkFile from ReadDir callback: %v", err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("ReadDir returned %d names, want %d", len(got), len(want))
	}

	stop := errors.New("stop")
	count := 0
	err = s.ReadDir(ctx, dir, func(store.Entry) error { count++; return stop })
	if err != stop || count != 1 {
		t.Fatalf("ReadDir with fn error = %v after %d calls", err, count)
	}
	if err := s.ReadDir(ctx, 424242, func(store.Entry) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ReadDir(missing) = %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.ReadDir(cancelled, dir, func(store.Entry) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("ReadDir(cancelled) = %v", err)
	}
}

// UnlinkEntry removes the entry it is given and, like UnlinkFile, refuses
// one whose name holds another file by now.
func TestUnlinkEntry(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	root := s.Root()
	putFile(t, s, root, "k", []byte("one"))
	old, err := s.Lookup(ctx, root, "k")
	if err != nil {
		t.Fatal(err)
	}
	putFile(t, s, root, "k", []byte("two"))
	if err := s.UnlinkEntry(ctx, root, old); !errors.Is(err, store.ErrStale) {
		t.Fatalf("unlink a replaced entry: %v, want ErrStale", err)
	}
	current, err := s.Lookup(ctx, root, "k")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UnlinkEntry(ctx, root, current); err != nil {
		t.Fatalf("unlink the current entry: %v", err)
	}
	if err := s.UnlinkEntry(ctx, root, current); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unlink it again: %v, want ErrNotFound", err)
	}
}
