package multipart

import (
	"context"
	"errors"
	"fmt"

	"github.com/terngate/terngate/s3err"
)

// indexPage is how many index entries BucketUploads reads at a time.
const indexPage = 1000

// BucketUploads returns every upload in flight in bucket, in listing order.
func (m *Manager) BucketUploads(ctx context.Context, bucket string) ([]IndexEntry, error) {
	var out []IndexEntry
	start := "-"
	for {
		entries, err := m.tracker.Index(ctx, bucket, start, indexPage)
		if err != nil {
			return nil, fmt.Errorf("multipart: uploads of %q: %w", bucket, err)
		}
		out = append(out, entries...)
		if len(entries) < indexPage {
			return out, nil
		}
		start = boundAfterEntry(entries[len(entries)-1])
	}
}

// AbortUploads aborts the given uploads of bucket, as DeleteBucket does on
// S3 for uploads in flight. Best effort: an upload already gone or being
// completed is skipped, and the sweeper catches what fails.
func (m *Manager) AbortUploads(ctx context.Context, bucket string, uploads []IndexEntry) {
	for _, e := range uploads {
		err := m.Abort(ctx, bucket, e.Key, e.ID)
		if err != nil && !errors.Is(err, s3err.NoSuchUpload) {
			m.log.Warn("multipart: cannot abort upload of a deleted bucket", "bucket", bucket, "upload", e.ID, "err", err)
		}
	}
}
