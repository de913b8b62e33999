package local

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

const testEphemeralNote = "put"

func openEphemeralStore(t *testing.T, dir string, ttl time.Duration) *Store {
	t.Helper()
	s, err := Open(dir, Options{TransientTTL: ttl, EphemeralNotes: []string{testEphemeralNote}})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return s
}

// An ephemeral file is linked like any other, with its attribute, and a
// replaced one's data goes.
func TestEphemeralPutLinks(t *testing.T) {
	s := openEphemeralStore(t, t.TempDir(), 0)
	defer s.Close()
	ctx := context.Background()
	bucket, err := s.MakeDirectory(ctx, s.Root(), "b")
	if err != nil {
		t.Fatal(err)
	}
	put := func(name string, data []byte) store.FileInfo {
		t.Helper()
		tr, err := s.CreateTransient(ctx, bucket, testEphemeralNote)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.Append(ctx, tr, bytes.NewReader(data)); err != nil || n != int64(len(data)) {
			t.Fatalf("append: %d, %v", n, err)
		}
		info, err := s.LinkFileWithAttribute(ctx, tr, bucket, name, []byte("attr "+name))
		if err != nil {
			t.Fatalf("link: %v", err)
		}
		return info
	}
	data := bytes.Repeat([]byte("ephemeral"), 20000)
	info := put("k", data)
	if s.ephemeral.get(info.ID) != nil {
		t.Error("a linked file is still ephemeral")
	}
	if got := readFile(t, s, info.ID); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, want %d", len(got), len(data))
	}
	if attr, err := s.FileAttribute(ctx, info.ID); err != nil || string(attr) != "attr k" {
		t.Fatalf("attribute %q, %v", attr, err)
	}
	// Overwriting drops the replaced file's data.
	again := put("k", []byte("second"))
	if dataFileExists(s, info.ID) {
		t.Error("the replaced file's data file survives")
	}
	if got := readFile(t, s, again.ID); string(got) != "second" {
		t.Fatalf("read back %q", got)
	}
}

// A crash (the store closed with no cleanup) forgets ephemeral files that
// were not linked, reclaims their data files at Open and never hands their
// IDs out again; linked ones survive whole. Recorded transient files are
// kept as before.
func TestEphemeralFilesAfterCrash(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openEphemeralStore(t, dir, 0)
	linked := putFileNoted(t, s, s.Root(), "linked", testEphemeralNote, []byte("durable"))
	unlinked, err := s.CreateTransient(ctx, s.Root(), testEphemeralNote)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, unlinked, strings.NewReader("in flight")); err != nil {
		t.Fatal(err)
	}
	recorded, err := s.CreateTransient(ctx, s.Root(), "upload part")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, recorded, strings.NewReader("part")); err != nil {
		t.Fatal(err)
	}
	if !dataFileExists(s, unlinked.ID) {
		t.Fatal("no data file for the unlinked ephemeral file")
	}
	highest := max(linked.ID, unlinked.ID, recorded.ID)
	s.Close()

	s = openEphemeralStore(t, dir, 0)
	defer s.Close()
	if got := readFile(t, s, linked.ID); string(got) != "durable" {
		t.Fatalf("linked file after the crash: %q", got)
	}
	if dataFileExists(s, unlinked.ID) {
		t.Error("the unlinked ephemeral file's data file survives Open")
	}
	var visited []store.TransientInfo
	s.VisitTransient(ctx, func(ti store.TransientInfo) error { visited = append(visited, ti); return nil })
	if len(visited) != 1 || visited[0].ID != recorded.ID || visited[0].Size != 4 {
		t.Fatalf("transient files after the crash: %+v, want only the recorded one", visited)
	}
	if _, err := s.Append(ctx, unlinked, strings.NewReader("more")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("append to a forgotten ephemeral file: %v, want ErrNotFound", err)
	}
	for range 3 {
		tr, err := s.CreateTransient(ctx, s.Root(), testEphemeralNote)
		if err != nil {
			t.Fatal(err)
		}
		if tr.ID <= highest {
			t.Fatalf("ID %d handed out again after the crash (highest before %d)", tr.ID, highest)
		}
	}
}

// Scrap, KeepAlive, the deadline, the reaper and VisitTransient treat an
// ephemeral file as a recorded one; MoveData records it first.
func TestEphemeralTransientLifecycle(t *testing.T) {
	const ttl = time.Second
	s := openEphemeralStore(t, t.TempDir(), ttl)
	defer s.Close()
	s.batch = 2 // VisitTransient crosses batch boundaries
	ctx := context.Background()
	create := func(note string) store.Transient {
		t.Helper()
		tr, err := s.CreateTransient(ctx, s.Root(), note)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	if _, err := s.CreateTransient(ctx, 12345, testEphemeralNote); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("create in a missing directory: %v, want ErrNotFound", err)
	}
	scrapped := create(testEphemeralNote)
	rec1 := create("a")
	doomed := create(testEphemeralNote)
	rec2 := create("b")
	kept := create(testEphemeralNote)
	rec3 := create("c")

	var ids []store.ID
	s.VisitTransient(ctx, func(ti store.TransientInfo) error { ids = append(ids, ti.ID); return nil })
	want := []store.ID{scrapped.ID, rec1.ID, doomed.ID, rec2.ID, kept.ID, rec3.ID}
	slices.Sort(want) // ephemeral IDs come from a reserved block
	if !slices.Equal(ids, want) {
		t.Fatalf("VisitTransient: %v, want %v in ID order", ids, want)
	}

	if err := s.ScrapTransient(ctx, scrapped); err != nil {
		t.Fatal(err)
	}
	if dataFileExists(s, scrapped.ID) {
		t.Error("scrapped file's data survives")
	}
	if err := s.ScrapTransient(ctx, scrapped); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("scrap twice: %v", err)
	}
	if _, err := s.LinkFile(ctx, scrapped, s.Root(), "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("link a scrapped file: %v, want ErrNotFound", err)
	}

	deadline := time.Now().Add(2 * ttl)
	for time.Now().Before(deadline) {
		if err := s.KeepAlive(ctx, kept); err != nil {
			t.Fatalf("KeepAlive: %v", err)
		}
		time.Sleep(ttl / 5)
	}
	if _, err := s.Append(ctx, doomed, strings.NewReader("late")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("append after the deadline: %v, want ErrNotFound", err)
	}
	if _, err := s.LinkFile(ctx, doomed, s.Root(), "doomed"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("link after the deadline: %v, want ErrNotFound", err)
	}
	if err := s.KeepAlive(ctx, kept); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReapExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if dataFileExists(s, doomed.ID) {
		t.Error("the reaper left an expired ephemeral file's data")
	}
	if !dataFileExists(s, kept.ID) {
		t.Error("the reaper took a file kept alive")
	}

	// MoveData records both files, then moves as usual.
	src := create(testEphemeralNote)
	if _, err := s.Append(ctx, kept, strings.NewReader("head-")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, src, strings.NewReader("tail")); err != nil {
		t.Fatal(err)
	}
	if err := s.MoveData(ctx, kept, src); err != nil {
		t.Fatalf("MoveData: %v", err)
	}
	if s.ephemeral.get(kept.ID) != nil || s.ephemeral.get(src.ID) != nil {
		t.Error("MoveData left its files ephemeral")
	}
	info, err := s.LinkFile(ctx, kept, s.Root(), "moved")
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, s, info.ID); string(got) != "head-tail" {
		t.Fatalf("moved file reads %q", got)
	}
}

// A link waits for nothing but the file's own lock: a scrap racing it
// either wins (the link fails, nothing visible) or loses (the file is
// linked and whole).
func TestEphemeralLinkAndScrapRace(t *testing.T) {
	s := openEphemeralStore(t, t.TempDir(), 0)
	defer s.Close()
	ctx := context.Background()
	for i := range 20 {
		tr, err := s.CreateTransient(ctx, s.Root(), testEphemeralNote)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Append(ctx, tr, strings.NewReader("body")); err != nil {
			t.Fatal(err)
		}
		scrapErr := make(chan error, 1)
		go func() { scrapErr <- s.ScrapTransient(ctx, tr) }()
		info, linkErr := s.LinkFile(ctx, tr, s.Root(), "race")
		serr := <-scrapErr
		switch {
		case linkErr == nil && errors.Is(serr, store.ErrNotFound):
			if got := readFile(t, s, info.ID); string(got) != "body" {
				t.Fatalf("round %d: linked file reads %q", i, got)
			}
		case serr == nil && errors.Is(linkErr, store.ErrNotFound):
			if e, err := s.Lookup(ctx, s.Root(), "race"); err == nil && e.ID == tr.ID {
				t.Fatalf("round %d: a scrapped file is linked", i)
			}
		default:
			t.Fatalf("round %d: link %v, scrap %v", i, linkErr, serr)
		}
	}
}

func putFileNoted(t *testing.T, s *Store, dir store.ID, name, note string, data []byte) store.FileInfo {
	t.Helper()
	ctx := context.Background()
	tr, err := s.CreateTransient(ctx, dir, note)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, tr, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	info, err := s.LinkFile(ctx, tr, dir, name)
	if err != nil {
		t.Fatal(err)
	}
	return info
}
