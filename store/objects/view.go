package objects

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/terngate/terngate/store"
)

// dirView is a directory's entries as listings see them: each entry's key
// fragment, sorted in S3 order. Directories list in hash order, so the view
// is built by reading the whole directory, and cached until its mtime moves.
type dirView struct {
	mtime time.Time
	items []viewItem
	// continuations indexes the continuation directories of items, which a
	// listing resuming inside a long segment needs to find.
	continuations []int
}

type viewItem struct {
	frag fragment
	id   store.ID
	dir  bool
}

func compareItems(a, b viewItem) int {
	return cmp.Or(strings.Compare(a.frag.text, b.frag.text), cmp.Compare(a.frag.rank, b.frag.rank))
}

// view returns dir's sorted view, from the cache when dir has not changed.
// A directory removed since it was resolved reads as empty: another gateway
// pruned it, which only ever happens to an empty directory.
func (l *Layer) view(ctx context.Context, dir store.ID) (*dirView, error) {
	v, err := l.liveView(ctx, dir)
	if errors.Is(err, store.ErrNotFound) {
		return &dirView{}, nil
	}
	return v, err
}

// liveView is view reporting a removed directory as store.ErrNotFound: a
// bucket directory taken from the cache that has gone must be resolved
// again, not listed as empty.
func (l *Layer) liveView(ctx context.Context, dir store.ID) (*dirView, error) {
	info, err := l.st.StatDirectory(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("objects: stat directory: %w", err)
	}
	if v, ok := l.views.get(dir); ok && v.mtime.Equal(info.Mtime) {
		return v, nil
	}
	v := &dirView{mtime: info.Mtime}
	err = l.st.ReadDir(ctx, dir, func(e store.Entry) error {
		if f, ok := fragmentOf(e.Name, e.Dir); ok {
			v.items = append(v.items, viewItem{frag: f, id: e.ID, dir: e.Dir})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("objects: read directory: %w", err)
	}
	slices.SortFunc(v.items, compareItems)
	for i, it := range v.items {
		if it.dir && !strings.HasSuffix(it.frag.text, "/") {
			v.continuations = append(v.continuations, i)
		}
	}
	l.views.put(dir, v)
	return v, nil
}

// search returns the index of the first item whose fragment is >= text.
func (v *dirView) search(text string) int {
	i, _ := slices.BinarySearchFunc(v.items, text, func(it viewItem, t string) int {
		return strings.Compare(it.frag.text, t)
	})
	return i
}

// prefixDirs returns the indexes of the directories whose fragment is a
// proper prefix of rel: they may hold keys >= rel although they sort before
// it. Fragments of ordinary directories end at their only '/', so at most
// one of them qualifies; continuation directories are checked one by one.
func (v *dirView) prefixDirs(rel string) []int {
	var out []int
	for _, i := range v.continuations {
		f := v.items[i].frag.text
		if len(f) < len(rel) && strings.HasPrefix(rel, f) {
			out = append(out, i)
		}
	}
	if j := strings.IndexByte(rel, '/'); j >= 0 && j+1 < len(rel) {
		want := rel[:j+1]
		for i := v.search(want); i < len(v.items) && v.items[i].frag.text == want; i++ {
			if v.items[i].dir {
				out = append(out, i)
			}
		}
	}
	return out
}
