package local

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/terngate/terngate/store"
)

func TestRoundTrip(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	bucket, err := s.MakeDirectory(ctx, s.Root(), "bucket")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.CreateTransient(ctx, bucket, "key")
	if err != nil {
		t.Fatal(err)
	}
	// Several appends concatenate.
	parts := []string{"hello, ", "", "world", strings.Repeat("x", 3<<20)}
	for _, p := range parts {
		if n, err := s.Append(ctx, tr, strings.NewReader(p)); err != nil || n != int64(len(p)) {
			t.Fatalf("Append(%d bytes) = %d, %v", len(p), n, err)
		}
	}
	want := strings.Join(parts, "")
	if _, err := s.StatFile(ctx, tr.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("StatFile of a transient file: %v, want ErrNotFound", err)
	}
	if _, err := s.OpenFile(ctx, tr.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("OpenFile of a transient file: %v, want ErrNotFound", err)
	}
	info, err := s.LinkFile(ctx, tr, bucket, "key")
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != tr.ID || info.Size != int64(len(want)) || info.Mtime.IsZero() {
		t.Fatalf("LinkFile info = %+v", info)
	}
	entry, err := s.Lookup(ctx, bucket, "key")
	if err != nil || entry.ID != tr.ID || entry.Dir || entry.Name != "key" {
		t.Fatalf("Lookup = %+v, %v", entry, err)
	}
	stat, err := s.StatFile(ctx, tr.ID)
	if err != nil || stat != info {
		t.Fatalf("StatFile = %+v, %v; want %+v", stat, err, info)
	}
	if got := readFile(t, s, tr.ID); string(got) != want {
		t.Fatalf("read back %d bytes, want %d", len(got), len(want))
	}
	// A linked file is no longer transient.
	if _, err := s.Append(ctx, tr, strings.NewReader("more")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Append after link: %v, want ErrNotFound", err)
	}
	if _, err := s.LinkFile(ctx, tr, bucket, "other"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second LinkFile: %v, want ErrNotFound", err)
	}
}

func TestRanges(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	data := []byte("0123456789")
	info := putFile(t, s, s.Root(), "f", data)
	f, err := s.OpenFile(ctx, info.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Size() != 10 {
		t.Fatalf("Size = %d", f.Size())
	}
	r, err := f.NewReader(3, 4)
	if err != nil {
		t.Fatal(err)
	}
	if lr, ok := r.(*io.LimitedReader); !ok {
		t.Fatalf("NewReader returned %T, want *io.LimitedReader (for sendfile)", r)
	} else if _, ok := lr.R.(interface{ Fd() uintptr }); !ok {
		t.Fatalf("NewReader wraps %T, want *os.File", lr.R)
	}
	if got, _ := io.ReadAll(r); string(got) != "3456" {
		t.Fatalf("range read %q", got)
	}
	r, err = f.NewReader(8, 100) // clamped to the file
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(r); string(got) != "89" {
		t.Fatalf("clamped read %q", got)
	}
	if _, err := f.NewReader(11, 1); err == nil {
		t.Fatal("NewReader past the end succeeded")
	}
	buf := make([]byte, 5)
	if n, err := f.ReadAt(buf, 7); n != 3 || err != io.EOF || string(buf[:n]) != "789" {
		t.Fatalf("ReadAt at 7 = %d, %v, %q", n, err, buf[:n])
	}
}

func TestLinkReplacesAtomically(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	old := putFile(t, s, s.Root(), "obj", []byte("old bytes"))
	f, err := s.OpenFile(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dirBefore, _ := s.StatDirectory(ctx, s.Root())

	// Until the link, the old file stays visible while the new one is written.
	tr, err := s.CreateTransient(ctx, s.Root(), "obj")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, tr, strings.NewReader("new bytes, longer")); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.Lookup(ctx, s.Root(), "obj"); e.ID != old.ID {
		t.Fatalf("name points at %d before link, want %d", e.ID, old.ID)
	}
	neu, err := s.LinkFile(ctx, tr, s.Root(), "obj")
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := s.Lookup(ctx, s.Root(), "obj"); e.ID != neu.ID {
		t.Fatalf("name points at %d after link, want %d", e.ID, neu.ID)
	}
	if string(readFile(t, s, neu.ID)) != "new bytes, longer" {
		t.Fatal("new content wrong")
	}
	// The replaced file is gone for new opens, its data file removed ...
	if _, err := s.StatFile(ctx, old.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("StatFile(replaced) = %v, want ErrNotFound", err)
	}
	if _, err := s.OpenFile(ctx, old.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("OpenFile(replaced) = %v, want ErrNotFound", err)
	}
	if dataFileExists(s, old.ID) {
		t.Fatal("replaced file's data file still exists")
	}
	// ... but a reader that opened it keeps reading the old bytes.
	if got := readOpenFile(t, f); string(got) != "old bytes" {
		t.Fatalf("open reader sees %q after replace", got)
	}
	dirAfter, _ := s.StatDirectory(ctx, s.Root())
	if !dirAfter.Mtime.After(dirBefore.Mtime) {
		t.Fatal("directory mtime did not move on replace")
	}
	// Only the live file's data remains.
	if n := dataFileCount(t, s); n != 1 {
		t.Fatalf("%d data files, want 1", n)
	}
}

func TestUnlinkKeepsOpenReaders(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	info := putFile(t, s, s.Root(), "gone", bytes.Repeat([]byte("z"), 100))
	f, err := s.OpenFile(ctx, info.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := s.UnlinkFile(ctx, s.Root(), "gone", info.ID); err != nil {
		t.Fatal(err)
	}
	if got := readOpenFile(t, f); len(got) != 100 {
		t.Fatalf("open reader read %d bytes after unlink", len(got))
	}
	if _, err := s.StatFile(ctx, info.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("StatFile after unlink = %v", err)
	}
	if dataFileExists(s, info.ID) {
		t.Fatal("data file survives unlink")
	}
}
