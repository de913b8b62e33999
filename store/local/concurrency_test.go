package local

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/terngate/terngate/store"
)

// Many goroutines link, replace, read and unlink the same few names in one
// directory. Every outcome must be one the interface allows, every file read
// must hold its own bytes, and no data file may leak.
func TestConcurrentLinkUnlink(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dir, err := s.MakeDirectory(ctx, s.Root(), "hot")
	if err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 8, 40
	names := []string{"a", "b", "c", "d"}
	content := func(id store.ID) string { return "file " + strconv.FormatUint(uint64(id), 10) }

	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				if err := concurrentRound(ctx, s, dir, names[(w+i)%len(names)], names[(w+2*i+1)%len(names)], content); err != nil {
					errs <- fmt.Errorf("worker %d round %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	// A reader walking the directory meanwhile sees only well-formed entries.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 20 {
			err := s.ReadDir(ctx, dir, func(e store.Entry) error {
				if e.Dir || e.ID == 0 || !strings.Contains("abcd", e.Name) {
					return fmt.Errorf("odd entry %+v", e)
				}
				return nil
			})
			if err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	edges := 0
	err = s.ReadDir(ctx, dir, func(e store.Entry) error {
		edges++
		if got := string(readFile(t, s, e.ID)); got != content(e.ID) {
			t.Errorf("%q holds %q, want %q", e.Name, got, content(e.ID))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := dataFileCount(t, s); n != edges {
		t.Fatalf("%d data files for %d linked files: data leaked or lost", n, edges)
	}
	if notes := transientNotes(t, s); len(notes) != 0 {
		t.Fatalf("transient files left: %v", notes)
	}
}

func concurrentRound(ctx context.Context, s *Store, dir store.ID, put, del string, content func(store.ID) string) error {
	tr, err := s.CreateTransient(ctx, dir, put)
	if err != nil {
		return err
	}
	if _, err := s.Append(ctx, tr, strings.NewReader(content(tr.ID))); err != nil {
		return err
	}
	if _, err := s.LinkFile(ctx, tr, dir, put); err != nil {
		return err
	}
	e, err := s.Lookup(ctx, dir, del)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if f, err := s.OpenFile(ctx, e.ID); err == nil {
		buf := make([]byte, f.Size())
		_, rerr := f.ReadAt(buf, 0)
		f.Close()
		if rerr != nil || string(buf) != content(e.ID) {
			return fmt.Errorf("read %q (%v), want %q", buf, rerr, content(e.ID))
		}
	} else if !errors.Is(err, store.ErrNotFound) { // replaced since the lookup
		return err
	}
	err = s.UnlinkFile(ctx, dir, del, e.ID)
	if err != nil && !errors.Is(err, store.ErrStale) && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}
