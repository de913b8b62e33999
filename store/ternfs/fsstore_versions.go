package ternfs

import (
	"context"
	"fmt"

	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// TernFS keeps versions itself (docs/versioning.md): overwrites and soft
// unlinks leave snapshot edges that the directory's SNAPSHOT policy keeps,
// FullReadDir lists them, and three shard requests remove or restore one.

var _ store.VersionedDirs = (*Store)(nil)

// keepForever is a SNAPSHOT policy with neither limit active: the collector
// never removes a snapshot edge under it.
func keepForever() *wire.SnapshotPolicy { return &wire.SnapshotPolicy{} }

// SetKeepSnapshots sets dir's own SNAPSHOT policy: keep forever, or the
// store root's retention. Subdirectories inherit it (TernFS resolves
// policies up the tree), so turning keeping off under a keeping directory
// (a bucket's metadata directory) needs the explicit copy; on the store
// root itself it drops the entry instead.
func (s *Store) SetKeepSnapshots(ctx context.Context, dir store.ID, keep bool) error {
	d, err := directoryID(dir)
	if err != nil {
		return err
	}
	if keep {
		return applyPolicies(ctx, s.client, d, keepForever())
	}
	if d != s.root {
		p, found, err := s.resolveSnapshotPolicy(ctx, s.root)
		if err != nil {
			return err
		}
		if found {
			return applyPolicies(ctx, s.client, d, &p)
		}
	}
	st, err := s.client.StatDirectory(ctx, d)
	if err != nil {
		return fmt.Errorf("ternfs: policies of %v: %w", d, err)
	}
	info := wire.DirectoryInfo{}
	for _, e := range st.Info.Entries {
		if e.Tag != wire.TagSnapshotPolicy {
			info.Entries = append(info.Entries, e)
		}
	}
	if len(info.Entries) == len(st.Info.Entries) {
		return nil
	}
	if err := s.client.SetDirectoryInfo(ctx, d, info); err != nil {
		return fmt.Errorf("ternfs: %w", err)
	}
	return nil
}

// KeepsSnapshots resolves dir's SNAPSHOT policy and reports whether it
// keeps snapshots forever (no policy anywhere: upstream's 30 days).
func (s *Store) KeepsSnapshots(ctx context.Context, dir store.ID) (bool, error) {
	d, err := directoryID(dir)
	if err != nil {
		return false, err
	}
	p, found, err := s.resolveSnapshotPolicy(ctx, d)
	if err != nil || !found {
		return false, err
	}
	_, timed := p.DeleteAfter()
	return !timed && p.DeleteAfterVersions>>15 == 0, nil
}

// resolveSnapshotPolicy finds dir's SNAPSHOT policy as TernFS does: from
// dir up through its owners to the first directory that sets one.
func (s *Store) resolveSnapshotPolicy(ctx context.Context, d wire.InodeID) (wire.SnapshotPolicy, bool, error) {
	for {
		st, err := s.client.StatDirectory(ctx, d)
		if err != nil {
			return wire.SnapshotPolicy{}, false, fmt.Errorf("ternfs: policies of %v: %w", d, err)
		}
		var p wire.SnapshotPolicy
		set, err := st.Info.Lookup(&p)
		if err != nil || set {
			return p, set, err
		}
		if d == wire.RootDirectory || st.Owner == wire.NullInode {
			return wire.SnapshotPolicy{}, false, nil
		}
		d = st.Owner
	}
}

// ReadNameVersions reads name's edges backwards from its current edge:
// FullReadDir with SAME_NAME | BACKWARDS | CURRENT answers the current edge,
// then the snapshot edges newest first.
func (s *Store) ReadNameVersions(ctx context.Context, dir store.ID, name string, fn func(store.Version) error) error {
	d, err := directoryID(dir)
	if err != nil {
		return err
	}
	if err := validateName(name); err != nil {
		return err
	}
	req := wire.FullReadDirReq{
		DirID:     d,
		Flags:     wire.FullReadDirSameName | wire.FullReadDirBackwards | wire.FullReadDirCurrent,
		StartName: name,
	}
	return s.client.FullReadDir(ctx, req, func(e wire.Edge) error {
		return fn(versionOf(e))
	})
}

// ReadDirVersions reads every edge of dir: FullReadDir from the start
// walks the snapshot edges, then the current ones.
func (s *Store) ReadDirVersions(ctx context.Context, dir store.ID, fn func(store.Version) error) error {
	d, err := directoryID(dir)
	if err != nil {
		return err
	}
	return s.client.FullReadDir(ctx, wire.FullReadDirReq{DirID: d}, func(e wire.Edge) error {
		return fn(versionOf(e))
	})
}

// versionOf translates an edge. A current edge's top bit is not ownership
// (a current edge always owns its target).
func versionOf(e wire.Edge) store.Version {
	target := e.TargetID.ID()
	return store.Version{
		Name:         e.Name,
		ID:           store.ID(target),
		Current:      e.Current,
		Owned:        target != wire.NullInode && (e.Current || e.TargetID.Owned()),
		Dir:          target.Type() == wire.InodeDirectory,
		CreationTime: e.CreationTime.Time(),
	}
}

// RemoveSnapshotEdge removes exactly the edge v: an owned file edge with a
// hard unlink (the file becomes transient with its deadline passed and the
// collector frees it), anything else with RemoveNonOwnedEdge.
func (s *Store) RemoveSnapshotEdge(ctx context.Context, dir store.ID, v store.Version) error {
	d, err := directoryID(dir)
	if err != nil {
		return err
	}
	if err := validateName(v.Name); err != nil {
		return err
	}
	if v.Current {
		return fmt.Errorf("remove snapshot edge %q: it is the current edge: %w", v.Name, store.ErrNotFound)
	}
	target := wire.InodeID(v.ID)
	created := wire.MakeTernTime(v.CreationTime)
	if !v.Owned || v.Dir || target == wire.NullInode {
		return retryTransient(ctx, func() error {
			return s.client.RemoveNonOwnedEdge(ctx, d, target, v.Name, created)
		})
	}
	return retryTransient(ctx, func() error {
		if target.Shard() != d.Shard() {
			return s.client.CrossShardHardUnlinkFile(ctx, d, target, v.Name, created)
		}
		return s.client.SameShardHardFileUnlink(ctx, d, target, v.Name, created)
	})
}

// RestoreSnapshot relinks the snapshot's file under its name
// (SameDirectoryRenameSnapshot onto the same name), then removes the
// snapshot edge the shard leaves behind, no longer owning the file. A crash
// in between leaves that non-owned edge, which callers skip (never a
// version) and the next RestoreSnapshot or RemoveSnapshotEdge of the name
// can remove.
func (s *Store) RestoreSnapshot(ctx context.Context, dir store.ID, v store.Version) (store.Entry, error) {
	return s.RestoreSnapshotAs(ctx, dir, v, v.Name)
}

// RestoreSnapshotAs is RestoreSnapshot onto name: the shard's
// SameDirectoryRenameSnapshot takes any new name in the directory.
func (s *Store) RestoreSnapshotAs(ctx context.Context, dir store.ID, v store.Version, name string) (store.Entry, error) {
	d, err := directoryID(dir)
	if err != nil {
		return store.Entry{}, err
	}
	if err := validateName(v.Name); err != nil {
		return store.Entry{}, err
	}
	if err := validateName(name); err != nil {
		return store.Entry{}, err
	}
	target := wire.InodeID(v.ID)
	if v.Current || !v.Owned || v.Dir || target == wire.NullInode {
		return store.Entry{}, fmt.Errorf("restore %q of %v: not an owned snapshot file edge: %w", v.Name, v.CreationTime, store.ErrNotFound)
	}
	created := wire.MakeTernTime(v.CreationTime)
	var now wire.TernTime
	err = retryTransient(ctx, func() error {
		var err error
		now, err = s.client.SameDirectoryRenameSnapshot(ctx, d, target, v.Name, created, name)
		return err
	})
	if code, ok := wire.AsError(err); ok && code == wire.ErrCannotOverrideName {
		return store.Entry{}, fmt.Errorf("restore %q as %q: %w", v.Name, name, store.ErrIsDirectory)
	}
	if err != nil {
		return store.Entry{}, err
	}
	err = retryTransient(ctx, func() error {
		return s.client.RemoveNonOwnedEdge(ctx, d, target, v.Name, created)
	})
	if err != nil {
		return store.Entry{}, fmt.Errorf("restore %q: remove the disowned snapshot edge: %w", v.Name, err)
	}
	return entryOf(name, target, now), nil
}
