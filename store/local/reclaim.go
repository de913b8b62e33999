package local

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

// reapBatch bounds how many transient files one reaping transaction removes.
const reapBatch = 1000

// ReapExpired removes the transient files past their deadline, records and
// data, and returns how many it removed. The gateway calls it periodically.
// Files with an append in progress are left for a later round.
func (s *Store) ReapExpired(ctx context.Context) (int, error) {
	total := 0
	var after store.ID
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		var reaped []store.ID
		var scanned int
		var last store.ID
		err := s.update(func(tx *bolt.Tx) error {
			reaped, scanned, last = reaped[:0], 0, after
			now := s.clock.now()
			c := tx.Bucket(transientBucket).Cursor()
			for k, _ := c.Seek(idKey(after + 1)); k != nil && scanned < reapBatch; k, _ = c.Next() {
				scanned++
				id := keyID(k)
				last = id
				rec, err := getInode(tx, id)
				if err != nil {
					return err
				}
				if rec.Deadline > now || s.isBusy(id) {
					continue
				}
				reaped = append(reaped, id)
			}
			for _, id := range reaped {
				if err := deleteTransient(tx, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("reap expired transient files: %w", err)
		}
		for _, id := range reaped {
			if err := s.files.remove(id); err != nil {
				return total, err
			}
		}
		total += len(reaped)
		if scanned < reapBatch {
			return total, nil
		}
		after = last
	}
}

// removeOrphans deletes data files whose inode record is gone: what a crash
// between a committed unlink, replace or scrap and the data file's removal
// leaves behind. It runs at Open, before the store is shared.
func (s *Store) removeOrphans(ctx context.Context) (int, error) {
	removed := 0
	for b := range 256 {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		ids, strays, err := s.files.list(byte(b))
		if err != nil {
			return removed, err
		}
		for _, path := range strays {
			s.log.Warn("local store: unexpected entry among data files, left alone", "path", path)
		}
		var orphans []store.ID
		err = s.view(func(tx *bolt.Tx) error {
			inodes := tx.Bucket(inodesBucket)
			for _, id := range ids {
				if inodes.Get(idKey(id)) == nil {
					orphans = append(orphans, id)
				}
			}
			return nil
		})
		if err != nil {
			return removed, err
		}
		for _, id := range orphans {
			if err := s.files.remove(id); err != nil {
				return removed, err
			}
			removed++
		}
	}
	return removed, nil
}
