package local

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

// An inode's bytes are, by default, bytes [0, Size) of its own data file.
// MoveData breaks that identity: an assembled file's bytes are a list of
// extents over other inodes' data files. Such inodes get an entry in
// extentsBucket; every extent pointing at a data file other than its
// inode's own is counted in refsBucket, so a data file is removed only when
// its inode is gone and no extent points at it.
var (
	// extentsBucket maps id → extentList (only for inodes MoveData touched).
	extentsBucket = []byte("extents")
	// refsBucket maps data-file id → count of foreign extents pointing at it.
	refsBucket = []byte("refs")
)

// extent is a run of bytes of one data file.
type extent struct {
	File store.ID
	Off  int64
	Len  int64
}

// extentList is an inode's content. OwnLen is how many bytes of the inode's
// own data file are committed, which is where the next Append writes: after
// MoveData took them, they belong to another inode and must not be touched.
type extentList struct {
	OwnLen  int64
	Extents []extent
}

const extentLen = 24

func (l extentList) encode() []byte {
	b := make([]byte, 8, 8+extentLen*len(l.Extents))
	binary.BigEndian.PutUint64(b, uint64(l.OwnLen))
	for _, e := range l.Extents {
		b = binary.BigEndian.AppendUint64(b, uint64(e.File))
		b = binary.BigEndian.AppendUint64(b, uint64(e.Off))
		b = binary.BigEndian.AppendUint64(b, uint64(e.Len))
	}
	return b
}

func decodeExtents(b []byte) (extentList, error) {
	if len(b) < 8 || (len(b)-8)%extentLen != 0 {
		return extentList{}, fmt.Errorf("extent list of %d bytes is malformed", len(b))
	}
	l := extentList{OwnLen: int64(binary.BigEndian.Uint64(b)), Extents: make([]extent, 0, (len(b)-8)/extentLen)}
	for p := b[8:]; len(p) > 0; p = p[extentLen:] {
		l.Extents = append(l.Extents, extent{
			File: store.ID(binary.BigEndian.Uint64(p)),
			Off:  int64(binary.BigEndian.Uint64(p[8:])),
			Len:  int64(binary.BigEndian.Uint64(p[16:])),
		})
	}
	return l, nil
}

// getExtents returns id's content: its stored extent list, or the implicit
// single extent over its own data file. stored reports which.
func getExtents(tx *bolt.Tx, id store.ID, rec inodeRecord) (l extentList, stored bool, err error) {
	v := tx.Bucket(extentsBucket).Get(idKey(id))
	if v == nil {
		l = extentList{OwnLen: rec.Size}
		if rec.Size > 0 {
			l.Extents = []extent{{File: id, Off: 0, Len: rec.Size}}
		}
		return l, false, nil
	}
	l, err = decodeExtents(v)
	if err != nil {
		return l, true, fmt.Errorf("inode %d: %w", id, err)
	}
	return l, true, nil
}

func putExtents(tx *bolt.Tx, id store.ID, l extentList) error {
	return tx.Bucket(extentsBucket).Put(idKey(id), l.encode())
}

// addRef changes the count of foreign extents pointing at file by delta and
// returns the new count.
func addRef(tx *bolt.Tx, file store.ID, delta int64) (int64, error) {
	refs := tx.Bucket(refsBucket)
	var n int64
	if v := refs.Get(idKey(file)); v != nil {
		n = int64(binary.BigEndian.Uint64(v))
	}
	n += delta
	if n < 0 {
		return 0, fmt.Errorf("data file %d: reference count below zero", file)
	}
	if n == 0 {
		return 0, refs.Delete(idKey(file))
	}
	return n, refs.Put(idKey(file), binary.BigEndian.AppendUint64(nil, uint64(n)))
}

func refCount(tx *bolt.Tx, file store.ID) int64 {
	if v := tx.Bucket(refsBucket).Get(idKey(file)); v != nil {
		return int64(binary.BigEndian.Uint64(v))
	}
	return 0
}

// dropInode deletes a file inode (linked or transient), its extent list,
// attribute and inline bytes, and returns the data files nothing references any more, to be removed
// once the transaction has committed (a crash before that leaves orphans,
// which Open removes).
func dropInode(tx *bolt.Tx, id store.ID) ([]store.ID, error) {
	rec, err := getInode(tx, id)
	if err != nil {
		return nil, err
	}
	l, stored, err := getExtents(tx, id, rec)
	if err != nil {
		return nil, err
	}
	if err := tx.Bucket(inodesBucket).Delete(idKey(id)); err != nil {
		return nil, err
	}
	if err := tx.Bucket(transientBucket).Delete(idKey(id)); err != nil {
		return nil, err
	}
	if err := tx.Bucket(attrsBucket).Delete(idKey(id)); err != nil {
		return nil, err
	}
	inline, err := dropInline(tx, id)
	if err != nil {
		return nil, err
	}
	var unused []store.ID
	if !inline && refCount(tx, id) == 0 {
		unused = append(unused, id)
	}
	if !stored {
		return unused, nil
	}
	if err := tx.Bucket(extentsBucket).Delete(idKey(id)); err != nil {
		return nil, err
	}
	for _, e := range l.Extents {
		if e.File == id {
			continue
		}
		n, err := addRef(tx, e.File, -1)
		if err != nil {
			return nil, err
		}
		if n == 0 && tx.Bucket(inodesBucket).Get(idKey(e.File)) == nil {
			unused = append(unused, e.File)
		}
	}
	return unused, nil
}

// removeData removes data files after the transaction that released them
// has committed.
func (s *Store) removeData(ids []store.ID) error {
	for _, id := range ids {
		if err := s.files.remove(id); err != nil {
			return err
		}
	}
	return nil
}

// withOwnAppend records n bytes appended to the inode's own data file at
// OwnLen, extending the last extent when it ends exactly there.
func (l extentList) withOwnAppend(own store.ID, n int64) extentList {
	if k := len(l.Extents) - 1; k >= 0 && l.Extents[k].File == own && l.Extents[k].Off+l.Extents[k].Len == l.OwnLen {
		l.Extents[k].Len += n
	} else {
		l.Extents = append(l.Extents, extent{File: own, Off: l.OwnLen, Len: n})
	}
	l.OwnLen += n
	return l
}
