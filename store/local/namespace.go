package local

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

// defaultBatch is how many edges or transient files ReadDir, VisitTransient
// and ReapExpired handle per transaction. Callbacks run with no transaction
// open, so they may call back into the store.
const defaultBatch = 1024

// Lookup finds the edge name in dir.
func (s *Store) Lookup(ctx context.Context, dir store.ID, name string) (store.Entry, error) {
	if err := ctx.Err(); err != nil {
		return store.Entry{}, err
	}
	if err := validateName(name); err != nil {
		return store.Entry{}, err
	}
	var entry store.Entry
	err := s.view(func(tx *bolt.Tx) error {
		e, err := lookupEdge(tx, dir, name)
		if err != nil {
			return err
		}
		entry = e.entry(name)
		return nil
	})
	if err != nil {
		return store.Entry{}, fmt.Errorf("lookup: %w", err)
	}
	return entry, nil
}

// MakeDirectory returns the directory name in parent, creating it if needed.
func (s *Store) MakeDirectory(ctx context.Context, parent store.ID, name string) (store.ID, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := validateName(name); err != nil {
		return 0, err
	}
	var id store.ID
	err := s.update(func(tx *bolt.Tx) error {
		id = 0
		parentRec, err := getDirectory(tx, parent)
		if err != nil {
			return err
		}
		if v := tx.Bucket(edgesBucket).Get(edgeKey(parent, name)); v != nil {
			e, err := decodeEdge(v)
			if err != nil {
				return err
			}
			if !e.Dir {
				return fmt.Errorf("%q is a file: %w", name, store.ErrExists)
			}
			id = e.Child
			return nil
		}
		inodes := tx.Bucket(inodesBucket)
		seq, err := inodes.NextSequence()
		if err != nil {
			return err
		}
		now, err := s.touchDirectory(tx, parent, parentRec)
		if err != nil {
			return err
		}
		newID := store.ID(seq)
		if err := putInode(tx, newID, inodeRecord{Kind: kindDirectory, Mtime: now, Created: now}); err != nil {
			return err
		}
		if err := inheritKeepSnapshots(tx, parent, newID); err != nil {
			return err
		}
		edge := edgeRecord{Child: newID, Dir: true, Created: now}
		if err := tx.Bucket(edgesBucket).Put(edgeKey(parent, name), edge.encode()); err != nil {
			return err
		}
		id = newID
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("make directory %q: %w", name, err)
	}
	return id, nil
}

// RemoveDirectory removes the empty directory name from parent.
func (s *Store) RemoveDirectory(ctx context.Context, parent store.ID, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateName(name); err != nil {
		return err
	}
	err := s.update(func(tx *bolt.Tx) error {
		parentRec, err := getDirectory(tx, parent)
		if err != nil {
			return err
		}
		e, err := getEdge(tx, parent, name)
		if err != nil {
			return err
		}
		if !e.Dir {
			return fmt.Errorf("%q is a file: %w", name, store.ErrNotDirectory)
		}
		prefix := idKey(e.Child)
		if k, _ := tx.Bucket(edgesBucket).Cursor().Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) {
			return fmt.Errorf("%q: %w", name, store.ErrNotEmpty)
		}
		if err := releaseDirectory(tx, e.Child); err != nil {
			return err
		}
		if err := tx.Bucket(edgesBucket).Delete(edgeKey(parent, name)); err != nil {
			return err
		}
		if err := tx.Bucket(inodesBucket).Delete(idKey(e.Child)); err != nil {
			return err
		}
		_, err = s.touchDirectory(tx, parent, parentRec)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove directory %q: %w", name, err)
	}
	return nil
}

// ReadDir calls fn for every edge of dir, in name byte order. Edges are read
// in batches, each batch a consistent view; fn runs outside any transaction.
func (s *Store) ReadDir(ctx context.Context, dir store.ID, fn func(store.Entry) error) error {
	prefix := idKey(dir)
	after := prefix // resume point: the last key seen
	first := true
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := make([]store.Entry, 0, 64)
		err := s.view(func(tx *bolt.Tx) error {
			if first {
				if _, err := getDirectory(tx, dir); err != nil {
					return err
				}
			}
			c := tx.Bucket(edgesBucket).Cursor()
			k, v := c.Seek(after)
			if !first && bytes.Equal(k, after) {
				k, v = c.Next()
			}
			for ; k != nil && bytes.HasPrefix(k, prefix) && len(batch) < s.batch; k, v = c.Next() {
				e, err := decodeEdge(v)
				if err != nil {
					return err
				}
				batch = append(batch, e.entry(string(k[len(prefix):])))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read directory %d: %w", dir, err)
		}
		first = false
		for _, e := range batch {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(batch) < s.batch {
			return nil
		}
		after = edgeKey(dir, batch[len(batch)-1].Name)
	}
}

// StatDirectory reports dir's mtime.
func (s *Store) StatDirectory(ctx context.Context, dir store.ID) (store.DirInfo, error) {
	if err := ctx.Err(); err != nil {
		return store.DirInfo{}, err
	}
	var info store.DirInfo
	err := s.view(func(tx *bolt.Tx) error {
		rec, err := getDirectory(tx, dir)
		if err != nil {
			return err
		}
		info = store.DirInfo{ID: dir, Mtime: nanosTime(rec.Mtime)}
		return nil
	})
	if err != nil {
		return store.DirInfo{}, fmt.Errorf("stat directory: %w", err)
	}
	return info, nil
}

// Rename moves the file edge oldName to newName within dir; ErrExists if
// newName is taken (including by oldName itself), ErrIsDirectory if oldName
// is a directory.
func (s *Store) Rename(ctx context.Context, dir store.ID, oldName, newName string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateName(oldName); err != nil {
		return err
	}
	if err := validateName(newName); err != nil {
		return err
	}
	err := s.update(func(tx *bolt.Tx) error {
		dirRec, err := getDirectory(tx, dir)
		if err != nil {
			return err
		}
		e, err := getEdge(tx, dir, oldName)
		if err != nil {
			return err
		}
		if e.Dir {
			return fmt.Errorf("%q: %w", oldName, store.ErrIsDirectory)
		}
		edges := tx.Bucket(edgesBucket)
		if edges.Get(edgeKey(dir, newName)) != nil {
			return fmt.Errorf("%q: %w", newName, store.ErrExists)
		}
		now, err := s.touchDirectory(tx, dir, dirRec)
		if err != nil {
			return err
		}
		if err := edges.Delete(edgeKey(dir, oldName)); err != nil {
			return err
		}
		if err := s.renamedAway(tx, dir, oldName, e, now); err != nil {
			return err
		}
		e.Created = now
		return edges.Put(edgeKey(dir, newName), e.encode())
	})
	if err != nil {
		return fmt.Errorf("rename %q to %q: %w", oldName, newName, err)
	}
	return nil
}

// UnlinkFile removes the edge name from dir if it still points at id, and
// with it the file (unless dir keeps snapshots: versions_records.go).
// Readers that have the file open keep reading it.
func (s *Store) UnlinkFile(ctx context.Context, dir store.ID, name string, id store.ID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateName(name); err != nil {
		return err
	}
	var unused []store.ID
	err := s.update(func(tx *bolt.Tx) error {
		unused = nil
		dirRec, err := getDirectory(tx, dir)
		if err != nil {
			return err
		}
		e, err := getEdge(tx, dir, name)
		if err != nil {
			return err
		}
		if e.Dir {
			return fmt.Errorf("%q: %w", name, store.ErrIsDirectory)
		}
		if e.Child != id {
			return fmt.Errorf("%q points at %d, not %d: %w", name, e.Child, id, store.ErrStale)
		}
		if err := tx.Bucket(edgesBucket).Delete(edgeKey(dir, name)); err != nil {
			return err
		}
		now, err := s.touchDirectory(tx, dir, dirRec)
		if err != nil {
			return err
		}
		unused, err = s.unlinkFileEdge(tx, dir, name, e, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("unlink %q: %w", name, err)
	}
	// A crash before their removal leaves orphaned data files, removed at
	// Open.
	s.removals.later(unused)
	return nil
}

// UnlinkEntry is UnlinkFile: an edge's ID alone identifies it here (IDs are
// never reused), so the creation time adds nothing.
func (s *Store) UnlinkEntry(ctx context.Context, dir store.ID, e store.Entry) error {
	return s.UnlinkFile(ctx, dir, e.Name, e.ID)
}
