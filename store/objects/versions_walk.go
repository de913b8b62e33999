package objects

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/terngate/terngate/store"
)

// versionWalker produces one page of ListObjectVersions: List's merge of
// directory cursors in key order (list.go), over every name with an edge.
type versionWalker struct {
	l      *Layer
	vd     store.VersionedDirs
	in     ListVersionsInput
	after  versionID // the parsed VersionIDMarker
	bucket store.ID
	state  VersioningState

	cursors cursorHeap
	out     ListVersionsOutput
	count   int
	// lastKey dedupes a key seen under its primary and its shadow name;
	// skipPrefix is the common prefix whose keys are being passed over.
	lastKey, skipPrefix string
	// holds caches whether a directory holds a version (holdsVersions).
	holds map[store.ID]bool
	done  bool
}

func (w *versionWalker) run(ctx context.Context) (ListVersionsOutput, error) {
	if err := w.open(ctx, w.bucket, "", true); err != nil {
		return ListVersionsOutput{}, err
	}
	for !w.done && w.cursors.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return ListVersionsOutput{}, err
		}
		c := w.cursors[0]
		key, it := c.key, c.item
		if next, ok, _ := c.src.nextItem(ctx); ok { // a slice never fails
			c.item, c.key = next, c.prefix+next.frag.text
			heap.Fix(&w.cursors, 0)
		} else {
			heap.Pop(&w.cursors)
		}
		if err := w.visit(ctx, key, it); err != nil {
			return ListVersionsOutput{}, err
		}
	}
	if !w.out.IsTruncated {
		w.out.NextKeyMarker, w.out.NextVersionIDMarker = "", ""
	}
	return w.out, nil
}

// visit handles the next name in key order: a key's file name (primary or
// shadow), or a directory, standing for the smallest key it could hold.
func (w *versionWalker) visit(ctx context.Context, key string, it viewItem) error {
	prefix := w.in.Prefix
	if key > prefix && !strings.HasPrefix(key, prefix) {
		w.done = true // everything left sorts after the prefix's range
		return nil
	}
	if w.skipPrefix != "" && strings.HasPrefix(key, w.skipPrefix) {
		return nil
	}
	if !strings.HasPrefix(key, prefix) {
		if it.dir && strings.HasPrefix(prefix, key) {
			return w.open(ctx, it.id, key, false)
		}
		return nil
	}
	if cp, ok := commonPrefixOf(key, prefix, w.in.Delimiter); ok {
		return w.commonPrefix(ctx, cp, key, it)
	}
	if it.dir {
		if key <= w.in.KeyMarker && !strings.HasPrefix(w.in.KeyMarker, key) {
			return nil
		}
		return w.open(ctx, it.id, key, false)
	}
	if key == w.lastKey || key < w.in.KeyMarker || (key == w.in.KeyMarker && w.in.VersionIDMarker == "") {
		return nil
	}
	w.lastKey = key
	versions, err := w.versionsOf(ctx, key)
	if err != nil {
		return err
	}
	if key == w.in.KeyMarker {
		versions = versionsAfter(versions, w.after)
	}
	for _, v := range versions {
		if !w.admit() {
			return nil
		}
		ov, err := w.l.describeListedVersion(ctx, w.bucket, key, v)
		if err != nil {
			return err
		}
		w.out.Versions = append(w.out.Versions, ov)
		w.out.NextKeyMarker, w.out.NextVersionIDMarker = key, ov.VersionID
	}
	return nil
}

// versionsAfter is what follows the version-id-marker among a key's
// versions, newest first. A marker no longer among them (deleted since the
// previous page) resumes by time when it names a delete marker, whose ID
// is its creation time; a file version's ID gives no position, and the
// key's versions are then passed over rather than listed twice.
func versionsAfter(versions []keyVersion, after versionID) []keyVersion {
	if i := indexOfVersion(versions, after); i >= 0 {
		return versions[i+1:]
	}
	if !after.isMarker() {
		return nil
	}
	for i, v := range versions {
		if v.edge.CreationTime.Before(after.marker) {
			return versions[i:]
		}
	}
	return nil
}

// versionsOf lists key's versions; a key that is no S3 key has none.
func (w *versionWalker) versionsOf(ctx context.Context, key string) ([]keyVersion, error) {
	p, err := pathOfKey(key)
	if err != nil {
		return nil, nil
	}
	return w.l.keyVersions(ctx, w.bucket, p, w.state)
}

// commonPrefix rolls key (a name, or a directory standing for the keys
// below it) up into cp. It counts only if a version lies behind it: a name
// whose edges are no versions (what a rename left) or an emptied directory
// makes no common prefix.
func (w *versionWalker) commonPrefix(ctx context.Context, cp, key string, it viewItem) error {
	if cp <= w.in.KeyMarker {
		w.skipPrefix = cp
		return nil
	}
	var held bool
	if it.dir {
		h, err := w.holdsVersions(ctx, it.id)
		if err != nil {
			return err
		}
		held = h
	} else {
		versions, err := w.versionsOf(ctx, key)
		if err != nil {
			return err
		}
		held = len(versions) > 0
	}
	if !held {
		return nil
	}
	w.skipPrefix = cp
	if !w.admit() {
		return nil
	}
	w.out.CommonPrefixes = append(w.out.CommonPrefixes, cp)
	w.out.NextKeyMarker, w.out.NextVersionIDMarker = cp, ""
	return nil
}

// admit counts one more entry for the page, or ends the page as truncated.
func (w *versionWalker) admit() bool {
	if w.count >= w.in.MaxKeys {
		w.out.IsTruncated = true
		w.done = true
		return false
	}
	w.count++
	return true
}

// holdsVersions reports whether a version or delete marker lies anywhere
// below dir: a name of dir with a version (judged as keyVersions judges
// it, so that edges that are no versions make no common prefix), or a
// subdirectory holding one.
func (w *versionWalker) holdsVersions(ctx context.Context, dir store.ID) (bool, error) {
	if held, ok := w.holds[dir]; ok {
		return held, nil
	}
	names := map[string]bool{}
	var subdirs []store.ID
	err := w.vd.ReadDirVersions(ctx, dir, func(v store.Version) error {
		switch {
		case isUploadMarker(v.Name):
		case v.Dir && v.Current:
			subdirs = append(subdirs, v.ID)
		case !v.Dir && versionEdge(v):
			name := v.Name
			if primary, ok := strings.CutPrefix(name, shadowPrefix); ok {
				name = primary
			}
			names[name] = true
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrDirectoryGone) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read versions of directory: %w", err)
	}
	held := false
	for name := range names {
		versions, _, err := w.l.versionsIn(ctx, w.vd, w.bucket, dir, name, w.state)
		if err != nil {
			return false, err
		}
		if held = len(versions) > 0; held {
			break
		}
	}
	for i := 0; !held && i < len(subdirs); i++ {
		if held, err = w.holdsVersions(ctx, subdirs[i]); err != nil {
			return false, err
		}
	}
	w.holds[dir] = held
	return held, nil
}

// open adds a cursor over dir, whose keys all start with prefix, from the
// first name that can matter: at or after the page's lower bound, plus the
// directories before it that may hold keys after the bound.
func (w *versionWalker) open(ctx context.Context, dir store.ID, prefix string, top bool) error {
	bound := max(w.in.Prefix, w.in.KeyMarker)
	rel := ""
	switch {
	case strings.HasPrefix(bound, prefix):
		rel = bound[len(prefix):]
	case prefix < bound:
		return nil // every key here sorts before the bound
	}
	items, err := w.readNames(ctx, dir, top)
	if err != nil {
		return err
	}
	var from []viewItem
	for _, it := range items {
		if it.frag.text >= rel || (it.dir && strings.HasPrefix(rel, it.frag.text)) {
			from = append(from, it)
		}
	}
	src := &sliceSource{items: from}
	if it, ok, _ := src.nextItem(ctx); ok {
		heap.Push(&w.cursors, &cursor{prefix: prefix, src: src, item: it, key: prefix + it.frag.text})
	}
	return nil
}

// readNames is dir's names in S3 order: every name with an edge that can
// be a version (a file, current or not, or a deletion marker) and the
// current subdirectories. Upload markers, and at the top the metadata
// directory and the bucket record, are no keys.
func (w *versionWalker) readNames(ctx context.Context, dir store.ID, top bool) ([]viewItem, error) {
	type name struct {
		text string
		dir  bool
	}
	seen := map[name]bool{} // a file's old versions may share a directory's name
	var items []viewItem
	err := w.vd.ReadDirVersions(ctx, dir, func(v store.Version) error {
		if top && (v.Name == metaDirName || v.Name == bucketRecordName) || isUploadMarker(v.Name) {
			return nil
		}
		if v.Dir && !v.Current || !v.Dir && !versionEdge(v) || seen[name{v.Name, v.Dir}] {
			return nil
		}
		f, ok := fragmentOf(v.Name, v.Dir)
		if !ok {
			return nil
		}
		seen[name{v.Name, v.Dir}] = true
		items = append(items, viewItem{frag: f, id: v.ID, dir: v.Dir})
		return nil
	})
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrDirectoryGone) {
		return nil, nil // pruned meanwhile
	}
	if err != nil {
		return nil, fmt.Errorf("read versions of directory: %w", err)
	}
	slices.SortFunc(items, compareItems)
	return items, nil
}
