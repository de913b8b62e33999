package store

import "context"

// SortedDirReader is an optional capability of a Store whose directories keep
// their edges in name byte order (store/local: bbolt keys). It lets a listing
// read only the part of a big directory a page needs, where a store without
// it (TernFS: name-hash order) must read, and sort, the whole directory.
type SortedDirReader interface {
	// ReadDirFrom returns up to limit edges of dir whose names are >= from,
	// in name byte order, read in one consistent view. Fewer than limit
	// edges means there are no more. ErrNotFound if dir does not exist.
	ReadDirFrom(ctx context.Context, dir ID, from string, limit int) ([]Entry, error)
}
