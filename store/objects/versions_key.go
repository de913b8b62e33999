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
//     leaves, recognised by its creation time being the moved edge's;
//   - edges from before versioning was first enabled are the unversioned
//     bucket's: only the newest of them can be a version, the null version,
//     and only if it is a file (older ones are what the unversioned
//     bucket's retention had not yet dropped);
//   - an edge created while versioning was suspended is the null version.
//
// A restore (RestoreSnapshot) gives an edge a new creation time; the
// objects layer must not restore a null version by that path before
// records carry the null flag (docs/versioning.md).
func (l *Layer) keyVersions(ctx context.Context, bid store.ID, p keyPath, state VersioningState) ([]keyVersion, error) {
	vd, ok := l.st.(store.VersionedDirs)
	if !ok {
		return nil, errVersioningUnsupported
	}
	dir, err := l.objectDir(ctx, bid, p)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	names := []string{p.name}
	if p.name != markerName {
		names = append(names, shadowPrefix+p.name)
	}
	edges := make([][]store.Version, len(names))
	for i, name := range names {
		err := vd.ReadNameVersions(ctx, dir, name, func(v store.Version) error {
			edges[i] = append(edges[i], v)
			return nil
		})
		if errors.Is(err, store.ErrDirectoryGone) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("objects: versions of %q: %w", name, err)
		}
	}
	var merged []store.Version
	for i := range names {
		var other []store.Version
		if len(names) == 2 {
			other = edges[1-i]
		}
		for _, v := range edges[i] {
			if versionEdge(v) && !renameMarker(v, other) {
				merged = append(merged, v)
			}
		}
	}
	slices.SortStableFunc(merged, func(a, b store.Version) int { return b.CreationTime.Compare(a.CreationTime) })
	return classifyVersions(merged, dir, state), nil
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

// classifyVersions turns the key's version edges, newest first, into
// versions: version IDs, the null version, the latest flag.
func classifyVersions(edges []store.Version, dir store.ID, state VersioningState) []keyVersion {
	enabled, ever := state.firstEnabled()
	var out []keyVersion
	nullSeen := false
	for _, e := range edges {
		kv := keyVersion{edge: e, dir: dir, isMarker: e.DeletionMarker()}
		switch status := state.statusAt(e.CreationTime); {
		case !ever || e.CreationTime.Before(enabled):
			// From the unversioned bucket: its newest edge is the null
			// version if it is a file, the rest are not versions.
			if nullSeen || kv.isMarker {
				nullSeen = true
				continue
			}
			kv.id = versionID{null: true}
		case status == VersioningSuspended:
			if nullSeen {
				continue // an older null version a later one replaced
			}
			kv.id = versionID{null: true}
		case kv.isMarker:
			kv.id = markerVersion(e.CreationTime)
		default:
			kv.id = fileVersion(e.ID)
		}
		if kv.id.null {
			nullSeen = true
		}
		out = append(out, kv)
	}
	if len(out) > 0 {
		out[0].latest = true
	}
	return out
}
