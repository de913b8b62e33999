package local

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

// MoveData moves src's content onto the end of dst by moving extents in one
// transaction: no byte is read or written, so its cost does not depend on how
// much data moves. src is left empty; its data file lives on for as long as
// dst (or whatever dst becomes) points into it.
func (s *Store) MoveData(ctx context.Context, dst, src store.Transient) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dst.ID == src.ID {
		return fmt.Errorf("move data: %d onto itself", dst.ID)
	}
	if err := s.claim(dst.ID); err != nil {
		return fmt.Errorf("move data: %w", err)
	}
	defer s.release(dst.ID)
	if err := s.claim(src.ID); err != nil {
		return fmt.Errorf("move data: %w", err)
	}
	defer s.release(src.ID)
	if err := s.persistEphemeral(dst.ID, src.ID); err != nil {
		return fmt.Errorf("move data: %w", err)
	}

	err := s.update(func(tx *bolt.Tx) error {
		now := s.clock.now()
		dstRec, err := getTransient(tx, dst.ID, now)
		if err != nil {
			return err
		}
		srcRec, err := getTransient(tx, src.ID, now)
		if err != nil {
			return err
		}
		if dstRec.Dir != srcRec.Dir {
			return fmt.Errorf("transient files %d and %d were created for different directories", dst.ID, src.ID)
		}
		dstList, _, err := getExtents(tx, dst.ID, dstRec)
		if err != nil {
			return err
		}
		srcList, _, err := getExtents(tx, src.ID, srcRec)
		if err != nil {
			return err
		}
		for _, e := range srcList.Extents {
			// The extent stops being src's and becomes dst's: a foreign
			// reference for whichever of them does not own the data file.
			if e.File != src.ID {
				if _, err := addRef(tx, e.File, -1); err != nil {
					return err
				}
			}
			if e.File != dst.ID {
				if _, err := addRef(tx, e.File, 1); err != nil {
					return err
				}
			}
			dstList.Extents = append(dstList.Extents, e)
		}
		srcList.Extents = nil
		dstRec.Size += srcRec.Size
		srcRec.Size = 0
		for _, r := range []*inodeRecord{&dstRec, &srcRec} {
			r.Mtime = now
			r.Deadline = now + s.ttl.Nanoseconds()
		}
		if err := putExtents(tx, dst.ID, dstList); err != nil {
			return err
		}
		if err := putExtents(tx, src.ID, srcList); err != nil {
			return err
		}
		if err := putInode(tx, dst.ID, dstRec); err != nil {
			return err
		}
		return putInode(tx, src.ID, srcRec)
	})
	if err != nil {
		return fmt.Errorf("move data from %d to %d: %w", src.ID, dst.ID, err)
	}
	return nil
}
