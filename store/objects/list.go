package objects

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/terngate/terngate/store"
)

// List returns one page of a bucket's keys in UTF-8 byte order, with S3's
// prefix, delimiter and marker semantics. Keys come from nested directories:
// a min-heap of directory cursors merges them in global order, so a directory
// is only opened when its first possible key is the smallest pending one.
func (l *Layer) List(ctx context.Context, in ListInput) (ListOutput, error) {
	// The directory HeadBucket confirmed for this request, when cached: a
	// bucket directory removed since answers the walk store.ErrNotFound
	// (liveView), and the listing is made again from a fresh lookup.
	bid, _, err := l.cachedBucketID(ctx, in.Bucket)
	if err != nil {
		return ListOutput{}, err
	}
	out, err := l.newLister(in, bid).run(ctx)
	if errors.Is(err, store.ErrNotFound) {
		// A directory vanished under the walk; the bucket itself may have.
		l.forgetBucket(in.Bucket)
		if bid, err = l.bucketID(ctx, in.Bucket); err != nil {
			return ListOutput{}, err
		}
		out, err = l.newLister(in, bid).run(ctx)
	}
	if err != nil {
		return ListOutput{}, fmt.Errorf("objects: list %q: %w", in.Bucket, err)
	}
	return out, nil
}

func (l *Layer) newLister(in ListInput, bucket store.ID) *lister {
	sorted, _ := l.st.(store.SortedDirReader)
	return &lister{l: l, in: in, bucket: bucket, sorted: sorted, hasKeys: make(map[store.ID]bool)}
}

type lister struct {
	l      *Layer
	in     ListInput
	bucket store.ID
	// sorted is set when the store reads directories in name order: the
	// lister then reads what a page needs instead of whole-directory views.
	sorted  store.SortedDirReader
	cursors cursorHeap
	out     ListOutput
	// count is how many keys and common prefixes the page holds.
	count int
	// lastKey dedupes keys; skipPrefix is the common prefix whose keys are
	// being passed over.
	lastKey, skipPrefix string
	hasKeys             map[store.ID]bool
	done                bool
}

func (ls *lister) run(ctx context.Context) (ListOutput, error) {
	if err := ls.open(ctx, ls.bucket, ""); err != nil {
		return ListOutput{}, err
	}
	for !ls.done && ls.cursors.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return ListOutput{}, err
		}
		c := ls.cursors[0]
		key, it := c.key, c.item
		next, ok, err := c.src.nextItem(ctx)
		if err != nil {
			return ListOutput{}, err
		}
		if ok {
			c.item, c.key = next, c.prefix+next.frag.text
			heap.Fix(&ls.cursors, 0)
		} else {
			heap.Pop(&ls.cursors)
		}
		if err := ls.visit(ctx, key, it); err != nil {
			return ListOutput{}, err
		}
	}
	return ls.out, nil
}

// visit handles the next item in global key order: the key of a file, or the
// smallest key a directory could hold.
func (ls *lister) visit(ctx context.Context, key string, it viewItem) error {
	prefix := ls.in.Prefix
	if key > prefix && !strings.HasPrefix(key, prefix) {
		ls.done = true // everything left sorts after the prefix's range
		return nil
	}
	if ls.skipPrefix != "" && strings.HasPrefix(key, ls.skipPrefix) {
		return nil
	}
	if !strings.HasPrefix(key, prefix) {
		if it.dir && strings.HasPrefix(prefix, key) {
			return ls.open(ctx, it.id, key)
		}
		return nil
	}
	if d := ls.in.Delimiter; d != "" {
		if i := strings.Index(key[len(prefix):], d); i >= 0 {
			return ls.commonPrefix(ctx, key[:len(prefix)+i+len(d)], it)
		}
	}
	if it.dir {
		if key <= ls.in.After && !strings.HasPrefix(ls.in.After, key) {
			return nil
		}
		return ls.open(ctx, it.id, key)
	}
	if key <= ls.in.After || key == ls.lastKey {
		return nil
	}
	info, ok, err := ls.describe(ctx, key, it.id)
	if err != nil || !ok {
		return err
	}
	if !ls.admit() {
		return nil
	}
	ls.lastKey = key
	ls.out.Objects = append(ls.out.Objects, info)
	ls.out.Last = key
	return nil
}

// commonPrefix rolls the item up into cp. A directory counts only if it
// holds a key: empty directories (left by races) never show.
func (ls *lister) commonPrefix(ctx context.Context, cp string, it viewItem) error {
	if cp <= ls.in.After {
		ls.skipPrefix = cp
		return nil
	}
	if it.dir {
		has, err := ls.holdsKeys(ctx, it.id)
		if err != nil || !has {
			return err
		}
	}
	ls.skipPrefix = cp
	if !ls.admit() {
		return nil
	}
	ls.out.CommonPrefixes = append(ls.out.CommonPrefixes, cp)
	ls.out.Last = cp
	return nil
}

// admit counts one more entry for the page, or ends the page as truncated.
func (ls *lister) admit() bool {
	if ls.count >= ls.in.MaxKeys {
		ls.out.IsTruncated = true
		ls.done = true
		return false
	}
	ls.count++
	return true
}

// describe builds a listed object's info; ok is false if the file is gone.
func (ls *lister) describe(ctx context.Context, key string, id store.ID) (ObjectInfo, bool, error) {
	rec, err := ls.l.readRecord(ctx, ls.bucket, id)
	if err == nil {
		return rec.info(ls.in.Bucket, key, id), true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return ObjectInfo{}, false, fmt.Errorf("metadata of %q: %w", key, err)
	}
	fi, err := ls.l.st.StatFile(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return ObjectInfo{}, false, nil // deleted or replaced during the listing
	}
	if err != nil {
		return ObjectInfo{}, false, fmt.Errorf("stat %q: %w", key, err)
	}
	return foreignInfo(ls.in.Bucket, key, fi), true, nil
}

// holdsKeys reports whether any key lives below dir.
func (ls *lister) holdsKeys(ctx context.Context, dir store.ID) (bool, error) {
	if has, ok := ls.hasKeys[dir]; ok {
		return has, nil
	}
	if ls.sorted != nil {
		has, err := ls.holdsKeysSorted(ctx, dir)
		if err == nil {
			ls.hasKeys[dir] = has
		}
		return has, err
	}
	has, err := ls.scanForKeys(ctx, dir)
	if err != nil {
		return false, err
	}
	ls.hasKeys[dir] = has
	return has, nil
}

// errFoundKey stops a directory read at the first key.
var errFoundKey = errors.New("objects: found a key")

// scanForKeys answers holdsKeys from dir's cached view when there is one
// (one StatDirectory confirms it), else by reading dir only as far as its
// first key: a yes/no answer needs neither a whole read nor the
// StatDirectory that caching a view would cost.
func (ls *lister) scanForKeys(ctx context.Context, dir store.ID) (bool, error) {
	var subdirs []store.ID
	if _, cached := ls.l.views.get(dir); cached {
		v, err := ls.l.view(ctx, dir)
		if err != nil {
			return false, err
		}
		for _, it := range v.items {
			if !it.dir {
				return true, nil
			}
			subdirs = append(subdirs, it.id)
		}
	} else {
		err := ls.l.st.ReadDir(ctx, dir, func(e store.Entry) error {
			if _, ok := fragmentOf(e.Name, e.Dir); !ok {
				return nil
			}
			if !e.Dir {
				return errFoundKey
			}
			subdirs = append(subdirs, e.ID)
			return nil
		})
		switch {
		case errors.Is(err, errFoundKey):
			return true, nil
		case errors.Is(err, store.ErrNotFound):
			return false, nil // pruned since it was resolved: it was empty
		case err != nil:
			return false, fmt.Errorf("objects: read directory: %w", err)
		}
	}
	for _, sub := range subdirs {
		if has, err := ls.holdsKeys(ctx, sub); has || err != nil {
			return has, err
		}
	}
	return false, nil
}

// open adds a cursor over dir, whose keys all start with prefix, positioned
// at the first item that can matter: one at or after the listing's lower
// bound, plus the directories before it that may hold keys after the bound.
func (ls *lister) open(ctx context.Context, dir store.ID, prefix string) error {
	bound := ls.in.Prefix
	if ls.in.After > bound {
		bound = ls.in.After
	}
	rel := ""
	switch {
	case strings.HasPrefix(bound, prefix):
		rel = bound[len(prefix):]
	case prefix < bound:
		return nil // every key here sorts before the bound
	}
	if ls.sorted != nil {
		return ls.openSorted(ctx, dir, prefix, rel)
	}
	view := ls.l.view
	if dir == ls.bucket {
		view = ls.l.liveView
	}
	v, err := view(ctx, dir)
	if err != nil {
		return err
	}
	for _, i := range v.prefixDirs(rel) {
		if err := ls.push(ctx, prefix, &sliceSource{items: v.items[i : i+1]}); err != nil {
			return err
		}
	}
	return ls.push(ctx, prefix, &sliceSource{items: v.items[v.search(rel):]})
}

// push adds a cursor over src, whose keys all start with prefix, unless src
// is empty.
func (ls *lister) push(ctx context.Context, prefix string, src itemSource) error {
	it, ok, err := src.nextItem(ctx)
	if err != nil || !ok {
		return err
	}
	heap.Push(&ls.cursors, &cursor{prefix: prefix, src: src, item: it, key: prefix + it.frag.text})
	return nil
}

// itemSource yields a directory's items (or one class of them) in S3 order.
type itemSource interface {
	nextItem(ctx context.Context) (it viewItem, ok bool, err error)
}

// sliceSource yields a slice of a sorted view.
type sliceSource struct{ items []viewItem }

func (s *sliceSource) nextItem(context.Context) (viewItem, bool, error) {
	if len(s.items) == 0 {
		return viewItem{}, false, nil
	}
	it := s.items[0]
	s.items = s.items[1:]
	return it, true, nil
}

// cursor walks an item source; item is its current item and key that
// item's key.
type cursor struct {
	prefix string
	src    itemSource
	item   viewItem
	key    string
}

type cursorHeap []*cursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(i, j int) bool {
	if h[i].key != h[j].key {
		return h[i].key < h[j].key
	}
	return h[i].item.frag.rank < h[j].item.frag.rank
}
func (h cursorHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)   { *h = append(*h, x.(*cursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}
