package multipart

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ListUploadsInput is a ListMultipartUploads.
type ListUploadsInput struct {
	Bucket, Prefix, Delimiter string
	KeyMarker, UploadIDMarker string
	MaxUploads                int
}

// ListUploadsOutput is one page, sorted by key then initiation time.
type ListUploadsOutput struct {
	Uploads            []Upload
	CommonPrefixes     []string
	IsTruncated        bool
	NextKeyMarker      string
	NextUploadIDMarker string
}

// ListUploads lists the bucket's uploads in progress.
func (m *Manager) ListUploads(ctx context.Context, in ListUploadsInput) (ListUploadsOutput, error) {
	var out ListUploadsOutput
	if in.MaxUploads <= 0 {
		return out, nil
	}
	start := boundFrom(in.Prefix)
	if in.KeyMarker != "" && in.KeyMarker >= in.Prefix {
		start = boundAfterKey(in.KeyMarker)
		if in.UploadIDMarker != "" {
			if u, err := m.tracker.Get(ctx, in.UploadIDMarker); err == nil && u.Key == in.KeyMarker {
				start = boundAfterEntry(IndexEntry{Key: u.Key, Initiated: u.Initiated, ID: u.ID})
			}
		}
	}
	batch := min(in.MaxUploads+1, 1000)
	for {
		entries, err := m.tracker.Index(ctx, in.Bucket, start, batch)
		if err != nil {
			return out, fmt.Errorf("multipart: list uploads: %w", err)
		}
		jumped := false
		for _, e := range entries {
			if !strings.HasPrefix(e.Key, in.Prefix) {
				return out, nil // past the prefix: the index is sorted
			}
			start = boundAfterEntry(e)
			cp := ""
			if in.Delimiter != "" {
				if i := strings.Index(e.Key[len(in.Prefix):], in.Delimiter); i >= 0 {
					cp = e.Key[:len(in.Prefix)+i+len(in.Delimiter)]
				}
			}
			var u Upload
			if cp == "" {
				u, err = m.tracker.Get(ctx, e.ID)
				if errors.Is(err, ErrNoSuchUpload) {
					continue // a stale index entry
				}
				if err != nil {
					return out, err
				}
			}
			if len(out.Uploads)+len(out.CommonPrefixes) == in.MaxUploads {
				out.IsTruncated = true
				return out, nil
			}
			if cp != "" {
				out.CommonPrefixes = append(out.CommonPrefixes, cp)
				out.NextKeyMarker, out.NextUploadIDMarker = cp, ""
				start, jumped = boundAfterPrefix(cp), true
				break // resume the scan after the whole prefix
			}
			out.Uploads = append(out.Uploads, u)
			out.NextKeyMarker, out.NextUploadIDMarker = u.Key, u.ID
		}
		if !jumped && len(entries) < batch {
			return out, nil
		}
	}
}
