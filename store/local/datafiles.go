package local

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/terngate/terngate/store"
)

// dataFiles keeps each file's bytes in files/<xx>/<16-hex-id>, xx being the
// low byte of the ID, which spreads files evenly over 256 directories.
type dataFiles struct {
	root string
}

func (d *dataFiles) init() error {
	for i := range 256 {
		if err := os.MkdirAll(d.subdir(byte(i)), 0o755); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
	}
	// Make the 256 directory entries durable before any file relies on them.
	if err := syncDir(d.root); err != nil {
		return err
	}
	return syncDir(filepath.Dir(d.root))
}

func (d *dataFiles) subdir(b byte) string {
	return d.root + string(filepath.Separator) + hex.EncodeToString([]byte{b})
}

// path is built by hand, not with filepath.Join and fmt: every GET and PUT
// of a data file names it, and root is already clean.
func (d *dataFiles) path(id store.ID) string {
	var name [8]byte
	binary.BigEndian.PutUint64(name[:], uint64(id))
	const sep = string(filepath.Separator)
	return d.root + sep + hex.EncodeToString(name[7:]) + sep + hex.EncodeToString(name[:])
}

// create makes id's empty data file and makes its directory entry durable,
// so a later fdatasync of the file is enough to make its bytes reachable
// after a crash.
func (d *dataFiles) create(id store.ID) error {
	if err := d.createUnsynced(id); err != nil {
		return err
	}
	return syncDir(d.subdir(byte(id)))
}

// createUnsynced makes id's empty data file without syncing its directory:
// the caller must sync it before anything can link the file (dataPool does,
// for a batch at once).
func (d *dataFiles) createUnsynced(id store.ID) error {
	f, err := openFile(d.path(id), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create data file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create data file: %w", err)
	}
	return nil
}

// remove deletes id's data file; a missing file is not an error (a crash may
// have come between the file's creation and its record, or a reclaim may have
// run twice). Open readers keep the bytes until they close.
func (d *dataFiles) remove(id store.ID) error {
	err := os.Remove(d.path(id))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove data file of %d: %w", id, err)
	}
	return nil
}

// list reads the data directory for low byte b: the IDs of its data files
// and the paths of any entries that are not data files.
func (d *dataFiles) list(b byte) (ids []store.ID, strays []string, err error) {
	sub := d.subdir(b)
	entries, err := os.ReadDir(sub)
	if err != nil {
		return nil, nil, fmt.Errorf("read data directory: %w", err)
	}
	for _, e := range entries {
		n, err := strconv.ParseUint(e.Name(), 16, 64)
		if err != nil || len(e.Name()) != 16 || e.IsDir() || byte(n) != b {
			strays = append(strays, filepath.Join(sub, e.Name()))
			continue
		}
		ids = append(ids, store.ID(n))
	}
	return ids, strays, nil
}

func syncDir(path string) error {
	f, err := openFile(path, os.O_RDONLY, 0)
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", path, err)
	}
	return nil
}
