package objects

import (
	"context"
	"errors"
	"fmt"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// errMarkersUnsupported refuses a delete that needs a marker the store
// cannot make (TernFS: docs/versioning.md, what is left) rather than
// answering success with no marker made.
var errMarkersUnsupported = s3err.NotImplemented.With("This store cannot add a delete marker to a key that has no current object yet.")

// deleteAbsent is a DELETE without version of key path p when the key has
// no current object: in a versioned bucket S3 adds a delete marker all the
// same, also when the latest version is already one, and under Suspended
// that marker is the null version, replacing the previous one (AWS S3 user
// guide, "Deleting object versions from a versioning-enabled bucket" and
// "Deleting objects from versioning-suspended buckets"; API_DeleteObject).
// It returns the marker's version ID, "" in an unversioned bucket (nothing
// to do), or errObjectMoved if the key was written meanwhile.
func (l *Layer) deleteAbsent(ctx context.Context, bucket string, p keyPath) (string, error) {
	bid, _, err := l.cachedBucketID(ctx, bucket)
	if err != nil {
		return "", err
	}
	status := l.bucketStatus(ctx, bid)
	if status == VersioningUnversioned {
		return "", nil
	}
	dm, ok := l.st.(store.VersionedDirs)
	if !ok {
		return "", errMarkersUnsupported
	}
	// The key's directories may not exist: the marker needs them.
	dir, err := l.makeDirs(ctx, bid, p.dirs, true)
	if err != nil {
		return "", err
	}
	marker, err := l.addMarker(ctx, dm, bid, dir, p.name)
	if err != nil {
		return "", err
	}
	if status == VersioningSuspended {
		l.afterNullWrite(ctx, bid, bucket, p, recordNull)
		return nullVersionID, nil
	}
	return markerVersion(marker.CreationTime).String(), nil
}

// addMarker adds the marker under the key's name in dir, under the name's
// hold: the primary name, or the shadow name when a directory holds the
// primary one (where the key's object would be written).
func (l *Layer) addMarker(ctx context.Context, dm store.VersionedDirs, bid, dir store.ID, name string) (store.Version, error) {
	hold, err := l.holdName(ctx, bid, dir, name, store.Transient{})
	if err != nil {
		return store.Version{}, err
	}
	defer hold.release(ctx)
	s, err := l.lookupSlot(ctx, dir, name)
	if errors.Is(err, store.ErrDirectoryGone) {
		return store.Version{}, errObjectMoved // pruned meanwhile: make it again
	}
	if err != nil {
		return store.Version{}, err
	}
	if s.found {
		return store.Version{}, errObjectMoved
	}
	plain := name
	if s.primaryDir && name != markerName {
		name = shadowPrefix + name
	}
	if err := hold.commit(l); err != nil {
		return store.Version{}, err
	}
	if s.standIn {
		if err := l.clearStandIn(ctx, dir, plain); err != nil {
			return store.Version{}, err
		}
	}
	marker, err := dm.AddDeletionMarker(ctx, dir, name)
	if errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrDirectoryGone) {
		return store.Version{}, errObjectMoved // another gateway's write or prune
	}
	if err != nil {
		return store.Version{}, fmt.Errorf("objects: add delete marker to %q: %w", name, err)
	}
	return marker, nil
}

// unlinkMarkerID is the version ID of the delete marker that unlinking edge
// from dir left, called under the name's hold: "null" under Suspended, the
// marker's own ID under Enabled, "" in an unversioned bucket (no store
// call: its path keeps its round trips).
func (l *Layer) unlinkMarkerID(ctx context.Context, bid, dir store.ID, edge store.Entry) (string, error) {
	switch l.bucketStatus(ctx, bid) {
	case VersioningUnversioned:
		return "", nil
	case VersioningSuspended:
		return nullVersionID, nil
	}
	vd, ok := l.st.(store.VersionedDirs)
	if !ok {
		return "", errVersioningUnsupported
	}
	var marker *store.Version
	err := vd.ReadNameVersions(ctx, dir, edge.Name, func(v store.Version) error {
		if v.DeletionMarker() && !v.CreationTime.Before(edge.CreationTime) {
			marker = &v
		}
		return errStopWalk // the newest edge is the unlink's marker
	})
	if err != nil && !errors.Is(err, errStopWalk) {
		return "", fmt.Errorf("objects: versions of %q: %w", edge.Name, err)
	}
	if marker == nil {
		// The status was a guess (bucketStatus answers Enabled when it
		// cannot read the record) and the directory keeps no snapshots:
		// the delete is done and made no marker.
		return "", nil
	}
	return markerVersion(marker.CreationTime).String(), nil
}
