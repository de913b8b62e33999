package objects

import (
	"context"

	"github.com/terngate/terngate/store"
)

// removeRetiredRecord removes the record of a replaced or deleted file,
// unless the bucket keeps versions: there the file is a version and its
// record its metadata, removed with the version (SweepOrphanMetadata
// removes it once the file is gone). The store's directory policy is the
// truth, not this process's view of the versioning document, so a bucket
// another gateway made versioned keeps its records too; when the store
// cannot tell, the record stays for the sweep. keeps caches the answer per
// bucket over one batch of removals (nil: no cache).
func (l *Layer) removeRetiredRecord(ctx context.Context, bucket, file store.ID, keeps map[store.ID]bool) {
	if vd, ok := l.st.(store.VersionedDirs); ok {
		keep, known := keeps[bucket]
		if !known {
			var err error
			keep, err = vd.KeepsSnapshots(ctx, bucket)
			keep = keep || err != nil
			if keeps != nil {
				keeps[bucket] = keep
			}
		}
		if keep {
			return
		}
	}
	l.removeRecord(ctx, bucket, file)
}
