package local

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

// New snapshot edges go to a short log before the snapshots bucket. The
// snapshots bucket is keyed by name, so a commit that overwrites several
// keys inserts into as many of its leaves, one page write each, once every
// name has more versions than a leaf holds; the log is keyed by arrival, so
// a commit's snapshot edges land in its last leaf together. When the log
// holds defaultSnapshotLogLimit edges it is moved into the snapshots bucket
// in one go, which costs each name's leaf one write for many of its edges.
// Readers merge the two: a snapshot edge is in exactly one of them, under
// the same snapshot key.
//
// A meta.db without the log bucket reads as before (an empty log). Close
// moves the log into the snapshots bucket, so code that predates the log
// sees every edge after a clean shutdown (not after a crash: the edges
// still logged then wait for this code's next Close).

// snapshotLogBucket maps an arrival number (8 bytes big-endian, the
// bucket's sequence) → snapshotRecord | snapshot key.
var snapshotLogBucket = []byte("snapshotlog")

// defaultSnapshotLogLimit is the number of logged snapshot edges that
// triggers a move into the snapshots bucket. Every read of a name's or
// directory's versions scans the whole log, so it stays short.
const defaultSnapshotLogLimit = 128

// loggedSnapshot is one snapshot edge in the log.
type loggedSnapshot struct {
	logKey []byte // its key in the log
	key    []byte // its snapshot key (snapshotKey)
	rec    snapshotRecord
}

func decodeLogged(k, v []byte) (loggedSnapshot, error) {
	if len(v) < snapshotRecordLen {
		return loggedSnapshot{}, fmt.Errorf("logged snapshot edge of %d bytes is truncated", len(v))
	}
	rec, err := decodeSnapshot(v[:snapshotRecordLen])
	if err != nil {
		return loggedSnapshot{}, err
	}
	if _, _, err := splitSnapshotKey(v[snapshotRecordLen:]); err != nil {
		return loggedSnapshot{}, err
	}
	return loggedSnapshot{logKey: k, key: v[snapshotRecordLen:], rec: rec}, nil
}

// loggedWithPrefix returns the logged snapshot edges whose snapshot key
// starts with prefix, in snapshot key order. The keys point into the
// transaction's pages: valid until it ends.
func loggedWithPrefix(tx *bolt.Tx, prefix []byte) ([]loggedSnapshot, error) {
	b := tx.Bucket(snapshotLogBucket)
	if b == nil {
		return nil, nil
	}
	var out []loggedSnapshot
	err := b.ForEach(func(k, v []byte) error {
		if len(v) >= snapshotRecordLen && !bytes.HasPrefix(v[snapshotRecordLen:], prefix) {
			return nil // another directory's or name's: not decoded
		}
		l, err := decodeLogged(k, v)
		if err != nil {
			return err
		}
		out = append(out, l)
		return nil
	})
	slices.SortFunc(out, func(a, b loggedSnapshot) int { return bytes.Compare(a.key, b.key) })
	return out, err
}

// putSnapshot records a snapshot edge of name in dir, created at created,
// in the log, first moving the log into the snapshots bucket when it is
// full.
func (s *Store) putSnapshot(tx *bolt.Tx, dir store.ID, name string, created int64, r snapshotRecord) error {
	b, err := tx.CreateBucketIfNotExists(snapshotLogBucket)
	if err != nil {
		return err
	}
	if b, err = s.flushSnapshotLogIfFull(tx, b); err != nil {
		return fmt.Errorf("move snapshot log: %w", err)
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return b.Put(idKey(store.ID(seq)), append(r.encode(), snapshotKey(dir, name, created)...))
}

// flushSnapshotLogIfFull moves the log into the snapshots bucket once its
// arrival numbers span the limit (an upper bound of its length: removals
// leave gaps) and returns the log bucket to append to.
func (s *Store) flushSnapshotLogIfFull(tx *bolt.Tx, log *bolt.Bucket) (*bolt.Bucket, error) {
	c := log.Cursor()
	first, _ := c.First()
	last, _ := c.Last()
	if first == nil || binary.BigEndian.Uint64(last)-binary.BigEndian.Uint64(first)+1 < uint64(s.snapshotLogLimit) {
		return log, nil
	}
	if err := moveSnapshotLog(tx, log); err != nil {
		return nil, err
	}
	return tx.CreateBucket(snapshotLogBucket)
}

// moveSnapshotLog moves every edge of log into the snapshots bucket and
// drops the log bucket.
func moveSnapshotLog(tx *bolt.Tx, log *bolt.Bucket) error {
	snapshots, err := tx.CreateBucketIfNotExists(snapshotsBucket)
	if err != nil {
		return err
	}
	err = log.ForEach(func(k, v []byte) error {
		l, err := decodeLogged(k, v)
		if err != nil {
			return err
		}
		return snapshots.Put(bytes.Clone(l.key), l.rec.encode())
	})
	if err != nil {
		return err
	}
	// Dropping the bucket frees its pages at once, cheaper than deleting
	// key by key; the arrival numbers start again, which nothing relies on.
	return tx.DeleteBucket(snapshotLogBucket)
}

// emptySnapshotLog moves what the log holds into the snapshots bucket, so
// that a meta.db closed cleanly has every snapshot edge where code older
// than the log looks for it.
func (s *Store) emptySnapshotLog() error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		log := tx.Bucket(snapshotLogBucket)
		if log == nil {
			return nil
		}
		if k, _ := log.Cursor().First(); k == nil {
			return nil
		}
		return moveSnapshotLog(tx, log)
	})
	if err != nil {
		return fmt.Errorf("move the snapshot log: %w", err)
	}
	return nil
}

// snapshotRef is where a snapshot edge is kept: its bucket and key there.
type snapshotRef struct {
	bucket []byte
	key    []byte
}

func (r snapshotRef) remove(tx *bolt.Tx) error {
	return tx.Bucket(r.bucket).Delete(r.key)
}

// findSnapshot looks up the snapshot edge of name in dir created at
// created, in the snapshots bucket, then in the log; ErrNotFound if
// neither holds it.
func findSnapshot(tx *bolt.Tx, dir store.ID, name string, created int64) (snapshotRecord, snapshotRef, error) {
	key := snapshotKey(dir, name, created)
	if b := tx.Bucket(snapshotsBucket); b != nil {
		if raw := b.Get(key); raw != nil {
			r, err := decodeSnapshot(raw)
			return r, snapshotRef{bucket: snapshotsBucket, key: key}, err
		}
	}
	logged, err := loggedWithPrefix(tx, key)
	if err != nil {
		return snapshotRecord{}, snapshotRef{}, err
	}
	for _, l := range logged {
		if bytes.Equal(l.key, key) {
			return l.rec, snapshotRef{bucket: snapshotLogBucket, key: bytes.Clone(l.logKey)}, nil
		}
	}
	return snapshotRecord{}, snapshotRef{}, store.ErrNotFound
}

// snapshotsAfter calls fn for up to n snapshot edges whose keys start with
// prefix and come after after (nil: from the first), in key order, from
// the snapshots bucket and the log together. The key fn gets is valid
// until the transaction ends.
func snapshotsAfter(tx *bolt.Tx, prefix, after []byte, n int, fn func(key []byte, r snapshotRecord)) error {
	logged, err := loggedWithPrefix(tx, prefix)
	if err != nil {
		return err
	}
	logged = slices.DeleteFunc(logged, func(l loggedSnapshot) bool { return after != nil && bytes.Compare(l.key, after) <= 0 })
	var k, v []byte
	if b := tx.Bucket(snapshotsBucket); b != nil {
		c := b.Cursor()
		k, v = c.Seek(prefix)
		if after != nil {
			k, v = c.Seek(after)
			if bytes.Equal(k, after) {
				k, v = c.Next()
			}
		}
		next := func() { k, v = c.Next() }
		for ; n > 0 && k != nil && bytes.HasPrefix(k, prefix); n-- {
			if len(logged) > 0 && bytes.Compare(logged[0].key, k) < 0 {
				fn(logged[0].key, logged[0].rec)
				logged = logged[1:]
				continue
			}
			if _, _, err := splitSnapshotKey(k); err != nil {
				return err
			}
			r, err := decodeSnapshot(v)
			if err != nil {
				return err
			}
			fn(k, r)
			next()
		}
	}
	for ; n > 0 && len(logged) > 0; n-- {
		fn(logged[0].key, logged[0].rec)
		logged = logged[1:]
	}
	return nil
}
