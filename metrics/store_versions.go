package metrics

import (
	"context"
	"time"

	"github.com/terngate/terngate/store"
)

// versionedOps records store.VersionedDirs. Like sortedReads it is embedded
// beside the decorator, so a decorator offers versioning exactly when the
// store it wraps does: a decorator that hid it would make S3 versioning
// answer NotImplemented on a store that keeps versions.
type versionedOps struct {
	vd  store.VersionedDirs
	obs instrumentedStore
}

func (s versionedOps) SetKeepSnapshots(ctx context.Context, dir store.ID, keep bool) error {
	start := time.Now()
	err := s.vd.SetKeepSnapshots(ctx, dir, keep)
	s.obs.observe("SetKeepSnapshots", start, err)
	return err
}

func (s versionedOps) KeepsSnapshots(ctx context.Context, dir store.ID) (bool, error) {
	start := time.Now()
	keep, err := s.vd.KeepsSnapshots(ctx, dir)
	s.obs.observe("KeepsSnapshots", start, err)
	return keep, err
}

func (s versionedOps) ReadNameVersions(ctx context.Context, dir store.ID, name string, fn func(store.Version) error) error {
	start := time.Now()
	err := s.vd.ReadNameVersions(ctx, dir, name, fn)
	s.obs.observe("ReadNameVersions", start, err)
	return err
}

func (s versionedOps) ReadDirVersions(ctx context.Context, dir store.ID, fn func(store.Version) error) error {
	start := time.Now()
	err := s.vd.ReadDirVersions(ctx, dir, fn)
	s.obs.observe("ReadDirVersions", start, err)
	return err
}

func (s versionedOps) RemoveSnapshotEdge(ctx context.Context, dir store.ID, v store.Version) error {
	start := time.Now()
	err := s.vd.RemoveSnapshotEdge(ctx, dir, v)
	s.obs.observe("RemoveSnapshotEdge", start, err)
	return err
}

func (s versionedOps) RestoreSnapshot(ctx context.Context, dir store.ID, v store.Version) (store.Entry, error) {
	start := time.Now()
	e, err := s.vd.RestoreSnapshot(ctx, dir, v)
	s.obs.observe("RestoreSnapshot", start, err)
	return e, err
}

func (s versionedOps) RestoreSnapshotAs(ctx context.Context, dir store.ID, v store.Version, name string) (store.Entry, error) {
	start := time.Now()
	e, err := s.vd.RestoreSnapshotAs(ctx, dir, v, name)
	s.obs.observe("RestoreSnapshotAs", start, err)
	return e, err
}

func (s versionedOps) AddDeletionMarker(ctx context.Context, dir store.ID, name string) (store.Version, error) {
	start := time.Now()
	v, err := s.vd.AddDeletionMarker(ctx, dir, name)
	s.obs.observe("AddDeletionMarker", start, err)
	return v, err
}

// The decorators of versioned stores, one per combination of the other
// capabilities: TernFS keeps versions only, the local store has all three.
type (
	instrumentedVersionedStore struct {
		instrumentedStore
		versionedOps
	}
	instrumentedAttributedVersionedStore struct {
		instrumentedAttributedStore
		versionedOps
	}
	instrumentedSortedVersionedStore struct {
		instrumentedSortedStore
		versionedOps
	}
	instrumentedAttributedSortedVersionedStore struct {
		instrumentedAttributedSortedStore
		versionedOps
	}
)

var (
	_ store.VersionedDirs   = instrumentedVersionedStore{}
	_ store.VersionedDirs   = instrumentedAttributedVersionedStore{}
	_ store.VersionedDirs   = instrumentedSortedVersionedStore{}
	_ store.VersionedDirs   = instrumentedAttributedSortedVersionedStore{}
	_ store.AttributedFiles = instrumentedAttributedSortedVersionedStore{}
	_ store.SortedDirReader = instrumentedAttributedSortedVersionedStore{}
)

// withVersions adds versionedOps to the decorator d of st when st keeps
// versions.
func withVersions(d store.Store, st store.Store, base instrumentedStore) store.Store {
	vd, ok := st.(store.VersionedDirs)
	if !ok {
		return d
	}
	ops := versionedOps{vd: vd, obs: base}
	switch d := d.(type) {
	case instrumentedAttributedSortedStore:
		return instrumentedAttributedSortedVersionedStore{d, ops}
	case instrumentedAttributedStore:
		return instrumentedAttributedVersionedStore{d, ops}
	case instrumentedSortedStore:
		return instrumentedSortedVersionedStore{d, ops}
	case instrumentedStore:
		return instrumentedVersionedStore{d, ops}
	}
	return d
}
