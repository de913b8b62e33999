package objects

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

// hashOrderStore hides the local store's sorted reads, so a layer over it
// lists through whole-directory views, as over TernFS. It keeps the
// store's attributes, where the layer over the same store keeps records.
type hashOrderStore struct{ store.AttributedFiles }

// orderKeys builds keys whose name order differs from their key order: NUL
// (escaped "%00", which sorts after 0x01-0x24), bytes 0x01-0x24 and '%',
// "." and "..", names in the reserved range's neighbourhood, keys that are
// also prefixes (shadow names), markers and segments long enough to split.
func orderKeys(n int) []string {
	long := strings.Repeat("L", 249)
	segs := []string{
		"\x00", "\x00a", "a\x00", "a\x00b", "a\x01", "a b", "a!", "a$", "a%", "a%00", "a%25", "a-", "a.", "a", "ab",
		".", "..", ".a", "...", " ", "!", "%", "%00", "%2E", "%_o.x", "%_e", "%_dir", "%_c", "&", "é",
		long + "\x00", long + " x", long + "L", long + "LL\x00", long + "LL y", long + "LL", "",
	}
	set := map[string]bool{"a": true, "a/b": true, "a/": true, "a\x00/": true, ".": true, "./": true}
	r := rand.New(rand.NewPCG(3, 4))
	for len(set) < n {
		parts := make([]string, 1+r.IntN(3))
		for i := range parts {
			parts[i] = segs[r.IntN(len(segs))]
		}
		k := strings.Join(parts, "/")
		if r.IntN(5) == 0 {
			k += "/"
		}
		if k != "" && len(k) <= maxKeyLen {
			set[k] = true
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestListSortedReadsMatchViewsAndModel lists keys whose escaped names sort
// differently from the keys, both through sorted reads (local store) and
// through views (the path TernFS takes), against the model.
func TestListSortedReadsMatchViewsAndModel(t *testing.T) {
	sorted, st := newTestLayer(t)
	ctx := t.Context()
	keys := orderKeys(500)
	for _, k := range keys {
		if _, err := sorted.Put(ctx, PutInput{Bucket: testBucket, Key: k, Body: strings.NewReader(k), Size: int64(len(k))}); err != nil {
			t.Fatalf("put %q: %v", k, err)
		}
	}
	addEmptyDirectories(t, sorted, st)
	viewed, err := New(ctx, hashOrderStore{st}, st.Root(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("L", 249)
	for name, l := range map[string]*Layer{"sorted": sorted, "views": viewed} {
		t.Run(name, func(t *testing.T) {
			for _, delim := range []string{"", "/", " ", "%", "a"} {
				for _, prefix := range []string{"", "a", "a ", "a\x00", "a/", "a/a", ".", "..", "%", long[:100], long + "LL"} {
					checkPaging(t, l, keys, ListInput{Bucket: testBucket, Prefix: prefix, Delimiter: delim, MaxKeys: 3})
				}
			}
			for _, after := range []string{"a", "a ", "a\x00", "a!", ".", "..", "./", "a/", "a\x00/", long[:200], long + "LL ", "%00", "\x00", "zz"} {
				for _, delim := range []string{"", "/"} {
					checkPaging(t, l, keys, ListInput{Bucket: testBucket, Delimiter: delim, After: after, MaxKeys: 5})
				}
			}
			checkPaging(t, l, keys, ListInput{Bucket: testBucket, MaxKeys: 1})
		})
	}
}

// countingStore counts the edges the layer reads.
type countingStore struct {
	*local.Store
	edges atomic.Int64
}

func (s *countingStore) ReadDir(ctx context.Context, dir store.ID, fn func(store.Entry) error) error {
	return s.Store.ReadDir(ctx, dir, func(e store.Entry) error {
		s.edges.Add(1)
		return fn(e)
	})
}

func (s *countingStore) ReadDirFrom(ctx context.Context, dir store.ID, from string, limit int) ([]store.Entry, error) {
	es, err := s.Store.ReadDirFrom(ctx, dir, from, limit)
	s.edges.Add(int64(len(es)))
	return es, err
}

// TestListPageReadsWhatItNeeds checks that a page of a big directory, and a
// delimiter page over many prefixes, read edges in proportion to the page,
// not to the directory, even right after the directory changed.
func TestListPageReadsWhatItNeeds(t *testing.T) {
	l, st := newTestLayer(t)
	ctx := t.Context()
	const n = 3000
	for i := range n {
		k := fmt.Sprintf("key %05d", i) // spaces: the bound needs a probe
		if i%2 == 1 {
			k = fmt.Sprintf("dir%05d/x", i)
		}
		if _, err := l.Put(ctx, PutInput{Bucket: testBucket, Key: k, Body: strings.NewReader("x"), Size: 1}); err != nil {
			t.Fatal(err)
		}
	}
	cs := &countingStore{Store: st}
	counted, err := New(ctx, cs, st.Root(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []ListInput{
		{Bucket: testBucket, MaxKeys: 10, After: "dir01501/x"},
		{Bucket: testBucket, MaxKeys: 10, After: "key 01500"},
		{Bucket: testBucket, MaxKeys: 10, Delimiter: "/", After: "dir01501/"},
		{Bucket: testBucket, MaxKeys: 10, Prefix: "key 02"},
	} {
		mustPut(t, l, "key 00000", "changed") // the directory's mtime moves
		cs.edges.Store(0)
		out, err := counted.List(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Objects)+len(out.CommonPrefixes) != 10 || !out.IsTruncated {
			t.Fatalf("list %+v: %d objects, %d prefixes, truncated %v", in, len(out.Objects), len(out.CommonPrefixes), out.IsTruncated)
		}
		if got := cs.edges.Load(); got > 200 {
			t.Errorf("list %+v read %d edges of a %d-edge directory", in, got, n)
		}
	}
}
