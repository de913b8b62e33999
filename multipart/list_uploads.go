package multipart

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/terngate/terngate/s3err"
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
	// With a key-marker, the upload-id-marker must name an upload in
	// progress, malformed or unknown alike being InvalidArgument
	// (versity/versitygw#1797 records S3's answer); without one S3
	// ignores it.
	var marker Upload
	if in.KeyMarker != "" && in.UploadIDMarker != "" {
		invalid := s3err.InvalidArgument.With("Invalid uploadId marker").ForArgument("upload-id-marker", in.UploadIDMarker)
		if !wellFormedUploadID(in.UploadIDMarker) {
			return out, invalid
		}
		u, err := m.tracker.Get(ctx, in.UploadIDMarker)
		if errors.Is(err, ErrNoSuchUpload) {
			return out, invalid
		}
		if err != nil {
			return out, fmt.Errorf("multipart: list uploads: upload-id-marker: %w", err)
		}
		marker = u
	}
	start := boundFrom(in.Prefix)
	if in.KeyMarker != "" && in.KeyMarker >= in.Prefix {
		start = boundAfterKey(in.KeyMarker)
		if marker.Key == in.KeyMarker {
			start = boundAfterEntry(IndexEntry{Key: marker.Key, Initiated: marker.Initiated, ID: marker.ID})
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
				// S3 names the prefix's first upload as the next
				// upload-id-marker.
				out.NextKeyMarker, out.NextUploadIDMarker = cp, e.ID
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

// wellFormedUploadID reports whether id has the form of the IDs
// newUploadID makes: 32 lower-case hex digits.
func wellFormedUploadID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
