package metrics

import (
	"context"
	"time"

	"github.com/terngate/terngate/store"
)

// sortedReads records store.SortedDirReader's one method. It is embedded
// beside the decorator (never inside it), so a decorator offers the
// capability exactly when the store it wraps does: the object layer finds
// it by type assertion, and a decorator that hid it would make every
// listing read and sort whole directories.
type sortedReads struct {
	sorted store.SortedDirReader
	obs    instrumentedStore
}

func (s sortedReads) ReadDirFrom(ctx context.Context, dir store.ID, from string, limit int) ([]store.Entry, error) {
	start := time.Now()
	entries, err := s.sorted.ReadDirFrom(ctx, dir, from, limit)
	s.obs.observe("ReadDirFrom", start, err)
	return entries, err
}

// instrumentedSortedStore decorates a store with sorted reads and no
// attributes.
type instrumentedSortedStore struct {
	instrumentedStore
	sortedReads
}

// instrumentedAttributedSortedStore decorates a store with both optional
// capabilities (the local store).
type instrumentedAttributedSortedStore struct {
	instrumentedAttributedStore
	sortedReads
}

var (
	_ store.SortedDirReader = instrumentedSortedStore{}
	_ store.SortedDirReader = instrumentedAttributedSortedStore{}
	_ store.AttributedFiles = instrumentedAttributedSortedStore{}
)
