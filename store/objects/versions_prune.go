package objects

import (
	"context"
	"errors"
	"fmt"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// errVersionsLeft refuses to delete a bucket whose keys are all deleted but
// whose versions or delete markers remain, in S3's words (a DeleteBucket
// answer from S3 quoted in rebuy-de/aws-nuke#64; API_DeleteBucket: "All
// objects (including all object versions and delete markers) in the bucket
// must be deleted before the bucket itself can be deleted").
var errVersionsLeft = s3err.BucketNotEmpty.With("The bucket you tried to delete is not empty. You must delete all versions in the bucket.")

// keepsVersions reports whether the bucket directory bid was ever versioned
// (its status is Enabled or Suspended): its directories then keep snapshot
// edges, which are its versions. The status comes from the bucket record
// this request's HeadBucket read, so an unversioned bucket pays no round
// trip; a record not cached is read. When it cannot tell it answers true,
// the safe side for every caller (a directory not pruned, a version kept).
func (l *Layer) keepsVersions(ctx context.Context, bid store.ID) bool {
	if rec, ok := l.buckets.latest.get(bid); ok {
		return rec.Versioning != VersioningUnversioned
	}
	rec, err := l.readBucketRecord(ctx, bid)
	if errors.Is(err, store.ErrNotFound) {
		return false // an adopted directory with no record: never versioned
	}
	return err != nil || rec.Versioning != VersioningUnversioned
}

// mayPrune reports whether pruneDirs may remove dir, a directory of the
// bucket bid that holds no current edge. In a versioned bucket it may not
// while dir holds a version: TernFS would remove it anyway and hide its
// versions behind the removed directory's snapshot edge (local refuses).
func (l *Layer) mayPrune(ctx context.Context, bid, dir store.ID) bool {
	if !l.keepsVersions(ctx, bid) {
		return true
	}
	held, _, err := l.dirVersions(ctx, dir)
	return err == nil && !held
}

// dirVersions reports whether dir holds a version (a snapshot edge of a
// file or a delete marker, under an object's name), and returns the
// snapshot edges it holds that are no versions: those of upload markers and
// of the bucket record, which a bucket that keeps snapshots keeps too.
func (l *Layer) dirVersions(ctx context.Context, dir store.ID) (bool, []store.Version, error) {
	vd, ok := l.st.(store.VersionedDirs)
	if !ok {
		return false, nil, nil
	}
	var leftovers []store.Version
	held := false
	err := vd.ReadDirVersions(ctx, dir, func(v store.Version) error {
		switch {
		case v.Current, v.Dir:
			// Current edges are objects or directories (the caller's
			// concern); a directory's snapshot edge is what pruning it
			// left, once it held no version.
		case isUploadMarker(v.Name) || v.Name == bucketRecordName:
			leftovers = append(leftovers, v)
		default:
			held = true
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil, nil // removed meanwhile: it held nothing
	}
	if err != nil {
		return false, nil, fmt.Errorf("objects: read versions of directory: %w", err)
	}
	return held, leftovers, nil
}

// bucketHoldsVersions reports whether a versioned bucket still holds a
// version or delete marker anywhere under dir. The metadata directory (at
// the top) holds records, not versions.
func (l *Layer) bucketHoldsVersions(ctx context.Context, dir store.ID, top bool) (bool, error) {
	held, _, err := l.dirVersions(ctx, dir)
	if err != nil || held {
		return held, err
	}
	entries, err := readAll(ctx, l.st, dir)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("objects: read directory: %w", err)
	}
	for _, e := range entries {
		if !e.Dir || (top && e.Name == metaDirName) {
			continue
		}
		if held, err := l.bucketHoldsVersions(ctx, e.ID, false); err != nil || held {
			return held, err
		}
	}
	return false, nil
}

// dropLeftoverEdges removes the snapshot edges of dir that are no versions
// (dirVersions), so that a versioned bucket's emptied directory can be
// removed: local refuses to remove a directory holding any snapshot edge.
func (l *Layer) dropLeftoverEdges(ctx context.Context, dir store.ID) error {
	vd, ok := l.st.(store.VersionedDirs)
	if !ok {
		return nil
	}
	_, leftovers, err := l.dirVersions(ctx, dir)
	if err != nil {
		return err
	}
	for _, v := range leftovers {
		if err := vd.RemoveSnapshotEdge(ctx, dir, v); err != nil {
			return fmt.Errorf("objects: remove snapshot edge of %q: %w", v.Name, err)
		}
	}
	return nil
}

// dropReplacedBucketRecords removes the snapshot edges of replaced bucket
// records in the versioned bucket directory bid: the directory keeps
// snapshots for the objects' sake, and the record is no object, so without
// this every policy or versioning change would leave a file until
// DeleteBucket.
func (l *Layer) dropReplacedBucketRecords(ctx context.Context, bid store.ID) error {
	vd, ok := l.st.(store.VersionedDirs)
	if !ok {
		return nil
	}
	var old []store.Version
	err := vd.ReadNameVersions(ctx, bid, bucketRecordName, func(v store.Version) error {
		if !v.Current {
			old = append(old, v)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("objects: versions of the bucket record: %w", err)
	}
	for _, v := range old {
		if err := vd.RemoveSnapshotEdge(ctx, bid, v); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("objects: remove a replaced bucket record: %w", err)
		}
	}
	return nil
}
