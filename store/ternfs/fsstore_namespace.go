package ternfs

import (
	"context"
	"errors"
	"fmt"

	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// Lookup finds the edge name in dir; the target's type is in its id.
func (s *Store) Lookup(ctx context.Context, dir store.ID, name string) (store.Entry, error) {
	d, err := directoryID(dir)
	if err != nil {
		return store.Entry{}, err
	}
	if err := validateName(name); err != nil {
		return store.Entry{}, err
	}
	resp, err := s.client.Lookup(ctx, d, name)
	if err != nil {
		return store.Entry{}, err
	}
	return entryOf(name, resp.TargetID, resp.CreationTime), nil
}

func entryOf(name string, target wire.InodeID, created wire.TernTime) store.Entry {
	return store.Entry{Name: name, ID: store.ID(target), Dir: target.Type() == wire.InodeDirectory, CreationTime: created.Time()}
}

// MakeDirectory returns the directory name in parent, creating it if
// needed (the CDC's MakeDirectory is idempotent; ErrExists if a file holds
// the name).
func (s *Store) MakeDirectory(ctx context.Context, parent store.ID, name string) (store.ID, error) {
	p, err := directoryID(parent)
	if err != nil {
		return 0, err
	}
	if err := validateName(name); err != nil {
		return 0, err
	}
	resp, err := s.client.MakeDirectory(ctx, p, name)
	if err != nil {
		return 0, err
	}
	return store.ID(resp.ID), nil
}

// RemoveDirectory removes the empty directory name from parent.
func (s *Store) RemoveDirectory(ctx context.Context, parent store.ID, name string) error {
	p, err := directoryID(parent)
	if err != nil {
		return err
	}
	if err := validateName(name); err != nil {
		return err
	}
	edge, err := s.client.Lookup(ctx, p, name)
	if err != nil {
		return err
	}
	if edge.TargetID.Type() != wire.InodeDirectory {
		return fmt.Errorf("remove directory %q: a file: %w", name, store.ErrNotDirectory)
	}
	return s.client.SoftUnlinkDirectory(ctx, p, edge.TargetID, name, edge.CreationTime)
}

// ReadDir calls fn for every edge of dir, in TernFS's name-hash order.
func (s *Store) ReadDir(ctx context.Context, dir store.ID, fn func(store.Entry) error) error {
	d, err := directoryID(dir)
	if err != nil {
		return err
	}
	return s.client.ReadDir(ctx, d, func(e wire.CurrentEdge) error {
		return fn(entryOf(e.Name, e.TargetID, e.CreationTime))
	})
}

// StatDirectory reports dir's mtime, which every edge change moves.
func (s *Store) StatDirectory(ctx context.Context, dir store.ID) (store.DirInfo, error) {
	d, err := directoryID(dir)
	if err != nil {
		return store.DirInfo{}, err
	}
	st, err := s.client.StatDirectory(ctx, d)
	if err != nil {
		return store.DirInfo{}, err
	}
	if st.Owner == wire.NullInode && d != wire.RootDirectory {
		// Removed: TernFS keeps it, ownerless, until GC collects it.
		return store.DirInfo{}, fmt.Errorf("stat directory %v: removed: %w (%w)", d, store.ErrDirectoryGone, store.ErrNotFound)
	}
	return store.DirInfo{ID: dir, Mtime: st.Mtime.Time()}, nil
}

// Rename moves the file edge oldName to newName within dir. TernFS would
// replace a file at newName; the store contract wants ErrExists, checked
// with a Lookup first (so a newName created concurrently may still be
// replaced).
func (s *Store) Rename(ctx context.Context, dir store.ID, oldName, newName string) error {
	d, err := directoryID(dir)
	if err != nil {
		return err
	}
	if err := validateName(oldName); err != nil {
		return err
	}
	if err := validateName(newName); err != nil {
		return err
	}
	old, err := s.client.Lookup(ctx, d, oldName)
	if err != nil {
		return err
	}
	if old.TargetID.Type() == wire.InodeDirectory {
		return fmt.Errorf("rename %q: %w", oldName, store.ErrIsDirectory)
	}
	switch _, err := s.client.Lookup(ctx, d, newName); {
	case err == nil:
		return fmt.Errorf("rename %q to %q: %w", oldName, newName, store.ErrExists)
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	return retryTransient(ctx, func() error {
		_, err := s.client.SameDirectoryRename(ctx, d, old.TargetID, oldName, old.CreationTime, newName)
		return err
	})
}

// UnlinkFile removes the edge name from dir if it still points at id. The
// edge becomes a snapshot edge: the file stays readable by id (and
// StatFile still finds it) until the directory's SNAPSHOT policy lets GC
// collect it (Options.SnapshotRetention under the store's root; see
// fsstore_delete_policy.go for why the snapshot is not hard-unlinked here).
func (s *Store) UnlinkFile(ctx context.Context, dir store.ID, name string, id store.ID) error {
	d, err := directoryID(dir)
	if err != nil {
		return err
	}
	if err := validateName(name); err != nil {
		return err
	}
	// A replace between our Lookup and the unlink makes the shard refuse
	// our creation time; look again and report ErrStale if the edge moved
	// on to another file.
	for attempt := 1; ; attempt++ {
		edge, err := s.client.Lookup(ctx, d, name)
		if err != nil {
			return err
		}
		if edge.TargetID.Type() == wire.InodeDirectory {
			return fmt.Errorf("unlink %q: %w", name, store.ErrIsDirectory)
		}
		if edge.TargetID != wire.InodeID(id) {
			return fmt.Errorf("unlink %q: points at %v, not %v: %w", name, edge.TargetID, wire.InodeID(id), store.ErrStale)
		}
		err = retryTransient(ctx, func() error {
			return s.client.SoftUnlinkFile(ctx, d, edge.TargetID, name, edge.CreationTime)
		})
		if err == nil || attempt >= 3 || !(errors.Is(err, wire.ErrMismatchingCreationTime) || errors.Is(err, wire.ErrEdgeNotFound)) {
			return err
		}
	}
}

// UnlinkEntry unlinks the edge e, just looked up, with one request: the
// shard's SoftUnlinkFile needs the edge's creation time, which e carries.
// If the edge changed since (the shard refuses the creation time or target,
// or finds no such edge), UnlinkFile looks again and judges it.
func (s *Store) UnlinkEntry(ctx context.Context, dir store.ID, e store.Entry) error {
	d, err := directoryID(dir)
	if err != nil {
		return err
	}
	if err := validateName(e.Name); err != nil {
		return err
	}
	if e.Dir {
		return fmt.Errorf("unlink %q: %w", e.Name, store.ErrIsDirectory)
	}
	if e.CreationTime.IsZero() {
		return s.UnlinkFile(ctx, dir, e.Name, e.ID)
	}
	err = retryTransient(ctx, func() error {
		return s.client.SoftUnlinkFile(ctx, d, wire.InodeID(e.ID), e.Name, wire.MakeTernTime(e.CreationTime))
	})
	if edgeChanged(err) {
		return s.UnlinkFile(ctx, dir, e.Name, e.ID)
	}
	return err
}

// edgeChanged reports whether the shard refused an unlink because the edge
// is not the one the caller looked up any more.
func edgeChanged(err error) bool {
	for _, code := range []wire.Error{wire.ErrMismatchingCreationTime, wire.ErrMismatchingTarget, wire.ErrEdgeNotFound, wire.ErrNameNotFound, wire.ErrTypeIsDirectory} {
		if errors.Is(err, code) {
			return true
		}
	}
	return false
}
