package local

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

// Buckets of store.VersionedDirs, created by the first SetKeepSnapshots
// (keepsnapshots) and the first snapshot edge (snapshots, and the log of
// versions_log.go): a store that never keeps snapshots has none, and its
// overwrites and unlinks pay one failed bucket lookup for them.
var (
	// snapshotsBucket maps dir | name | 0x00 | creation time (8 bytes
	// big-endian) → snapshotRecord. Names hold no NUL, so one directory's
	// snapshot edges are one key range sorted by name, then oldest first.
	// The newest ones wait in the snapshot log until it is full.
	snapshotsBucket = []byte("snapshots")
	// keepSnapshotsBucket holds the IDs of the directories that keep
	// snapshot edges (id → nothing).
	keepSnapshotsBucket = []byte("keepsnapshots")
)

// snapshotRecord is a snapshot edge's value. Child 0 is a deletion marker.
type snapshotRecord struct {
	Child store.ID
	Owned bool
	Dir   bool
}

const snapshotRecordLen = 8 + 1

const (
	snapshotOwned byte = 1 << 0
	snapshotDir   byte = 1 << 1
)

func (r snapshotRecord) encode() []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, snapshotRecordLen), uint64(r.Child))
	var flags byte
	if r.Owned {
		flags |= snapshotOwned
	}
	if r.Dir {
		flags |= snapshotDir
	}
	return append(b, flags)
}

func decodeSnapshot(b []byte) (snapshotRecord, error) {
	if len(b) != snapshotRecordLen {
		return snapshotRecord{}, fmt.Errorf("snapshot edge record of %d bytes, want %d", len(b), snapshotRecordLen)
	}
	return snapshotRecord{
		Child: store.ID(binary.BigEndian.Uint64(b)),
		Owned: b[8]&snapshotOwned != 0,
		Dir:   b[8]&snapshotDir != 0,
	}, nil
}

func (r snapshotRecord) version(name string, created int64) store.Version {
	return store.Version{Name: name, ID: r.Child, Owned: r.Owned, Dir: r.Dir, CreationTime: nanosTime(created)}
}

// snapshotNamePrefix is the common prefix of the snapshot keys of name in dir.
func snapshotNamePrefix(dir store.ID, name string) []byte {
	return append(edgeKey(dir, name), 0)
}

func snapshotKey(dir store.ID, name string, created int64) []byte {
	return binary.BigEndian.AppendUint64(snapshotNamePrefix(dir, name), uint64(created))
}

// splitSnapshotKey returns the name and creation time of a snapshot key.
func splitSnapshotKey(k []byte) (string, int64, error) {
	if len(k) < 8+1+8 || k[len(k)-9] != 0 {
		return "", 0, fmt.Errorf("snapshot key of %d bytes is malformed", len(k))
	}
	return string(k[8 : len(k)-9]), int64(binary.BigEndian.Uint64(k[len(k)-8:])), nil
}

// keepsSnapshots reports whether dir keeps snapshot edges.
func keepsSnapshots(tx *bolt.Tx, dir store.ID) bool {
	b := tx.Bucket(keepSnapshotsBucket)
	return b != nil && b.Get(idKey(dir)) != nil
}

// hasSnapshots reports whether dir holds any snapshot edge.
func hasSnapshots(tx *bolt.Tx, dir store.ID) (bool, error) {
	prefix := idKey(dir)
	if b := tx.Bucket(snapshotsBucket); b != nil {
		if k, _ := b.Cursor().Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) {
			return true, nil
		}
	}
	logged, err := loggedWithPrefix(tx, prefix)
	return len(logged) > 0, err
}

// retireFileEdge disposes of the file edge old of name in dir, which an
// overwrite or unlink is taking away: a directory that keeps snapshots keeps
// it as an owned snapshot edge, any other drops its file. It returns the data
// files the drop left unused.
func (s *Store) retireFileEdge(tx *bolt.Tx, dir store.ID, name string, old edgeRecord) ([]store.ID, error) {
	if !keepsSnapshots(tx, dir) {
		return dropInode(tx, old.Child)
	}
	return nil, s.putSnapshot(tx, dir, name, old.Created, snapshotRecord{Child: old.Child, Owned: true})
}

// unlinkFileEdge is retireFileEdge for an unlink at time now: a directory
// that keeps snapshots also gets a deletion marker created now.
func (s *Store) unlinkFileEdge(tx *bolt.Tx, dir store.ID, name string, old edgeRecord, now int64) ([]store.ID, error) {
	unused, err := s.retireFileEdge(tx, dir, name, old)
	if err != nil || !keepsSnapshots(tx, dir) {
		return unused, err
	}
	return nil, s.putSnapshot(tx, dir, name, now, snapshotRecord{})
}

// renamedAway records, in a directory that keeps snapshots, what TernFS
// leaves under the old name of a file renamed at time now: a snapshot edge
// that does not own the file (its new edge does) and a deletion marker.
func (s *Store) renamedAway(tx *bolt.Tx, dir store.ID, oldName string, old edgeRecord, now int64) error {
	if !keepsSnapshots(tx, dir) {
		return nil
	}
	if err := s.putSnapshot(tx, dir, oldName, old.Created, snapshotRecord{Child: old.Child}); err != nil {
		return err
	}
	return s.putSnapshot(tx, dir, oldName, now, snapshotRecord{})
}

// inheritKeepSnapshots gives a new directory its parent's setting, as a
// TernFS directory inherits its parent's SNAPSHOT policy.
func inheritKeepSnapshots(tx *bolt.Tx, parent, child store.ID) error {
	if !keepsSnapshots(tx, parent) {
		return nil
	}
	return tx.Bucket(keepSnapshotsBucket).Put(idKey(child), nil)
}

// releaseDirectory is called before dir is removed: ErrNotEmpty while it
// holds snapshot edges (its versions would become unreachable), else its
// setting is forgotten.
func releaseDirectory(tx *bolt.Tx, dir store.ID) error {
	held, err := hasSnapshots(tx, dir)
	if err != nil {
		return err
	}
	if held {
		return fmt.Errorf("directory %d holds snapshot edges: %w", dir, store.ErrNotEmpty)
	}
	if b := tx.Bucket(keepSnapshotsBucket); b != nil {
		return b.Delete(idKey(dir))
	}
	return nil
}
