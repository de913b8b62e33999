package local

import (
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

// ReapExpired removes the transient files past their deadline, records and
// data, and returns how many it removed. The gateway calls it periodically.
// Files with an append or link in progress are left for a later round.
func (s *Store) ReapExpired(ctx context.Context) (int, error) {
	total, err := s.reapEphemeral()
	if err != nil {
		return total, fmt.Errorf("reap expired transient files: %w", err)
	}
	var after store.ID
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		// Find candidates with a cheap read; write only when there are some.
		var candidates []store.ID
		scanned := 0
		err := s.view(func(tx *bolt.Tx) error {
			now := s.clock.now()
			c := tx.Bucket(transientBucket).Cursor()
			for k, _ := c.Seek(idKey(after + 1)); k != nil && scanned < s.batch; k, _ = c.Next() {
				scanned++
				after = keyID(k)
				rec, err := getInode(tx, after)
				if err != nil {
					return err
				}
				if rec.Deadline <= now {
					candidates = append(candidates, after)
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("reap expired transient files: %w", err)
		}
		reaped, err := s.reap(candidates)
		if err != nil {
			return total, err
		}
		total += reaped
		if scanned < s.batch {
			return total, nil
		}
	}
}

// reap removes those of candidates that are still expired transient files
// with nothing in progress.
func (s *Store) reap(candidates []store.ID) (int, error) {
	if len(candidates) == 0 {
		return 0, nil
	}
	var reaped, unused []store.ID
	err := s.update(func(tx *bolt.Tx) error {
		reaped, unused = reaped[:0], unused[:0]
		now := s.clock.now()
		for _, id := range candidates {
			rec, err := getInode(tx, id)
			if errors.Is(err, store.ErrNotFound) {
				continue // scrapped meanwhile
			}
			if err != nil {
				return err
			}
			if rec.Kind != kindTransient || rec.Deadline > now || s.isBusy(id) {
				continue // linked, kept alive or busy meanwhile
			}
			ids, err := dropInode(tx, id)
			if err != nil {
				return err
			}
			reaped = append(reaped, id)
			unused = append(unused, ids...)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("reap expired transient files: %w", err)
	}
	// A crash before this leaves orphaned data files, removed at Open.
	if err := s.removeData(unused); err != nil {
		return len(reaped), err
	}
	return len(reaped), nil
}

// removeOrphans deletes data files whose inode record is gone and that no
// extent of another inode points at: what a crash between a committed
// unlink, replace or scrap and the data file's removal leaves behind, and
// the unused files of a crashed store's data-file pool. It runs at Open,
// before the store is shared and before the pool starts: the pool's files
// have no inode either.
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
				if inodes.Get(idKey(id)) == nil && refCount(tx, id) == 0 {
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
