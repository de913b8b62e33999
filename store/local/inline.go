package local

import (
	"bytes"
	"context"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

// MaxInline is the largest file LinkInlineFile keeps in meta.db. Below it,
// writing the bytes into the one transaction that links the file is cheaper
// than a data file of its own (create, fsync of its directory, fdatasync,
// and the transactions around them); above it, every commit would rewrite
// more pages of meta.db than it saves.
const MaxInline = 64 << 10

// inlineBucket maps id → a version byte (inlineV1) then the bytes of a file
// kept in meta.db instead of a data file of its own. The version byte also
// keeps an empty file's value non-empty, which bbolt would not tell apart
// from a missing key.
var inlineBucket = []byte("inline")

const inlineV1 = 1

// MaxInlineSize is the largest data LinkInlineFile takes.
func (s *Store) MaxInlineSize() int64 { return MaxInline }

// LinkInlineFile creates a file holding data, with attribute attr, and links
// it as name in dir in one transaction: the file's bytes, inode, attribute
// and edge become durable together, with one commit (shared with concurrent
// writers) and no data file.
func (s *Store) LinkInlineFile(ctx context.Context, dir store.ID, name string, data, attr []byte) (store.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return store.FileInfo{}, err
	}
	if err := validateName(name); err != nil {
		return store.FileInfo{}, err
	}
	if len(data) > MaxInline {
		return store.FileInfo{}, fmt.Errorf("link inline file %q: %d bytes is over the %d-byte limit", name, len(data), MaxInline)
	}
	value := append([]byte{inlineV1}, data...)
	var info store.FileInfo
	var unused []store.ID
	err := s.update(func(tx *bolt.Tx) error {
		unused = nil
		seq, err := tx.Bucket(inodesBucket).NextSequence()
		if err != nil {
			return err
		}
		id := store.ID(seq)
		now, replaced, err := s.replaceEdge(tx, dir, name, id)
		if err != nil {
			return err
		}
		unused = replaced
		size := int64(len(data))
		if err := putInode(tx, id, inodeRecord{Kind: kindFile, Size: size, Mtime: now, Created: now}); err != nil {
			return err
		}
		if err := tx.Bucket(inlineBucket).Put(idKey(id), value); err != nil {
			return err
		}
		if attr != nil {
			if err := tx.Bucket(attrsBucket).Put(idKey(id), attr); err != nil {
				return err
			}
		}
		info = store.FileInfo{ID: id, Size: size, Mtime: nanosTime(now)}
		return nil
	})
	if err != nil {
		return store.FileInfo{}, fmt.Errorf("link inline file %q: %w", name, err)
	}
	// Removed after the reply, as any overwrite's (removals.go).
	s.removals.later(unused)
	return info, nil
}

// getInline returns a copy of id's bytes if they are kept inline, else nil.
func getInline(tx *bolt.Tx, id store.ID) []byte {
	v := tx.Bucket(inlineBucket).Get(idKey(id))
	if len(v) == 0 {
		return nil
	}
	return bytes.Clone(v[1:])
}

// dropInline deletes id's inline bytes and reports whether it had any.
func dropInline(tx *bolt.Tx, id store.ID) (bool, error) {
	b := tx.Bucket(inlineBucket)
	if b.Get(idKey(id)) == nil {
		return false, nil
	}
	return true, b.Delete(idKey(id))
}

// inlineFile is an open inline file: its bytes were copied out of meta.db
// when it was opened, so it reads the same bytes whatever happens next.
type inlineFile struct {
	data []byte
}

func newInlineFile(data []byte) *inlineFile { return &inlineFile{data: data} }

func (f *inlineFile) Size() int64 { return int64(len(f.data)) }

func (f *inlineFile) Close() error { return nil }

func (f *inlineFile) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(f.data).ReadAt(p, off)
}

func (f *inlineFile) NewReader(off, n int64) (io.Reader, error) {
	size := int64(len(f.data))
	if off < 0 || n < 0 || off > size {
		return nil, fmt.Errorf("read %d bytes at %d of a %d-byte file: out of range", n, off, size)
	}
	return bytes.NewReader(f.data[off : off+min(n, size-off)]), nil
}
