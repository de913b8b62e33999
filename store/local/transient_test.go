package local

import (
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

func TestTransientDeadline(t *testing.T) {
	// Long enough that a loaded machine (CI shares two cores) does not expire
	// a file between two steps of the test that are meant to keep it alive.
	const ttl = time.Second
	s := openTestStore(t, t.TempDir(), ttl)
	defer s.Close()
	s.batch = 2 // walks cross batch boundaries
	ctx := context.Background()

	doomed, err := s.CreateTransient(ctx, s.Root(), "doomed")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, doomed, strings.NewReader("abc")); err != nil {
		t.Fatal(err)
	}
	var others []store.Transient
	for _, note := range []string{"doomed too", "doomed three", "doomed four"} {
		tr, err := s.CreateTransient(ctx, s.Root(), note)
		if err != nil {
			t.Fatal(err)
		}
		others = append(others, tr)
	}
	kept, err := s.CreateTransient(ctx, s.Root(), "kept")
	if err != nil {
		t.Fatal(err)
	}
	// Appends and KeepAlive push the deadline; the other file is left to expire.
	deadline := time.Now().Add(ttl * 2)
	for time.Now().Before(deadline) {
		if err := s.KeepAlive(ctx, kept); err != nil {
			t.Fatalf("KeepAlive: %v", err)
		}
		time.Sleep(ttl / 5)
	}
	if _, err := s.Append(ctx, doomed, strings.NewReader("more")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Append after deadline = %v, want ErrNotFound", err)
	}
	if err := s.KeepAlive(ctx, doomed); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("KeepAlive after deadline = %v, want ErrNotFound", err)
	}
	if _, err := s.LinkFile(ctx, doomed, s.Root(), "doomed"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LinkFile after deadline = %v, want ErrNotFound", err)
	}
	if _, err := s.Lookup(ctx, s.Root(), "doomed"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired file got linked: %v", err)
	}
	// Until reaped, the expired file is still visited.
	if notes := transientNotes(t, s); strings.Join(notes, ",") != "doomed,doomed four,doomed three,doomed too,kept" {
		t.Errorf("transient notes before reap = %v", notes)
	}
	n, err := s.ReapExpired(ctx)
	if err != nil || n != 4 {
		t.Fatalf("ReapExpired = %d, %v; want 4", n, err)
	}
	for _, tr := range append(others, doomed) {
		if dataFileExists(s, tr.ID) {
			t.Error("reaped file's data remains")
		}
	}
	if notes := transientNotes(t, s); strings.Join(notes, ",") != "kept" {
		t.Errorf("transient notes after reap = %v", notes)
	}
	// The live one still works.
	if _, err := s.Append(ctx, kept, strings.NewReader("ok")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkFile(ctx, kept, s.Root(), "kept"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.ReapExpired(ctx); err != nil || n != 0 {
		t.Fatalf("second ReapExpired = %d, %v", n, err)
	}
}

func transientNotes(t testing.TB, s *Store) []string {
	t.Helper()
	var notes []string
	err := s.VisitTransient(context.Background(), func(ti store.TransientInfo) error {
		notes = append(notes, ti.Note)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(notes)
	return notes
}

func TestVisitTransient(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	before := time.Now()
	ids := map[store.ID]string{}
	for _, note := range []string{"upload/1", "upload/2", "", "put obj"} {
		tr, err := s.CreateTransient(ctx, s.Root(), note)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Append(ctx, tr, strings.NewReader(note)); err != nil {
			t.Fatal(err)
		}
		ids[tr.ID] = note
	}
	linked := putFile(t, s, s.Root(), "linked", []byte("x")) // not transient
	seen := 0
	err := s.VisitTransient(ctx, func(ti store.TransientInfo) error {
		seen++
		note, ok := ids[ti.ID]
		if !ok {
			t.Errorf("visited unexpected file %d (linked is %d)", ti.ID, linked.ID)
			return nil
		}
		if ti.Note != note || ti.Size != int64(len(note)) {
			t.Errorf("visited %+v, want note %q size %d", ti, note, len(note))
		}
		if ti.Deadline.Before(before.Add(DefaultTransientTTL)) {
			t.Errorf("deadline %v is too early", ti.Deadline)
		}
		return nil
	})
	if err != nil || seen != len(ids) {
		t.Fatalf("VisitTransient saw %d, err %v; want %d", seen, err, len(ids))
	}
	stop := errors.New("stop")
	if err := s.VisitTransient(ctx, func(store.TransientInfo) error { return stop }); err != stop {
		t.Fatalf("VisitTransient with fn error = %v", err)
	}
	// Scrapping removes the record and the data.
	for id := range ids {
		if err := s.ScrapTransient(ctx, store.Transient{ID: id}); err != nil {
			t.Fatal(err)
		}
		if dataFileExists(s, id) {
			t.Fatal("scrapped file's data remains")
		}
	}
	if notes := transientNotes(t, s); len(notes) != 0 {
		t.Fatalf("transient files after scrap: %v", notes)
	}
	if err := s.ScrapTransient(ctx, store.Transient{ID: linked.ID}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ScrapTransient of a linked file = %v, want ErrNotFound", err)
	}
	if string(readFile(t, s, linked.ID)) != "x" {
		t.Fatal("linked file damaged")
	}
}

// failingReader returns some bytes, then an error of its own.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestAppendErrors(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	tr, err := s.CreateTransient(ctx, s.Root(), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, tr, strings.NewReader("good ")); err != nil {
		t.Fatal(err)
	}
	// A body error is returned unchanged and records nothing.
	bodyErr := errors.New("payload hash mismatch")
	if _, err := s.Append(ctx, tr, &failingReader{data: make([]byte, 3<<20), err: bodyErr}); err != bodyErr {
		t.Fatalf("Append with failing body = %v, want the body's error", err)
	}
	// Cancellation stops the copy.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Append(cancelled, tr, strings.NewReader("never")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Append(cancelled) = %v", err)
	}
	r, w := io.Pipe()
	cancelling, cancel2 := context.WithCancel(ctx)
	go func() {
		w.Write(make([]byte, appendBufferSize)) // one full buffer, then cancel
		cancel2()
		w.Write(make([]byte, appendBufferSize))
		w.Close()
	}()
	if _, err := s.Append(cancelling, tr, r); !errors.Is(err, context.Canceled) {
		t.Fatalf("Append cancelled mid-copy = %v", err)
	}
	r.Close()
	// The bytes a failed append left behind are not part of the file.
	if _, err := s.Append(ctx, tr, strings.NewReader("end")); err != nil {
		t.Fatal(err)
	}
	info, err := s.LinkFile(ctx, tr, s.Root(), "f")
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, s, info.ID); string(got) != "good end" {
		t.Fatalf("file holds %d bytes %.20q, want %q", len(got), got, "good end")
	}
	if _, err := s.Append(ctx, store.Transient{ID: 987654}, strings.NewReader("x")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Append to unknown file = %v, want ErrNotFound", err)
	}
	if _, err := s.CreateTransient(ctx, 987654, ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CreateTransient in unknown dir = %v, want ErrNotFound", err)
	}
}

// A second writer on a transient file, or a link while an append runs, is
// refused rather than allowed to interleave or link a half-written file.
func TestAppendIsExclusive(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	tr, err := s.CreateTransient(ctx, s.Root(), "")
	if err != nil {
		t.Fatal(err)
	}
	r, w := io.Pipe()
	done := make(chan error)
	go func() {
		_, err := s.Append(ctx, tr, r)
		done <- err
	}()
	w.Write([]byte("first")) // the append is now under way
	if _, err := s.Append(ctx, tr, strings.NewReader("second")); !errors.Is(err, errBusy) {
		t.Errorf("concurrent Append = %v, want errBusy", err)
	}
	if _, err := s.LinkFile(ctx, tr, s.Root(), "f"); !errors.Is(err, errBusy) {
		t.Errorf("LinkFile during Append = %v, want errBusy", err)
	}
	w.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	info, err := s.LinkFile(ctx, tr, s.Root(), "f")
	if err != nil {
		t.Fatal(err)
	}
	if string(readFile(t, s, info.ID)) != "first" {
		t.Fatal("content wrong")
	}
}

// An append that outlives the TTL (a slow client) is not reaped under it,
// and its success pushes the deadline again.
func TestReaperSparesAppendInProgress(t *testing.T) {
	// Long enough that the link after the append lands within the deadline
	// the append pushed, even on a loaded machine.
	const ttl = time.Second
	s := openTestStore(t, t.TempDir(), ttl)
	defer s.Close()
	ctx := context.Background()
	tr, err := s.CreateTransient(ctx, s.Root(), "slow")
	if err != nil {
		t.Fatal(err)
	}
	r, w := io.Pipe()
	done := make(chan error)
	go func() {
		_, err := s.Append(ctx, tr, r)
		done <- err
	}()
	w.Write([]byte("slow "))
	time.Sleep(ttl * 3 / 2)
	if n, err := s.ReapExpired(ctx); err != nil || n != 0 {
		t.Fatalf("ReapExpired during append = %d, %v; want 0", n, err)
	}
	w.Write([]byte("body"))
	w.Close()
	if err := <-done; err != nil {
		t.Fatalf("long Append: %v", err)
	}
	info, err := s.LinkFile(ctx, tr, s.Root(), "slow")
	if err != nil {
		t.Fatalf("LinkFile after long append: %v", err)
	}
	if string(readFile(t, s, info.ID)) != "slow body" {
		t.Fatal("content wrong")
	}
}
