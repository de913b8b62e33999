package objects

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/terngate/terngate/store"
)

// Reading a directory in S3 order from a store that keeps edges in name
// order (store.SortedDirReader), without reading the whole directory.
//
// Name order is not key order, in three ways:
//   - classes: shadow names (shadowPrefix), continuation directories
//     (continuationPrefix) and the marker and empty-segment names sit in the
//     reserved "%_" range, away from the keys they stand for. Each class is
//     read as its own range and the lister's heap merges them.
//   - "." and ".." are spelled "%2E" and "%2E%2E"; they are looked up.
//   - within a class, a directory's fragment has a '/' appended, and NUL is
//     escaped to "%00", which sorts after the bytes 0x01-0x24 it precedes in
//     key order. Escaping is otherwise order-preserving, byte by byte.
//
// So a range keeps the items it has read in a small heap and hands one out
// only once no unread name can have a smaller fragment: after reading name
// c, every later name m has a fragment above raw(c) (the unescaped c), unless
// m differs from c first where m holds "%00" and c a byte in 0x01-0x24. Such
// an m starts with c's name up to that byte followed by "%00"; one seek per
// such prefix (remembered) says whether one exists, and if so the bound stops
// short of that byte.

// A range reads firstRangeBatch edges per store call at first, doubling up
// to maxRangeBatch: a page or an emptiness check often needs few.
const (
	firstRangeBatch = 32
	maxRangeBatch   = 1024
)

// minPieceLen is the shortest raw piece a continuation directory holds:
// splitLongSegment ends a piece only when the next byte (at most 3 escaped
// bytes) would overflow maxEscapedPiece, so a piece escapes to at least
// maxEscapedPiece-2 bytes: ceil((maxEscapedPiece-2)/3) raw bytes.
const minPieceLen = (maxEscapedPiece - 2 + 2) / 3

// nameRange yields the items of one class of a directory's names in S3
// order: those whose fragment passes accept.
type nameRange struct {
	rd  store.SortedDirReader
	dir store.ID
	// ns is the class's name prefix ("" for ordinary names).
	ns        string
	next      string // read on from this name, inclusive
	exhausted bool
	// last: the batch holds the directory's last edges.
	last      bool
	batch     []store.Entry
	batchSize int
	accept    func(viewItem) bool

	pending itemHeap
	// bound: every unread name has a fragment > bound.
	bound   string
	bounded bool
	probes  map[string]bool
	// live: dir is the bucket's directory, taken from the cache, whose
	// removal is reported (store.ErrNotFound) for the bucket to be resolved
	// again, not read as a pruned directory's emptiness.
	live bool
}

func newNameRange(rd store.SortedDirReader, dir store.ID, ns, from string, accept func(viewItem) bool) *nameRange {
	return &nameRange{rd: rd, dir: dir, ns: ns, next: ns + from, batchSize: firstRangeBatch, accept: accept, probes: make(map[string]bool)}
}

// nextItem returns the range's next item; ok is false when it has no more.
func (r *nameRange) nextItem(ctx context.Context) (viewItem, bool, error) {
	for {
		if len(r.pending) > 0 && (r.exhausted || (r.bounded && r.pending[0].frag.text <= r.bound)) {
			return heap.Pop(&r.pending).(viewItem), true, nil
		}
		if r.exhausted {
			return viewItem{}, false, nil
		}
		if err := r.readOne(ctx); err != nil {
			return viewItem{}, false, err
		}
	}
}

// readOne consumes the next edge of the range, reading a batch if needed.
func (r *nameRange) readOne(ctx context.Context) error {
	if len(r.batch) == 0 {
		if r.last {
			r.exhausted = true
			return nil
		}
		if err := r.fill(ctx); err != nil || r.exhausted {
			return err
		}
	}
	e := r.batch[0]
	r.batch = r.batch[1:]
	if !strings.HasPrefix(e.Name, r.ns) {
		r.exhausted = true
		return nil
	}
	rest := e.Name[len(r.ns):]
	if r.ns == "" && strings.HasPrefix(rest, reservedPrefix) {
		// The reserved names are other classes: skip past all of them.
		r.batch, r.last, r.next = nil, false, reservedPrefix[:len(reservedPrefix)-1]+string(reservedPrefix[len(reservedPrefix)-1]+1)
		return nil
	}
	if rest == "%2E" || rest == "%2E%2E" {
		return nil // looked up on their own (specialItems)
	}
	f, ok := fragmentOf(e.Name, e.Dir)
	if !ok {
		return nil // not a key's name
	}
	it := viewItem{frag: f, id: e.ID, dir: e.Dir}
	// An edge added since the bound passed its place is treated as not
	// seen, so the range never goes back in order.
	if r.accept(it) && !(r.bounded && it.frag.text <= r.bound) {
		heap.Push(&r.pending, it)
	}
	bound, err := r.boundAfter(ctx, rest)
	if err != nil {
		return err
	}
	if !r.bounded || bound > r.bound {
		r.bound, r.bounded = bound, true
	}
	return nil
}

func (r *nameRange) fill(ctx context.Context) error {
	es, err := r.rd.ReadDirFrom(ctx, r.dir, r.next, r.batchSize)
	if errors.Is(err, store.ErrNotFound) && !r.live {
		es, err = nil, nil // removed since it was resolved: empty
	}
	if err != nil {
		return fmt.Errorf("objects: read directory: %w", err)
	}
	if len(es) == 0 {
		r.exhausted = true
		return nil
	}
	r.batch = es
	// Names hold no NUL, so this is the first name after the last read.
	r.next = es[len(es)-1].Name + "\x00"
	r.last = len(es) < r.batchSize
	r.batchSize = min(2*r.batchSize, maxRangeBatch)
	return nil
}

// boundAfter is the bound the escaped name rest (within ns) gives: its raw
// text, cut at the first byte 0x01-0x24 that a "%00" name could undercut.
func (r *nameRange) boundAfter(ctx context.Context, rest string) (string, error) {
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c == 0 || c > 0x24 {
			continue
		}
		probe := r.ns + rest[:i] + "%00"
		exists, ok := r.probes[probe]
		if !ok {
			es, err := r.rd.ReadDirFrom(ctx, r.dir, probe, 1)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return "", fmt.Errorf("objects: read directory: %w", err)
			}
			exists = len(es) > 0 && strings.HasPrefix(es[0].Name, probe)
			r.probes[probe] = exists
		}
		if exists {
			raw, _ := unescapeName(rest[:i])
			return raw, nil
		}
	}
	raw, _ := unescapeName(rest)
	return raw, nil
}

type itemHeap []viewItem

func (h itemHeap) Len() int           { return len(h) }
func (h itemHeap) Less(i, j int) bool { return compareItems(h[i], h[j]) < 0 }
func (h itemHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *itemHeap) Push(x any)        { *h = append(*h, x.(viewItem)) }
func (h *itemHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
