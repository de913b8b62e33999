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

// A bucket's snapshot edges from before versioning was first enabled are
// what its store kept of overwrites and deletes while it was unversioned:
// on TernFS, everything the root's retention (--ternfs-snapshot-retention)
// still held when Enabled made the bucket keep snapshots forever. Of each
// key's such edges only the newest can be a version (the null version, or
// the unversioned delete that hides the rest, classifyVersions); the older
// ones are superseded, hidden from S3 and, kept forever, never freed. No
// new ones can appear once versioning is on (an edge's creation time is
// its shard's clock at creation), so each bucket is swept of them once,
// in the background, and its record says so.

// SweepUnversionedLeftovers removes, in every bucket that was ever
// versioned and not yet swept, the snapshot edges older than versioning
// that no version stands for, returning how many it removed. A bucket is
// marked swept only after a complete walk.
func (l *Layer) SweepUnversionedLeftovers(ctx context.Context) (int, error) {
	vd, ok := l.st.(store.VersionedDirs)
	if !ok {
		return 0, nil
	}
	buckets, err := l.ListBuckets(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range buckets {
		swept, err := l.sweepBucketLeftovers(ctx, vd, b.Name)
		n += swept
		if errors.Is(err, s3err.NoSuchBucket) || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrDirectoryGone) {
			continue // deleted meanwhile
		}
		if err != nil {
			return n, fmt.Errorf("objects: sweep unversioned leftovers of bucket %q: %w", b.Name, err)
		}
	}
	return n, nil
}

func (l *Layer) sweepBucketLeftovers(ctx context.Context, vd store.VersionedDirs, bucket string) (int, error) {
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return 0, err
	}
	rec, err := l.readBucketRecord(ctx, bid)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil // never versioned: versioning writes the record
	}
	if err != nil || rec.Versioning == VersioningUnversioned || rec.UnversionedSwept {
		return 0, err
	}
	state, err := l.BucketVersioning(ctx, bucket)
	if err != nil {
		return 0, err
	}
	enabled, ever := state.firstEnabled()
	if !ever {
		return 0, nil // Suspended from the start: every write is null
	}
	s := leftoverSweep{l: l, vd: vd, bid: bid, enabled: enabled}
	if err := s.dir(ctx, bid, true); err != nil {
		return s.removed, err
	}
	err = l.updateBucketRecord(ctx, bucket, func(rec *bucketRecord) error {
		rec.UnversionedSwept = true
		return nil
	})
	return s.removed, err
}

// leftoverSweep walks one bucket's directories.
type leftoverSweep struct {
	l       *Layer
	vd      store.VersionedDirs
	bid     store.ID
	enabled time.Time // when versioning was first enabled
	removed int
}

// dir sweeps the keys of dir, then its subdirectories.
func (s *leftoverSweep) dir(ctx context.Context, dir store.ID, top bool) error {
	older := map[string]int{} // key name -> its edges older than enabled
	var subdirs []store.ID
	err := s.vd.ReadDirVersions(ctx, dir, func(v store.Version) error {
		switch {
		case v.Dir:
			if v.Current && !(top && v.Name == metaDirName) {
				subdirs = append(subdirs, v.ID)
			}
		case isUploadMarker(v.Name), !v.CreationTime.Before(s.enabled):
		default:
			name, _ := strings.CutPrefix(v.Name, shadowPrefix)
			older[name]++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read versions of directory: %w", err)
	}
	for name, count := range older {
		if count < 2 {
			continue // nothing older than the newest to remove
		}
		if err := s.key(ctx, dir, name); err != nil {
			return err
		}
	}
	for _, sub := range subdirs {
		err := s.dir(ctx, sub, false)
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrDirectoryGone) {
			continue // pruned meanwhile
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// key removes the superseded edges of the key whose primary name in dir is
// name: those older than versioning but the newest of them.
func (s *leftoverSweep) key(ctx context.Context, dir store.ID, name string) error {
	edges, err := mergedVersionEdges(ctx, s.vd, dir, name)
	if err != nil {
		return err
	}
	for _, e := range supersededUnversioned(edges, s.enabled) {
		err := s.vd.RemoveSnapshotEdge(ctx, dir, e)
		if errors.Is(err, store.ErrNotFound) {
			continue // another writer removed it first
		}
		if err != nil {
			return fmt.Errorf("remove unversioned leftover of %q: %w", e.Name, err)
		}
		if !e.DeletionMarker() {
			s.l.removeRecord(ctx, s.bid, e.ID)
		}
		s.removed++
	}
	return nil
}

// supersededUnversioned picks from a key's version edges, newest first, the
// ones created before versioning was first enabled except the newest of
// them: whatever is newer, that one has made each older one superseded
// (classifyVersions: a file there is a null version, an unversioned
// delete marker hides the unversioned edges older than it), and it is
// judged by edges newer than itself, which this sweep does not read. A
// current edge is never one of them.
func supersededUnversioned(edges []store.Version, enabled time.Time) []store.Version {
	var out []store.Version
	newestSeen := false
	for _, e := range edges {
		if !e.CreationTime.Before(enabled) {
			continue
		}
		if newestSeen && !e.Current {
			out = append(out, e)
		}
		newestSeen = true
	}
	return out
}
