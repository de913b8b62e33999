package local

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

// transientWith creates a transient file in dir holding data.
func transientWith(t testing.TB, s *Store, dir store.ID, data string) store.Transient {
	t.Helper()
	ctx := context.Background()
	tr, err := s.CreateTransient(ctx, dir, "mpu:test")
	if err != nil {
		t.Fatal(err)
	}
	if data != "" {
		if _, err := s.Append(ctx, tr, strings.NewReader(data)); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

// assemble moves parts onto a new transient file in order, scraps the
// emptied parts and links the result as name.
func assemble(t testing.TB, s *Store, dir store.ID, name string, parts ...store.Transient) store.FileInfo {
	t.Helper()
	ctx := context.Background()
	dst, err := s.CreateTransient(ctx, dir, "assembled")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if err := s.MoveData(ctx, dst, p); err != nil {
			t.Fatalf("MoveData: %v", err)
		}
	}
	for _, p := range parts {
		if err := s.ScrapTransient(ctx, p); err != nil {
			t.Fatalf("ScrapTransient: %v", err)
		}
	}
	info, err := s.LinkFile(ctx, dst, dir, name)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func TestMoveDataAssemblesInOrder(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dir, _ := s.MakeDirectory(ctx, s.Root(), "b")
	a := transientWith(t, s, dir, "alpha-")
	b := transientWith(t, s, dir, "")
	c := transientWith(t, s, dir, "gamma")
	info := assemble(t, s, dir, "obj", c, b, a)
	if info.Size != 11 {
		t.Fatalf("size %d, want 11", info.Size)
	}
	if got := string(readFile(t, s, info.ID)); got != "gammaalpha-" {
		t.Fatalf("content %q", got)
	}
	// Ranges across extent boundaries, through both read paths.
	f, err := s.OpenFile(ctx, info.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, r := range []struct{ off, n int64 }{{0, 5}, {3, 4}, {4, 7}, {5, 6}, {10, 1}, {10, 5}, {11, 0}} {
		want := "gammaalpha-"[r.off:min(r.off+r.n, 11)]
		rd, err := f.NewReader(r.off, r.n)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, rd); err != nil || buf.String() != want {
			t.Errorf("NewReader(%d,%d) = %q, %v; want %q", r.off, r.n, buf.String(), err, want)
		}
		p := make([]byte, r.n)
		n, err := f.ReadAt(p, r.off)
		if string(p[:n]) != want || (err != nil && !errors.Is(err, io.EOF)) {
			t.Errorf("ReadAt(%d,%d) = %q, %v; want %q", r.off, r.n, p[:n], err, want)
		}
	}
}

func TestMoveDataThenAppendToBoth(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dir, _ := s.MakeDirectory(ctx, s.Root(), "b")
	dst := transientWith(t, s, dir, "head|")
	src := transientWith(t, s, dir, "moved|")
	if err := s.MoveData(ctx, dst, src); err != nil {
		t.Fatal(err)
	}
	// dst's own data file continues after what it already held; src's own
	// data file must not overwrite the bytes dst now points at.
	if _, err := s.Append(ctx, dst, strings.NewReader("tail")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, src, strings.NewReader("fresh")); err != nil {
		t.Fatal(err)
	}
	dInfo, err := s.LinkFile(ctx, dst, dir, "dst")
	if err != nil {
		t.Fatal(err)
	}
	sInfo, err := s.LinkFile(ctx, src, dir, "src")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(readFile(t, s, dInfo.ID)); got != "head|moved|tail" {
		t.Fatalf("dst = %q", got)
	}
	if got := string(readFile(t, s, sInfo.ID)); got != "fresh" {
		t.Fatalf("src = %q", got)
	}
}

func TestMoveDataRefusals(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	d1, _ := s.MakeDirectory(ctx, s.Root(), "one")
	d2, _ := s.MakeDirectory(ctx, s.Root(), "two")
	a := transientWith(t, s, d1, "a")
	b := transientWith(t, s, d2, "b")
	if err := s.MoveData(ctx, a, b); err == nil {
		t.Error("MoveData across directories succeeded")
	}
	if err := s.MoveData(ctx, a, a); err == nil {
		t.Error("MoveData onto itself succeeded")
	}
	linked := putFile(t, s, d1, "x", []byte("x"))
	if err := s.MoveData(ctx, a, store.Transient{ID: linked.ID}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MoveData from a linked file = %v, want ErrNotFound", err)
	}
}

func TestAssembledDataReleasedOnlyWhenUnreferenced(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dir, _ := s.MakeDirectory(ctx, s.Root(), "b")
	before := dataFileCount(t, s)
	p1 := transientWith(t, s, dir, "one")
	p2 := transientWith(t, s, dir, "two")
	info := assemble(t, s, dir, "obj", p1, p2)
	// The parts' inodes are gone but their data files hold the object.
	if !dataFileExists(s, p1.ID) || !dataFileExists(s, p2.ID) {
		t.Fatal("scrapping a moved part removed data the object points at")
	}
	// A reader opened before the unlink keeps reading.
	f, err := s.OpenFile(ctx, info.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UnlinkFile(ctx, dir, "obj", info.ID); err != nil {
		t.Fatal(err)
	}
	if got := string(readOpenFile(t, f)); got != "onetwo" {
		t.Fatalf("open reader after unlink read %q", got)
	}
	f.Close()
	if n := dataFileCount(t, s); n != before {
		t.Fatalf("%d data files after unlink, want %d (all released)", n, before)
	}

	// Replacing an assembled object releases its data files too.
	p3 := transientWith(t, s, dir, "three")
	assemble(t, s, dir, "obj", p3)
	putFile(t, s, dir, "obj", []byte("plain"))
	if n := dataFileCount(t, s); n != before+1 {
		t.Fatalf("%d data files after replace, want %d", n, before+1)
	}

	// Scrapping an assembled transient file releases the moved data.
	p4 := transientWith(t, s, dir, "four")
	dst := transientWith(t, s, dir, "")
	if err := s.MoveData(ctx, dst, p4); err != nil {
		t.Fatal(err)
	}
	if err := s.ScrapTransient(ctx, p4); err != nil {
		t.Fatal(err)
	}
	if err := s.ScrapTransient(ctx, dst); err != nil {
		t.Fatal(err)
	}
	if n := dataFileCount(t, s); n != before+1 {
		t.Fatalf("%d data files after scrap, want %d", n, before+1)
	}
}

func TestAssembledSurvivesReopenAndCrash(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openTestStore(t, dir, 0)
	b, _ := s.MakeDirectory(ctx, s.Root(), "b")
	p1 := transientWith(t, s, b, "first ")
	p2 := transientWith(t, s, b, "second")
	info := assemble(t, s, b, "obj", p1, p2)
	// A moved but not yet scrapped part, as a crash mid-Complete leaves.
	p3 := transientWith(t, s, b, "pending")
	pending := transientWith(t, s, b, "")
	if err := s.MoveData(ctx, pending, p3); err != nil {
		t.Fatal(err)
	}
	// Crash: just drop the handles.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir, 0)
	defer s.Close()
	// The orphan scan must count extents: the scrapped parts' data files
	// have no inode but are the object's bytes.
	if got := string(readFile(t, s, info.ID)); got != "first second" {
		t.Fatalf("after reopen: %q", got)
	}
	if !dataFileExists(s, p1.ID) || !dataFileExists(s, p2.ID) || !dataFileExists(s, p3.ID) {
		t.Fatal("Open removed referenced data files")
	}
	linked, err := s.LinkFile(ctx, pending, b, "pending")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(readFile(t, s, linked.ID)); got != "pending" {
		t.Fatalf("pending after reopen: %q", got)
	}
}

func TestExpiredAssembledTransientReleasesData(t *testing.T) {
	// A TTL a loaded machine cannot outrun between creating the files and
	// moving the data (CI shares two cores).
	const ttl = time.Second
	s := openTestStore(t, t.TempDir(), ttl)
	defer s.Close()
	ctx := context.Background()
	dir, _ := s.MakeDirectory(ctx, s.Root(), "b")
	before := dataFileCount(t, s)
	p := transientWith(t, s, dir, "part")
	dst := transientWith(t, s, dir, "")
	if err := s.MoveData(ctx, dst, p); err != nil {
		t.Fatal(err)
	}
	time.Sleep(ttl * 3 / 2)
	if n, err := s.ReapExpired(ctx); err != nil || n != 2 {
		t.Fatalf("ReapExpired = %d, %v; want 2", n, err)
	}
	if n := dataFileCount(t, s); n != before {
		t.Fatalf("%d data files after reaping, want %d", n, before)
	}
}
