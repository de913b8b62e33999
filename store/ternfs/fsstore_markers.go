package ternfs

import (
	"context"
	"errors"
	"fmt"

	"github.com/terngate/terngate/store"
)

var _ store.VersionedDirs = (*Store)(nil)

// errStopEdges ends a walk over a name's edges early.
var errStopEdges = errors.New("ternfs: stop walk")

// AddDeletionMarker has no request of its own in TernFS: a shard adds a
// deletion marker only when a current edge goes. An empty directory stands
// in for the absent object (MakeDirectory), its removal leaves the marker
// (SoftUnlinkDirectory), and the directory's snapshot edge is removed
// (RemoveNonOwnedEdge). A directory rather than a placeholder file because
// every state in between is invisible to S3 readers: a directory under the
// name is what a key looks like that has no object but is a prefix, and an
// empty one is never listed; a crash leaves that empty directory (pruned
// like any other, or, at a key's shadow name, removed by the key's next
// write: objects.clearStandIn) or the marker still just newer than the
// directory's edge, which the objects layer takes for a directory's
// removal, not a version (dirRemovalMarker). A name that holds anything is
// ErrExists.
func (s *Store) AddDeletionMarker(ctx context.Context, dir store.ID, name string) (store.Version, error) {
	d, err := directoryID(dir)
	if err != nil {
		return store.Version{}, err
	}
	if err := validateName(name); err != nil {
		return store.Version{}, err
	}
	standIn, err := s.client.MakeDirectory(ctx, d, name)
	if err != nil {
		return store.Version{}, fmt.Errorf("add deletion marker to %q: %w", name, err)
	}
	if err := s.client.SoftUnlinkDirectory(ctx, d, standIn.ID, name, standIn.CreationTime); err != nil {
		return store.Version{}, fmt.Errorf("add deletion marker to %q: remove the stand-in directory: %w", name, err)
	}
	// Newest first: the marker, then the stand-in's snapshot edge.
	var marker, standInEdge *store.Version
	err = s.ReadNameVersions(ctx, dir, name, func(v store.Version) error {
		switch {
		case v.Current:
		case marker == nil && v.DeletionMarker():
			marker = &v
		case v.ID == store.ID(standIn.ID):
			standInEdge = &v
			return errStopEdges
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStopEdges) {
		return store.Version{}, fmt.Errorf("add deletion marker to %q: %w", name, err)
	}
	if marker == nil || standInEdge == nil {
		return store.Version{}, fmt.Errorf("add deletion marker to %q: the stand-in directory's edges are gone: %w", name, store.ErrNotFound)
	}
	if err := s.RemoveSnapshotEdge(ctx, dir, *standInEdge); err != nil {
		return store.Version{}, fmt.Errorf("add deletion marker to %q: %w", name, err)
	}
	return *marker, nil
}
