package objects

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// deleteVersion removes one version of key (DELETE ?versionId=) and returns
// what it removed. When it was the latest and the newest remaining version
// is a file, that file becomes current first, so that readers never see the
// key missing in between.
//
// Unexported until the S3 surface is whole (docs/versioning.md).
func (l *Layer) deleteVersion(ctx context.Context, bucket, key, versionID string) (keyVersion, error) {
	return l.deleteVersionIf(ctx, bucket, key, versionID, nil)
}

// errVersionMoved: a conditional version delete found the key's versions
// no longer as the condition wants them.
var errVersionMoved = errors.New("objects: the key's versions changed")

// deleteVersionIf is deleteVersion that removes the version only if still
// holds for the key's versions (newest first) and the version's index among
// them, judged under the key's hold; errVersionMoved otherwise. A nil still
// always holds.
func (l *Layer) deleteVersionIf(ctx context.Context, bucket, key, versionID string, still func([]keyVersion, int) bool) (keyVersion, error) {
	want, err := parseVersionID("versionId", versionID)
	if err != nil {
		return keyVersion{}, err
	}
	vd, ok := l.st.(store.VersionedDirs)
	if !ok {
		return keyVersion{}, errVersioningUnsupported
	}
	p, err := pathOfKey(key)
	if err != nil {
		return keyVersion{}, err
	}
	defer l.bucketLocks.rlock(bucket)()
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return keyVersion{}, err
	}
	state, err := l.BucketVersioning(ctx, bucket)
	if err != nil {
		return keyVersion{}, err
	}
	dir, err := l.objectDir(ctx, bid, p)
	if errors.Is(err, store.ErrNotFound) {
		return keyVersion{}, s3err.NoSuchVersion
	}
	if err != nil {
		return keyVersion{}, err
	}
	// The primary name's hold, as PUT and DELETE take it, keeps the key's
	// edges still while they are listed and changed.
	hold, err := l.holdName(ctx, bid, dir, p.name, store.Transient{})
	if err != nil {
		return keyVersion{}, err
	}
	defer hold.release(ctx)
	versions, err := l.keyVersions(ctx, bid, p, state)
	if err != nil {
		return keyVersion{}, err
	}
	i := indexOfVersion(versions, want)
	if i < 0 {
		return keyVersion{}, s3err.NoSuchVersion
	}
	if still != nil && !still(versions, i) {
		return keyVersion{}, errVersionMoved
	}
	v := versions[i]
	if err := l.checkVersionUnlocked(ctx, bid, v); err != nil {
		return keyVersion{}, err
	}
	if v.latest {
		if err := l.replaceLatest(ctx, vd, versions, state); err != nil {
			return keyVersion{}, err
		}
	} else if err := vd.RemoveSnapshotEdge(ctx, v.dir, v.edge); err != nil {
		return keyVersion{}, fmt.Errorf("objects: remove version %s of %q: %w", v.id, key, err)
	}
	if enabled, ever := state.firstEnabled(); v.id.null && (!ever || v.edge.CreationTime.Before(enabled)) {
		// The edges older than this one from the unversioned bucket were
		// hidden behind it; with it gone they would surface as the null
		// version.
		if err := dropUnversionedLeftovers(ctx, vd, dir, p, v.edge.CreationTime); err != nil {
			return keyVersion{}, err
		}
	}
	if !v.isMarker {
		l.removeRecord(context.WithoutCancel(ctx), bid, v.edge.ID)
	}
	l.pruneDirs(context.WithoutCancel(ctx), bid, p.dirs)
	return v, nil
}

// indexOfVersion finds the version named id, or -1.
func indexOfVersion(versions []keyVersion, id versionID) int {
	for i, v := range versions {
		if v.id.null == id.null && v.id.file == id.file && v.id.marker.Equal(id.marker) {
			return i
		}
	}
	return -1
}

// replaceLatest removes the latest of a key's versions (newest first): the
// next one, if it is a file, is made current first; otherwise the key is
// left without a current object, as S3 leaves it.
func (l *Layer) replaceLatest(ctx context.Context, vd store.VersionedDirs, versions []keyVersion, state VersioningState) error {
	latest := versions[0]
	var next *keyVersion
	if len(versions) > 1 && !versions[1].isMarker {
		next = &versions[1]
	}
	acrossNames := next != nil && next.edge.Name != latest.edge.Name && latest.edge.Current
	// restoreAs is the name the next version becomes current under: its
	// own, unless a directory holds that name (the key is also a prefix),
	// when it takes the latest's name, which the restore turns into a
	// snapshot edge as an overwrite would.
	restoreAs := ""
	if next != nil {
		restoreAs = next.edge.Name
	}
	if acrossNames {
		e, err := l.st.Lookup(ctx, next.dir, next.edge.Name)
		if err == nil && e.Dir {
			restoreAs = latest.edge.Name
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("objects: look up %q: %w", next.edge.Name, err)
		}
	}
	if next != nil {
		// The restored edge is created now; its record's null flag keeps
		// its version ID (classifyVersions).
		if _, err := vd.RestoreSnapshotAs(ctx, next.dir, next.edge, restoreAs); err != nil {
			return fmt.Errorf("objects: restore version %s: %w", next.id, err)
		}
		// A marker a move left under the other name is told by the moved
		// edge's time (renameMarker), which the restore changed.
		if other := otherName(next.edge.Name); other != "" {
			if err := dropRenameMarkers(ctx, vd, next.dir, other, next.edge.CreationTime); err != nil {
				return err
			}
		}
	}
	if acrossNames && restoreAs == latest.edge.Name {
		// The restore made the latest a snapshot edge of its name; the
		// marker its move there left under the next's name is told by its
		// time only while it stays.
		if err := removeSnapshotOf(ctx, vd, latest.dir, latest.edge.Name, latest.edge.ID); err != nil {
			return err
		}
		return dropRenameMarkers(ctx, vd, next.dir, next.edge.Name, latest.edge.CreationTime)
	}
	switch {
	case latest.isMarker:
		return removeEdge(ctx, vd, latest.dir, latest.edge)
	case acrossNames:
		// Both names now hold a current file; readers resolve the primary
		// first, and either one is a version of the key, so the key is
		// never missing while the latest goes. The marker its move to its
		// name left on the other is told by its time only while it stays.
		if err := l.unlinkLeavingNoVersion(ctx, vd, latest); err != nil {
			return err
		}
		return dropRenameMarkers(ctx, vd, next.dir, next.edge.Name, latest.edge.CreationTime)
	case next != nil:
		// The restore made the old current file a snapshot edge.
		return removeSnapshotOf(ctx, vd, latest.dir, latest.edge.Name, latest.edge.ID)
	}
	if state.Status == VersioningUnversioned {
		// A bucket that keeps no versions: the null version is the object.
		if err := l.st.UnlinkFile(ctx, latest.dir, latest.edge.Name, latest.edge.ID); err != nil {
			return fmt.Errorf("objects: unlink %q: %w", latest.edge.Name, err)
		}
		return nil
	}
	return l.unlinkLeavingNoVersion(ctx, vd, latest)
}

// unlinkLeavingNoVersion unlinks the current file of v, then removes the
// snapshot edge and the deletion marker the unlink left: neither is a
// version the client made.
func (l *Layer) unlinkLeavingNoVersion(ctx context.Context, vd store.VersionedDirs, v keyVersion) error {
	if err := l.st.UnlinkFile(ctx, v.dir, v.edge.Name, v.edge.ID); err != nil {
		return fmt.Errorf("objects: unlink %q: %w", v.edge.Name, err)
	}
	if err := removeSnapshotOf(ctx, vd, v.dir, v.edge.Name, v.edge.ID); err != nil {
		return err
	}
	var marker *store.Version
	err := vd.ReadNameVersions(ctx, v.dir, v.edge.Name, func(e store.Version) error {
		if marker == nil && e.DeletionMarker() && !e.CreationTime.Before(v.edge.CreationTime) {
			marker = &e
		}
		return errStopWalk
	})
	if err != nil && !errors.Is(err, errStopWalk) {
		return fmt.Errorf("objects: versions of %q: %w", v.edge.Name, err)
	}
	if marker != nil {
		return removeEdge(ctx, vd, v.dir, *marker)
	}
	return nil
}

// dropRenameMarkers removes the deletion markers of name created at, the
// creation time of the edge a rename moved from name to the key's other
// name.
func dropRenameMarkers(ctx context.Context, vd store.VersionedDirs, dir store.ID, name string, at time.Time) error {
	var markers []store.Version
	err := vd.ReadNameVersions(ctx, dir, name, func(v store.Version) error {
		if v.DeletionMarker() && v.CreationTime.Equal(at) {
			markers = append(markers, v)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("objects: versions of %q: %w", name, err)
	}
	for _, v := range markers {
		if err := removeEdge(ctx, vd, dir, v); err != nil {
			return err
		}
	}
	return nil
}

// otherName is the key's other name beside name (its shadow name beside
// its primary one and back); "" for a name that has none.
func otherName(name string) string {
	switch {
	case name == markerName:
		return ""
	case strings.HasPrefix(name, shadowPrefix):
		return name[len(shadowPrefix):]
	}
	return shadowPrefix + name
}

// errStopWalk ends a walk over edges early.
var errStopWalk = errors.New("objects: stop walk")

func removeEdge(ctx context.Context, vd store.VersionedDirs, dir store.ID, v store.Version) error {
	if err := vd.RemoveSnapshotEdge(ctx, dir, v); err != nil {
		return fmt.Errorf("objects: remove edge of %q: %w", v.Name, err)
	}
	return nil
}

// removeSnapshotOf removes the owned snapshot edge of name that holds file.
func removeSnapshotOf(ctx context.Context, vd store.VersionedDirs, dir store.ID, name string, file store.ID) error {
	var found *store.Version
	err := vd.ReadNameVersions(ctx, dir, name, func(v store.Version) error {
		if !v.Current && v.Owned && v.ID == file {
			found = &v
			return errStopWalk
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStopWalk) {
		return fmt.Errorf("objects: versions of %q: %w", name, err)
	}
	if found == nil {
		return fmt.Errorf("objects: snapshot edge of %q for file %016x: %w", name, uint64(file), store.ErrNotFound)
	}
	return removeEdge(ctx, vd, dir, *found)
}

// dropUnversionedLeftovers removes the key's snapshot edges created before
// olderThan, the creation time of the null version that was the newest edge
// from before versioning was first enabled: what the unversioned bucket's
// retention kept, which are no versions.
func dropUnversionedLeftovers(ctx context.Context, vd store.VersionedDirs, dir store.ID, p keyPath, olderThan time.Time) error {
	names := []string{p.name}
	if p.name != markerName {
		names = append(names, shadowPrefix+p.name)
	}
	for _, name := range names {
		var old []store.Version
		err := vd.ReadNameVersions(ctx, dir, name, func(v store.Version) error {
			if !v.Current && !v.Dir && v.CreationTime.Before(olderThan) {
				old = append(old, v)
			}
			return nil
		})
		if err != nil && !errors.Is(err, store.ErrDirectoryGone) {
			return fmt.Errorf("objects: versions of %q: %w", name, err)
		}
		for _, v := range old {
			if err := removeEdge(ctx, vd, dir, v); err != nil {
				return err
			}
		}
	}
	return nil
}
