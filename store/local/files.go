package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

// StatFile reports a linked file; ErrNotFound for transient or unlinked ones.
func (s *Store) StatFile(ctx context.Context, id store.ID) (store.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return store.FileInfo{}, err
	}
	var info store.FileInfo
	err := s.view(func(tx *bolt.Tx) error {
		rec, err := getLinkedFile(tx, id)
		if err != nil {
			return err
		}
		info = store.FileInfo{ID: id, Size: rec.Size, Mtime: nanosTime(rec.Mtime)}
		return nil
	})
	if err != nil {
		return store.FileInfo{}, fmt.Errorf("stat file: %w", err)
	}
	return info, nil
}

// getLinkedFile reads id's record if it is a linked file.
func getLinkedFile(tx *bolt.Tx, id store.ID) (inodeRecord, error) {
	rec, err := getInode(tx, id)
	if err != nil {
		return rec, err
	}
	switch rec.Kind {
	case kindFile:
		return rec, nil
	case kindDirectory:
		return rec, fmt.Errorf("inode %d: %w", id, store.ErrIsDirectory)
	default:
		return rec, fmt.Errorf("inode %d is not linked: %w", id, store.ErrNotFound)
	}
}

// OpenFile opens a linked file for reading. The returned File keeps reading
// the same bytes even if the file is unlinked or replaced meanwhile: every
// data file it reads from is opened here.
func (s *Store) OpenFile(ctx context.Context, id store.ID) (store.File, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var plan openPlan
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		plan, err = planOpen(tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open file: %w", err)
	}
	return s.openPlanned(id, plan)
}

// openPlan is what opening linked file reads from meta.db: its size and
// where its bytes are.
type openPlan struct {
	size      int64
	list      extentList
	assembled bool
	inline    []byte
}

// planOpen reads, within tx, what opening linked file id needs.
func planOpen(tx *bolt.Tx, id store.ID) (openPlan, error) {
	rec, err := getLinkedFile(tx, id)
	if err != nil {
		return openPlan{}, err
	}
	return planLinkedOpen(tx, id, rec)
}

// planLinkedOpen is planOpen of the linked file id whose record rec was
// read in tx: a GET has read it already and need not read it twice.
func planLinkedOpen(tx *bolt.Tx, id store.ID, rec inodeRecord) (openPlan, error) {
	var err error
	p := openPlan{size: rec.Size}
	if p.inline = getInline(tx, id); p.inline != nil {
		return p, nil
	}
	p.list, p.assembled, err = getExtents(tx, id, rec)
	return p, err
}

// openPlanned opens file id as planned, once the plan's transaction is
// over: every data file it reads from is opened here.
func (s *Store) openPlanned(id store.ID, p openPlan) (store.File, error) {
	if p.inline != nil {
		return newInlineFile(p.inline), nil
	}
	if p.assembled {
		return s.openExtents(id, p.size, p.list.Extents)
	}
	f, err := s.openData(id)
	if err != nil {
		return nil, fmt.Errorf("open file %d: %w", id, err)
	}
	return &file{f: f, size: p.size}, nil
}

// openData opens a data file; ErrNotFound if it is gone, which happens when
// the file was unlinked or replaced between reading its record and here.
func (s *Store) openData(id store.ID) (*os.File, error) {
	f, err := openFile(s.files.path(id), os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("data file %d: %w", id, store.ErrNotFound)
	}
	return f, err
}

// file is an open linked file. Its size comes from the inode record: bytes a
// failed append may have left past it are never read.
type file struct {
	f    *os.File
	size int64
}

func (f *file) Size() int64 { return f.size }

func (f *file) Close() error { return f.f.Close() }

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read at %d: negative offset", off)
	}
	if off >= f.size {
		return 0, io.EOF
	}
	short := false
	if rest := f.size - off; int64(len(p)) > rest {
		p, short = p[:rest], true
	}
	n, err := f.f.ReadAt(p, off)
	if err == nil && short {
		err = io.EOF
	}
	return n, err
}

// NewReader returns an *io.LimitedReader over the *os.File itself, the shape
// net/http and friends recognise to move the bytes with sendfile.
func (f *file) NewReader(off, n int64) (io.Reader, error) {
	if off < 0 || n < 0 || off > f.size {
		return nil, fmt.Errorf("read %d bytes at %d of a %d-byte file: out of range", n, off, f.size)
	}
	n = min(n, f.size-off)
	if _, err := f.f.Seek(off, io.SeekStart); err != nil {
		return nil, fmt.Errorf("seek: %w", err)
	}
	return &io.LimitedReader{R: f.f, N: n}, nil
}
