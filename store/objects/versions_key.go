package objects

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/terngate/terngate/store"
)

// keyVersion is one S3 version of a key, as the store's edges give it.
type keyVersion struct {
	id       versionID
	edge     store.Version // the edge holding it
	dir      store.ID      // the directory holding the edge
	latest   bool
	isMarker bool
}

// keyVersions lists the versions of the key at p in bucket bid, newest
// first, under the bucket's versioning state:
//
//   - a key's edges are those of its primary and its shadow name, merged by
//     creation time;
//   - directories, and snapshot edges that own nothing but a file (a rename
//     left them), are not versions, nor is the deletion marker a rename
//     leaves, recognised by its creation time being the moved edge's, nor
//     the one a directory's removal leaves (dirRemovalMarker);
//   - edges from before versioning was first enabled are the unversioned
//     bucket's: only the newest of them can be a version, the null version,
//     and only if it is a file (older ones are what the unversioned
//     bucket's retention had not yet dropped);
//   - a file is the null version or a version of its own as its record's
//     null flag says (a restore changes its edge's time, not its record);
//     a file without the flag is the null version (written by another
//     client); a delete marker created while versioning was suspended is
//     the null version;
//   - of several null versions only the newest is one (classifyVersions).
func (l *Layer) keyVersions(ctx context.Context, bid store.ID, p keyPath, state VersioningState) ([]keyVersion, error) {
	versions, _, err := l.classifiedVersions(ctx, bid, p, state)
	return versions, err
}

// classifiedVersions is keyVersions that also returns the superseded null
// versions: edges a newer null version hides, which a null write removes.
func (l *Layer) classifiedVersions(ctx context.Context, bid store.ID, p keyPath, state VersioningState) ([]keyVersion, []keyVersion, error) {
	vd, ok := l.st.(store.VersionedDirs)
	if !ok {
		return nil, nil, errVersioningUnsupported
	}
	dir, err := l.objectDir(ctx, bid, p)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return l.versionsIn(ctx, vd, bid, dir, p.name, state)
}

// versionsIn is classifiedVersions for the key whose primary name in dir is
// name.
func (l *Layer) versionsIn(ctx context.Context, vd store.VersionedDirs, bid, dir store.ID, name string, state VersioningState) ([]keyVersion, []keyVersion, error) {
	merged, err := mergedVersionEdges(ctx, vd, dir, name)
	if err != nil {
		return nil, nil, err
	}
	flags, err := l.nullFlags(ctx, bid, merged, state)
	if err != nil {
		return nil, nil, err
	}
	versions, superseded := classifyVersions(merged, dir, state, flags)
	return versions, superseded, nil
}

// mergedVersionEdges is the edges of the key whose primary name in dir is
// name that can be versions, newest first (keyVersions' first rules).
func mergedVersionEdges(ctx context.Context, vd store.VersionedDirs, dir store.ID, name string) ([]store.Version, error) {
	names := []string{name}
	if other := otherName(name); other != "" {
		names = append(names, other)
	}
	edges := make([][]store.Version, len(names))
	for i, n := range names {
		err := vd.ReadNameVersions(ctx, dir, n, func(v store.Version) error {
			edges[i] = append(edges[i], v)
			return nil
		})
		if errors.Is(err, store.ErrDirectoryGone) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("objects: versions of %q: %w", n, err)
		}
	}
	var merged []store.Version
	for i := range names {
		var other []store.Version
		if len(names) == 2 {
			other = edges[1-i]
		}
		for j, v := range edges[i] {
			if versionEdge(v) && !renameMarker(v, other) && !dirRemovalMarker(edges[i], j) {
				merged = append(merged, v)
			}
		}
	}
	slices.SortStableFunc(merged, func(a, b store.Version) int { return b.CreationTime.Compare(a.CreationTime) })
	return merged, nil
}

// nullFlags reads the null flag of each file edge that could carry one:
// those created since versioning was first enabled (a file older than that
// was written unversioned, and a restore makes an edge new).
func (l *Layer) nullFlags(ctx context.Context, bid store.ID, edges []store.Version, state VersioningState) (map[store.ID]string, error) {
	enabled, ever := state.firstEnabled()
	if !ever {
		return nil, nil
	}
	flags := map[store.ID]string{}
	for _, e := range edges {
		if e.DeletionMarker() || e.CreationTime.Before(enabled) {
			continue
		}
		rec, err := l.readRecord(ctx, bid, e.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue // no record: another client's file
		}
		if err != nil {
			return nil, fmt.Errorf("objects: metadata of version %016x: %w", uint64(e.ID), err)
		}
		flags[e.ID] = rec.Version
	}
	return flags, nil
}

// versionEdge reports whether an edge can be a version: a file edge that
// owns its file (current or snapshot), or a deletion marker.
func versionEdge(v store.Version) bool {
	return !v.Dir && (v.DeletionMarker() || v.Owned)
}

// renameMarker reports whether the marker v is what a rename between the
// key's two names left: the edge it moved to (in other, the other name's
// edges) was created at the same time.
func renameMarker(v store.Version, other []store.Version) bool {
	if !v.DeletionMarker() {
		return false
	}
	for _, o := range other {
		if !o.DeletionMarker() && o.CreationTime.Equal(v.CreationTime) {
			return true
		}
	}
	return false
}

// dirRemovalMarker reports whether edges[i], of one name newest first, is
// the deletion marker TernFS leaves when a directory of that name is
// removed (pruned): the edge just older than it is the directory's. A
// client's delete marker always follows a file edge of its name.
func dirRemovalMarker(edges []store.Version, i int) bool {
	return edges[i].DeletionMarker() && i+1 < len(edges) && edges[i+1].Dir
}

// classifyVersions turns the key's version edges, newest first, into
// versions: version IDs, the null version, the latest flag. flags are the
// files' null flags (nullFlags). It also returns the superseded null
// versions: files and Suspended markers that a newer null version hides.
func classifyVersions(edges []store.Version, dir store.ID, state VersioningState, flags map[store.ID]string) ([]keyVersion, []keyVersion) {
	enabled, ever := state.firstEnabled()
	var out, superseded []keyVersion
	nullSeen := false
	for _, e := range edges {
		kv := keyVersion{edge: e, dir: dir, isMarker: e.DeletionMarker()}
		unversioned := !ever || e.CreationTime.Before(enabled)
		switch {
		case unversioned && kv.isMarker:
			// The unversioned bucket's delete: no version, and the
			// unversioned edges older than it are no versions either.
			nullSeen = true
			continue
		case kv.isMarker && state.statusAt(e.CreationTime) == VersioningSuspended:
			kv.id = versionID{null: true}
		case kv.isMarker:
			kv.id = markerVersion(e.CreationTime)
		case !unversioned && flags[e.ID] == recordVersioned:
			kv.id = fileVersion(e.ID)
		default:
			// Written unversioned, under Suspended, or by another client.
			kv.id = versionID{null: true}
		}
		if kv.id.null {
			if nullSeen {
				if !e.Current {
					superseded = append(superseded, kv)
				}
				continue
			}
			nullSeen = true
		}
		out = append(out, kv)
	}
	if len(out) > 0 {
		out[0].latest = true
	}
	return out, superseded
}
