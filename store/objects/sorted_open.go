package objects

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/terngate/terngate/store"
)

// openSorted adds the cursors over dir, whose keys all start with prefix, for
// a store that reads directories in name order: one per class of names
// (sorted.go), each starting where its first item >= rel can be, and one over
// the few items found by lookup instead.
func (ls *lister) openSorted(ctx context.Context, dir store.ID, prefix, rel string) error {
	accept := func(it viewItem) bool { return itemReaches(it, rel) }
	// Escaping keeps byte order except that NUL ("%00") sorts after the
	// bytes 0x01-0x24: starting before rel's first NUL is safe.
	n := strings.IndexByte(rel, 0)
	if n < 0 {
		n = len(rel)
	}
	from := startName(rel[:n])
	pieceFrom := startName(rel[:min(n, minPieceLen)])
	for _, r := range []*nameRange{
		newNameRange(ls.sorted, dir, "", from, accept),
		newNameRange(ls.sorted, dir, shadowPrefix, from, accept),
		// A continuation directory whose piece is a proper prefix of rel
		// sorts before rel; pieces are at least minPieceLen long.
		newNameRange(ls.sorted, dir, continuationPrefix, pieceFrom, accept),
	} {
		r.live = dir == ls.bucket
		if err := ls.push(ctx, prefix, r); err != nil {
			return err
		}
	}
	fixed, err := ls.lookupItems(ctx, dir, rel[:n], accept)
	if err != nil {
		return err
	}
	slices.SortFunc(fixed, compareItems)
	return ls.push(ctx, prefix, &sliceSource{items: fixed})
}

// startName is the escaped name a range starts from for the raw text s.
func startName(s string) string {
	if s == "" {
		return ""
	}
	return escapeSegment(s)
}

// itemReaches reports whether an item matters to a listing from rel: its
// fragment is >= rel, or it is a directory whose keys may be.
func itemReaches(it viewItem, rel string) bool {
	return it.frag.text >= rel || (it.dir && strings.HasPrefix(rel, it.frag.text))
}

// lookupItems finds the items the ranges skip or start after: the marker and
// empty-segment names, "." and "..", and the directories whose fragment is
// rel's head plus a byte <= '/' (they sort after their name's place in name
// order). head is rel up to its first NUL; the ranges start at its name.
func (ls *lister) lookupItems(ctx context.Context, dir store.ID, head string, accept func(viewItem) bool) ([]viewItem, error) {
	type want struct {
		name string
		dir  bool
	}
	var wants []want
	for _, w := range []want{
		{markerName, false}, {emptySegmentName, true},
		{"%2E", false}, {"%2E", true}, {"%2E%2E", false}, {"%2E%2E", true},
		{shadowPrefix + "%2E", false}, {shadowPrefix + "%2E%2E", false},
	} {
		if f, ok := fragmentOf(w.name, w.dir); ok && accept(viewItem{frag: f, dir: w.dir}) {
			wants = append(wants, w)
		}
	}
	// A directory's segment holds no '/', so candidates end at the first.
	last := len(head) - 1
	if i := strings.IndexByte(head, '/'); i >= 0 {
		last = i
	}
	for q := 1; q <= last; q++ {
		if seg := head[:q]; head[q] <= '/' && seg != "." && seg != ".." && escapedLen(seg) <= maxEscapedSegment {
			wants = append(wants, want{escapeSegment(seg), true})
		}
	}
	var items []viewItem
	var seen []string
	for _, w := range wants {
		if slices.Contains(seen, w.name) {
			continue // "%2E" is wanted as a file and as a directory
		}
		seen = append(seen, w.name)
		e, err := ls.l.st.Lookup(ctx, dir, w.name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("objects: look up %q: %w", w.name, err)
		}
		f, ok := fragmentOf(e.Name, e.Dir)
		it := viewItem{frag: f, id: e.ID, dir: e.Dir}
		if ok && accept(it) {
			items = append(items, it)
		}
	}
	return items, nil
}

// holdsKeysSorted reports whether any key lives below dir, reading a batch
// of edges at a time and stopping at the first key.
func (ls *lister) holdsKeysSorted(ctx context.Context, dir store.ID) (bool, error) {
	from, size := "", firstRangeBatch
	for {
		es, err := ls.sorted.ReadDirFrom(ctx, dir, from, size)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("objects: read directory: %w", err)
		}
		var subdirs []store.ID
		for _, e := range es {
			if _, ok := fragmentOf(e.Name, e.Dir); !ok {
				continue
			}
			if !e.Dir {
				return true, nil
			}
			subdirs = append(subdirs, e.ID)
		}
		for _, sub := range subdirs {
			if has, err := ls.holdsKeys(ctx, sub); has || err != nil {
				return has, err
			}
		}
		if len(es) < size {
			return false, nil
		}
		from, size = es[len(es)-1].Name+"\x00", min(2*size, maxRangeBatch)
	}
}
