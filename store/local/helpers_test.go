package local

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

func openTestStore(t testing.TB, dir string, ttl time.Duration) *Store {
	t.Helper()
	s, err := Open(dir, Options{TransientTTL: ttl})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return s
}

// newTestStore opens a fresh store that is closed when the test ends.
func newTestStore(t testing.TB) *Store {
	t.Helper()
	s := openTestStore(t, t.TempDir(), 0)
	t.Cleanup(func() { s.Close() })
	return s
}

// putFile creates, fills and links a file, as the object layer's PUT does.
func putFile(t testing.TB, s *Store, dir store.ID, name string, data []byte) store.FileInfo {
	t.Helper()
	ctx := context.Background()
	tr, err := s.CreateTransient(ctx, dir, "put "+name)
	if err != nil {
		t.Fatalf("CreateTransient: %v", err)
	}
	if n, err := s.Append(ctx, tr, bytes.NewReader(data)); err != nil || n != int64(len(data)) {
		t.Fatalf("Append = %d, %v; want %d, nil", n, err, len(data))
	}
	info, err := s.LinkFile(ctx, tr, dir, name)
	if err != nil {
		t.Fatalf("LinkFile(%q): %v", name, err)
	}
	return info
}

// readFile reads a whole file through ReadAt and through NewReader and checks
// that both agree.
func readFile(t testing.TB, s *Store, id store.ID) []byte {
	t.Helper()
	f, err := s.OpenFile(context.Background(), id)
	if err != nil {
		t.Fatalf("OpenFile(%d): %v", id, err)
	}
	defer f.Close()
	return readOpenFile(t, f)
}

func readOpenFile(t testing.TB, f store.File) []byte {
	t.Helper()
	r, err := f.NewReader(0, f.Size())
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	viaReadAt := make([]byte, f.Size())
	if n, err := f.ReadAt(viaReadAt, 0); n != len(viaReadAt) || (err != nil && err != io.EOF) {
		t.Fatalf("ReadAt = %d, %v", n, err)
	}
	if !bytes.Equal(got, viaReadAt) {
		t.Fatalf("NewReader and ReadAt disagree")
	}
	return got
}

// dataFileCount counts the data files on disk.
func dataFileCount(t testing.TB, s *Store) int {
	t.Helper()
	s.removals.wait()
	matches, err := filepath.Glob(filepath.Join(s.dir, "files", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	return len(matches)
}

func dataFileExists(s *Store, id store.ID) bool {
	s.removals.wait()
	_, err := os.Stat(s.files.path(id))
	return err == nil
}
