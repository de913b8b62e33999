package local

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/terngate/terngate/store"
)

// Bucket names in meta.db.
var (
	// inodesBucket maps id → inodeRecord. Its sequence allocates IDs.
	inodesBucket = []byte("inodes")
	// edgesBucket maps dirID (8 bytes big-endian) + name → edgeRecord, so the
	// edges of one directory form one contiguous key range.
	edgesBucket = []byte("edges")
	// transientBucket indexes the transient inodes (id → nothing).
	transientBucket = []byte("transient")
)

// rootID is the fixed ID of the root directory; allocated IDs start above it.
const rootID store.ID = 1

type inodeKind uint8

const (
	kindDirectory inodeKind = 1
	kindFile      inodeKind = 2 // a linked file
	kindTransient inodeKind = 3 // a file not yet linked
)

// inodeRecord is the value stored in the inodes bucket. Times are Unix
// nanoseconds. Deadline, Dir and Note are meaningful for transient files only.
type inodeRecord struct {
	Kind     inodeKind
	Size     int64
	Mtime    int64
	Created  int64
	Deadline int64
	Dir      store.ID
	Note     string
}

const inodeHeaderLen = 1 + 8*5

func (r inodeRecord) encode() []byte {
	b := make([]byte, inodeHeaderLen+len(r.Note))
	b[0] = byte(r.Kind)
	binary.BigEndian.PutUint64(b[1:], uint64(r.Size))
	binary.BigEndian.PutUint64(b[9:], uint64(r.Mtime))
	binary.BigEndian.PutUint64(b[17:], uint64(r.Created))
	binary.BigEndian.PutUint64(b[25:], uint64(r.Deadline))
	binary.BigEndian.PutUint64(b[33:], uint64(r.Dir))
	copy(b[inodeHeaderLen:], r.Note)
	return b
}

func decodeInode(b []byte) (inodeRecord, error) {
	if len(b) < inodeHeaderLen {
		return inodeRecord{}, fmt.Errorf("inode record of %d bytes is truncated", len(b))
	}
	return inodeRecord{
		Kind:     inodeKind(b[0]),
		Size:     int64(binary.BigEndian.Uint64(b[1:])),
		Mtime:    int64(binary.BigEndian.Uint64(b[9:])),
		Created:  int64(binary.BigEndian.Uint64(b[17:])),
		Deadline: int64(binary.BigEndian.Uint64(b[25:])),
		Dir:      store.ID(binary.BigEndian.Uint64(b[33:])),
		Note:     string(b[inodeHeaderLen:]),
	}, nil
}

// edgeRecord is the value stored in the edges bucket.
type edgeRecord struct {
	Child   store.ID
	Dir     bool
	Created int64
}

const edgeRecordLen = 8 + 1 + 8

func (e edgeRecord) encode() []byte {
	b := make([]byte, edgeRecordLen)
	binary.BigEndian.PutUint64(b, uint64(e.Child))
	if e.Dir {
		b[8] = 1
	}
	binary.BigEndian.PutUint64(b[9:], uint64(e.Created))
	return b
}

func decodeEdge(b []byte) (edgeRecord, error) {
	if len(b) != edgeRecordLen {
		return edgeRecord{}, fmt.Errorf("edge record of %d bytes, want %d", len(b), edgeRecordLen)
	}
	return edgeRecord{
		Child:   store.ID(binary.BigEndian.Uint64(b)),
		Dir:     b[8] == 1,
		Created: int64(binary.BigEndian.Uint64(b[9:])),
	}, nil
}

func (e edgeRecord) entry(name string) store.Entry {
	return store.Entry{Name: name, ID: e.Child, Dir: e.Dir, CreationTime: nanosTime(e.Created)}
}

func idKey(id store.ID) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(id))
}

func keyID(k []byte) store.ID {
	return store.ID(binary.BigEndian.Uint64(k))
}

// edgeKey is the key of the edge name in dir.
func edgeKey(dir store.ID, name string) []byte {
	k := make([]byte, 8, 8+len(name))
	binary.BigEndian.PutUint64(k, uint64(dir))
	return append(k, name...)
}

func nanosTime(ns int64) time.Time {
	return time.Unix(0, ns)
}
