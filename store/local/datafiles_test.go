package local

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/terngate/terngate/store"
)

// The data file names are on disk already: building them by hand must give
// what filepath.Join and fmt gave (files/<low byte>/<16 hex digits>).
func TestDataFilePathLayout(t *testing.T) {
	root := filepath.Join(t.TempDir(), "files")
	d := &dataFiles{root: root}
	for _, id := range []store.ID{1, 0xff, 0x100, 0x1049, 0xdeadbeefcafe0042, 1<<64 - 1} {
		want := filepath.Join(root, fmt.Sprintf("%02x", byte(id)), fmt.Sprintf("%016x", uint64(id)))
		if got := d.path(id); got != want {
			t.Errorf("path(%#x) = %q, want %q", uint64(id), got, want)
		}
		if got, want := d.subdir(byte(id)), filepath.Dir(want); got != want {
			t.Errorf("subdir(%#x) = %q, want %q", byte(id), got, want)
		}
	}
}

// openFile reports a missing file as os.Open does, and the file it returns
// reads, writes and syncs like any other.
func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if _, err := openFile(path, os.O_RDONLY, 0); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("open missing file: %v, want fs.ErrNotExist", err)
	}
	f, err := openFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("terngate"), 0); err != nil {
		t.Fatal(err)
	}
	if err := syncData(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := openFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("exclusive create of an existing file: %v, want fs.ErrExist", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o644&^umask(t) {
		t.Errorf("mode %v, want 0644 less the umask", info.Mode().Perm())
	}
	r, err := openFile(path, os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil || string(got) != "terngate" {
		t.Fatalf("read back %q, %v", got, err)
	}
	if err := syncDir(dir); err != nil {
		t.Fatal(err)
	}
}

// umask is the process's file mode creation mask, read from a file created
// with mode 0777.
func umask(t *testing.T) fs.FileMode {
	path := filepath.Join(t.TempDir(), "probe")
	if err := os.WriteFile(path, nil, 0o777); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return 0o777 &^ info.Mode().Perm()
}
