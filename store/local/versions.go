package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

var _ store.VersionedDirs = (*Store)(nil)

// SetKeepSnapshots sets the flag on dir and every directory under it now;
// directories made later copy their parent's (inheritKeepSnapshots). Snapshot
// edges already kept stay when keep turns false.
func (s *Store) SetKeepSnapshots(ctx context.Context, dir store.ID, keep bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.update(func(tx *bolt.Tx) error {
		if _, err := getDirectory(tx, dir); err != nil {
			return err
		}
		flags, err := tx.CreateBucketIfNotExists(keepSnapshotsBucket)
		if err != nil {
			return err
		}
		edges := tx.Bucket(edgesBucket).Cursor()
		for pending := []store.ID{dir}; len(pending) > 0; {
			d := pending[len(pending)-1]
			pending = pending[:len(pending)-1]
			if keep {
				err = flags.Put(idKey(d), nil)
			} else {
				err = flags.Delete(idKey(d))
			}
			if err != nil {
				return err
			}
			prefix := idKey(d)
			for k, v := edges.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = edges.Next() {
				e, err := decodeEdge(v)
				if err != nil {
					return err
				}
				if e.Dir {
					pending = append(pending, e.Child)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set keep snapshots of directory %d: %w", dir, err)
	}
	return nil
}

// KeepsSnapshots reports dir's flag.
func (s *Store) KeepsSnapshots(ctx context.Context, dir store.ID) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	var keep bool
	err := s.view(func(tx *bolt.Tx) error {
		if _, err := getDirectory(tx, dir); err != nil {
			return err
		}
		keep = keepsSnapshots(tx, dir)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("keeps snapshots of directory %d: %w", dir, err)
	}
	return keep, nil
}

// ReadNameVersions reads name's edges in one transaction (a consistent
// view), then calls fn with none open.
func (s *Store) ReadNameVersions(ctx context.Context, dir store.ID, name string, fn func(store.Version) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateName(name); err != nil {
		return err
	}
	var versions []store.Version
	err := s.view(func(tx *bolt.Tx) error {
		versions = versions[:0]
		if _, err := getDirectory(tx, dir); err != nil {
			return err
		}
		if v := tx.Bucket(edgesBucket).Get(edgeKey(dir, name)); v != nil {
			e, err := decodeEdge(v)
			if err != nil {
				return err
			}
			versions = append(versions, currentVersion(name, e))
		}
		current := len(versions) // the current edge, if any, stays first
		// Snapshot keys of one name sort oldest first, wherever they are
		// kept (snapshotsAfter merges the bucket and the log).
		err := snapshotsAfter(tx, snapshotNamePrefix(dir, name), nil, math.MaxInt, func(key []byte, r snapshotRecord) {
			_, created, _ := splitSnapshotKey(key) // checked by snapshotsAfter
			versions = append(versions, r.version(name, created))
		})
		slices.Reverse(versions[current:]) // newest first
		return err
	})
	if err != nil {
		return fmt.Errorf("read versions of %q: %w", name, err)
	}
	for _, v := range versions {
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

func currentVersion(name string, e edgeRecord) store.Version {
	return store.Version{Name: name, ID: e.Child, Current: true, Owned: true, Dir: e.Dir, CreationTime: nanosTime(e.Created)}
}

// ReadDirVersions reports the current edges (ReadDir's batches), then the
// snapshot edges in batches of their own, in key order: each batch is a
// consistent view, fn runs outside any transaction.
func (s *Store) ReadDirVersions(ctx context.Context, dir store.ID, fn func(store.Version) error) error {
	err := s.ReadDir(ctx, dir, func(e store.Entry) error {
		return fn(store.Version{Name: e.Name, ID: e.ID, Current: true, Owned: true, Dir: e.Dir, CreationTime: e.CreationTime})
	})
	if err != nil {
		return err
	}
	prefix := idKey(dir)
	var after []byte // the last key reported
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := make([]store.Version, 0, 64)
		var last []byte
		err := s.view(func(tx *bolt.Tx) error {
			err := snapshotsAfter(tx, prefix, after, s.batch, func(key []byte, r snapshotRecord) {
				name, created, _ := splitSnapshotKey(key) // checked by snapshotsAfter
				batch = append(batch, r.version(name, created))
				last = key
			})
			last = bytes.Clone(last) // out of the transaction's pages
			return err
		})
		if err != nil {
			return fmt.Errorf("read snapshot edges of directory %d: %w", dir, err)
		}
		for _, v := range batch {
			if err := fn(v); err != nil {
				return err
			}
		}
		if len(batch) < s.batch {
			return nil
		}
		after = last
	}
}

// RemoveSnapshotEdge deletes the snapshot edge v and, if it owned a file,
// the file; the file's data goes once the transaction has committed.
func (s *Store) RemoveSnapshotEdge(ctx context.Context, dir store.ID, v store.Version) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateName(v.Name); err != nil {
		return err
	}
	var unused []store.ID
	err := s.update(func(tx *bolt.Tx) error {
		unused = nil
		dirRec, err := getDirectory(tx, dir)
		if err != nil {
			return err
		}
		r, ref, err := getSnapshot(tx, dir, v)
		if errors.Is(err, store.ErrNotFound) {
			return nil // already gone, as TernFS answers
		}
		if err != nil {
			return err
		}
		if err := ref.remove(tx); err != nil {
			return err
		}
		if ownsFile(r.version(v.Name, 0)) {
			if unused, err = dropInode(tx, r.Child); err != nil {
				return err
			}
		}
		_, err = s.touchDirectory(tx, dir, dirRec)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove snapshot edge %q of %v: %w", v.Name, v.CreationTime, err)
	}
	// Removed after the reply, as any release (removals.go).
	s.removals.later(unused)
	return nil
}

// ownsFile reports whether v is an owned snapshot edge of a file.
func ownsFile(v store.Version) bool { return v.Owned && !v.Dir && v.ID != 0 }

// getSnapshot finds the snapshot edge v (same name, creation time and
// target) and returns it with where it is kept.
func getSnapshot(tx *bolt.Tx, dir store.ID, v store.Version) (snapshotRecord, snapshotRef, error) {
	r, ref, err := findSnapshot(tx, dir, v.Name, v.CreationTime.UnixNano())
	if err == nil && r.Child != v.ID {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		return snapshotRecord{}, snapshotRef{}, fmt.Errorf("snapshot edge %q of %v to %d: %w", v.Name, v.CreationTime, v.ID, store.ErrNotFound)
	}
	return r, ref, err
}

// RestoreSnapshot moves the owned snapshot edge v back to the current edge
// of its name with a new creation time; a current file edge it displaces is
// kept as an owned snapshot edge (the directory keeps snapshots: it has one).
func (s *Store) RestoreSnapshot(ctx context.Context, dir store.ID, v store.Version) (store.Entry, error) {
	return s.RestoreSnapshotAs(ctx, dir, v, v.Name)
}

// RestoreSnapshotAs is RestoreSnapshot onto name.
func (s *Store) RestoreSnapshotAs(ctx context.Context, dir store.ID, v store.Version, name string) (store.Entry, error) {
	if err := ctx.Err(); err != nil {
		return store.Entry{}, err
	}
	if err := validateName(v.Name); err != nil {
		return store.Entry{}, err
	}
	if err := validateName(name); err != nil {
		return store.Entry{}, err
	}
	var entry store.Entry
	err := s.update(func(tx *bolt.Tx) error {
		dirRec, err := getDirectory(tx, dir)
		if err != nil {
			return err
		}
		r, ref, err := getSnapshot(tx, dir, v)
		if err != nil {
			return err
		}
		if !ownsFile(r.version(v.Name, 0)) {
			return fmt.Errorf("snapshot edge %q of %v owns no file: %w", v.Name, v.CreationTime, store.ErrNotFound)
		}
		edges := tx.Bucket(edgesBucket)
		var displaced *edgeRecord
		if raw := edges.Get(edgeKey(dir, name)); raw != nil {
			old, err := decodeEdge(raw)
			if err != nil {
				return err
			}
			if old.Dir {
				return fmt.Errorf("%q: %w", name, store.ErrIsDirectory)
			}
			displaced = &old
		}
		// Removed before anything is added: adding may move the log,
		// and ref with it.
		if err := ref.remove(tx); err != nil {
			return err
		}
		if displaced != nil {
			if err := s.putSnapshot(tx, dir, name, displaced.Created, snapshotRecord{Child: displaced.Child, Owned: true}); err != nil {
				return err
			}
		}
		now, err := s.touchDirectory(tx, dir, dirRec)
		if err != nil {
			return err
		}
		current := edgeRecord{Child: r.Child, Created: now}
		entry = current.entry(name)
		return edges.Put(edgeKey(dir, name), current.encode())
	})
	if err != nil {
		return store.Entry{}, fmt.Errorf("restore snapshot edge %q of %v: %w", v.Name, v.CreationTime, err)
	}
	return entry, nil
}

// AddDeletionMarker inserts the marker in one transaction with the
// directory's new modification time, which is its creation time: the
// directory's clock never repeats a value, so the key is new.
func (s *Store) AddDeletionMarker(ctx context.Context, dir store.ID, name string) (store.Version, error) {
	if err := ctx.Err(); err != nil {
		return store.Version{}, err
	}
	if err := validateName(name); err != nil {
		return store.Version{}, err
	}
	var marker store.Version
	err := s.update(func(tx *bolt.Tx) error {
		dirRec, err := getDirectory(tx, dir)
		if err != nil {
			return err
		}
		if raw := tx.Bucket(edgesBucket).Get(edgeKey(dir, name)); raw != nil {
			e, err := decodeEdge(raw)
			if err != nil {
				return err
			}
			if !e.Dir {
				return fmt.Errorf("%q holds a file: %w", name, store.ErrExists)
			}
		}
		now, err := s.touchDirectory(tx, dir, dirRec)
		if err != nil {
			return err
		}
		marker = snapshotRecord{}.version(name, now)
		return s.putSnapshot(tx, dir, name, now, snapshotRecord{})
	})
	if err != nil {
		return store.Version{}, fmt.Errorf("add deletion marker to %q: %w", name, err)
	}
	return marker, nil
}
