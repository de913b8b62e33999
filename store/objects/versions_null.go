package objects

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/terngate/terngate/store"
)

// The null flag of a record (record.Version): what a write in a bucket that
// was ever versioned made.
const (
	recordVersioned = "v" // written under Enabled: a version with its own ID
	recordNull      = "n" // written under Suspended: the null version
)

// bucketStatus is bucket bid's versioning status as the record this
// request's HeadBucket read says (keepsVersions), so an unversioned bucket
// pays no round trip. When it cannot tell it answers Enabled: a version kept
// is the safe side of a null version replaced.
func (l *Layer) bucketStatus(ctx context.Context, bid store.ID) string {
	if rec, ok := l.buckets.latest.get(bid); ok {
		return rec.Versioning
	}
	rec, err := l.readBucketRecord(ctx, bid)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return VersioningUnversioned
	case err != nil:
		return VersioningEnabled
	}
	return rec.Versioning
}

// recordFlag is the null flag a record written under status carries.
func recordFlag(status string) string {
	switch status {
	case VersioningEnabled:
		return recordVersioned
	case VersioningSuspended:
		return recordNull
	}
	return ""
}

// stampVersion sets the null flag of rec, the record of a new object in
// bucket bid, and returns it.
func (l *Layer) stampVersion(ctx context.Context, bid store.ID, rec *record) string {
	rec.Version = recordFlag(l.bucketStatus(ctx, bid))
	return rec.Version
}

// afterNullWrite runs after a write or delete that made the null version
// of key path p (flag recordNull): the previous null version, now hidden
// behind it, is removed, as S3 removes it under Suspended ("Working with
// objects in a versioning-suspended bucket": a PUT or DELETE replaces the
// null version). Best effort: what a crash leaves is hidden by
// classifyVersions and removed by the key's next null write.
func (l *Layer) afterNullWrite(ctx context.Context, bid store.ID, bucket string, p keyPath, flag string) {
	if flag != recordNull {
		return
	}
	_ = l.dropSupersededNulls(context.WithoutCancel(ctx), bid, bucket, p)
}

// dropSupersededNulls removes the edges of key path p that a newer null
// version hides: normally exactly one, the previous null version, which
// every null write removes. It reads the null flags of the key's edges
// newest first only down to that one (classifyVersions judges an edge by
// the newer ones alone, so a prefix classifies as the whole does): a
// write no longer pays a record read per version of the key. Superseded
// edges older than it are only what a crash left; they stay hidden.
func (l *Layer) dropSupersededNulls(ctx context.Context, bid store.ID, bucket string, p keyPath) error {
	vd, ok := l.st.(store.VersionedDirs)
	if !ok {
		return errVersioningUnsupported
	}
	state, err := l.BucketVersioning(ctx, bucket)
	if err != nil {
		return err
	}
	dir, err := l.objectDir(ctx, bid, p)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	edges, err := mergedVersionEdges(ctx, vd, dir, p.name)
	if err != nil {
		return err
	}
	var superseded []keyVersion
	flags := map[store.ID]string{}
	for k := range edges {
		f, err := l.nullFlags(ctx, bid, edges[k:k+1], state)
		if err != nil {
			return err
		}
		maps.Copy(flags, f)
		if _, superseded = classifyVersions(edges[:k+1], dir, state, flags); len(superseded) > 0 {
			break
		}
	}
	for _, v := range superseded {
		err := vd.RemoveSnapshotEdge(ctx, v.dir, v.edge)
		if errors.Is(err, store.ErrNotFound) {
			continue // another writer removed it first
		}
		if err != nil {
			return fmt.Errorf("objects: remove replaced null version of %q: %w", v.edge.Name, err)
		}
		if !v.isMarker {
			l.removeRecord(ctx, bid, v.edge.ID)
		}
	}
	return nil
}
