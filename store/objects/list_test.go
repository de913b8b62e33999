package objects

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/terngate/terngate/store"
)

// awkwardKeys builds a deterministic set of keys that exercise the mapping's
// corners: unicode, '+', spaces, '%', keys that are also prefixes, directory
// markers, empty segments, deep nesting and segments long enough to split.
func awkwardKeys(n int) []string {
	long := strings.Repeat("L", 250)
	segs := []string{
		"a", "b", "ab", "obj", "obj+", "obj1", "obj-", "é", "ü", "日本", "sp ace", "a+b", "%", "%25", "%_e",
		"..", ".", "", "x", "bb", "zz", long, long + "x", long + "y", long + "xb", strings.Repeat("%", 90),
	}
	fixed := []string{"a", "a/b", "a/b/", "obj+", "obj/", "obj1", "obj/x", "/", "//", "a//b", long + "x/" + long}
	set := map[string]bool{}
	for _, k := range fixed {
		set[k] = true
	}
	r := rand.New(rand.NewPCG(1, 2))
	for len(set) < n {
		depth := 1 + r.IntN(5)
		parts := make([]string, depth)
		for i := range parts {
			parts[i] = segs[r.IntN(len(segs))]
		}
		k := strings.Join(parts, "/")
		if r.IntN(6) == 0 {
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

// modelEntry is one key or common prefix of the expected listing.
type modelEntry struct {
	text     string
	isPrefix bool
}

// modelList is S3's listing over a sorted set of keys, taken as the spec.
func modelList(keys []string, in ListInput) (entries []modelEntry, truncated bool) {
	var all []modelEntry
	for _, k := range keys {
		if !strings.HasPrefix(k, in.Prefix) {
			continue
		}
		e := modelEntry{text: k}
		if in.Delimiter != "" {
			if i := strings.Index(k[len(in.Prefix):], in.Delimiter); i >= 0 {
				e = modelEntry{text: k[:len(in.Prefix)+i+len(in.Delimiter)], isPrefix: true}
			}
		}
		if e.text <= in.After || (len(all) > 0 && all[len(all)-1] == e) {
			continue
		}
		all = append(all, e)
	}
	if len(all) > in.MaxKeys {
		return all[:in.MaxKeys], true
	}
	return all, false
}

// entriesOf merges a page's keys and common prefixes in order.
func entriesOf(out ListOutput) []modelEntry {
	var es []modelEntry
	for _, o := range out.Objects {
		es = append(es, modelEntry{text: o.Key})
	}
	for _, p := range out.CommonPrefixes {
		es = append(es, modelEntry{text: p, isPrefix: true})
	}
	slices.SortFunc(es, func(a, b modelEntry) int { return strings.Compare(a.text, b.text) })
	return es
}

func TestListMatchesModel(t *testing.T) {
	l, st := newTestLayer(t)
	ctx := t.Context()
	keys := awkwardKeys(2000)
	for _, k := range keys {
		if _, err := l.Put(ctx, PutInput{Bucket: testBucket, Key: k, Body: strings.NewReader(k), Size: int64(len(k))}); err != nil {
			t.Fatalf("put %q: %v", k, err)
		}
	}
	addEmptyDirectories(t, l, st)

	prefixes := []string{"", "a", "a/", "a/b", "obj", "obj/", "é", "/", "L", strings.Repeat("L", 250), "zz/", "nothing"}
	for _, delim := range []string{"", "/", "b"} {
		for _, prefix := range prefixes {
			for _, pageSize := range []int{1, 2, 7, 1000} {
				checkPaging(t, l, keys, ListInput{Bucket: testBucket, Prefix: prefix, Delimiter: delim, MaxKeys: pageSize})
			}
		}
	}
	// Markers that are not keys, including ones inside long segments and
	// inside common prefixes.
	for _, after := range []string{"a/b/zzz", "obj0", "obj/", "é", "a/", strings.Repeat("L", 251), strings.Repeat("L", 250) + "x/", "\xff"} {
		for _, delim := range []string{"", "/"} {
			checkPaging(t, l, keys, ListInput{Bucket: testBucket, Delimiter: delim, After: after, MaxKeys: 7})
		}
	}
	// MaxKeys 0 returns nothing but says whether anything is there.
	for _, prefix := range []string{"", "nothing"} {
		out, err := l.List(ctx, ListInput{Bucket: testBucket, Prefix: prefix})
		if err != nil || len(out.Objects)+len(out.CommonPrefixes) != 0 || out.IsTruncated != (prefix == "") {
			t.Fatalf("MaxKeys 0, prefix %q: %+v %v", prefix, out, err)
		}
	}
}

// addEmptyDirectories leaves empty directories in the bucket, as races
// between puts and deletes can: listings must never show them.
func addEmptyDirectories(t *testing.T, l *Layer, st store.Store) {
	t.Helper()
	ctx := t.Context()
	bid, err := l.bucketID(ctx, testBucket)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range [][]string{
		{"empty"}, {"empty", "nested"}, {"a", "hollow"}, {continuationPrefix + "Q"}, {emptySegmentName, "void"}, {"obj", "none"},
	} {
		dir := bid
		for _, name := range path {
			if dir, err = st.MakeDirectory(ctx, dir, name); err != nil {
				t.Fatalf("make %q: %v", path, err)
			}
		}
	}
}

func checkPaging(t *testing.T, l *Layer, keys []string, in ListInput) {
	t.Helper()
	var got []modelEntry
	start := in.After
	for pages := 0; ; pages++ {
		if pages > len(keys)+1 {
			t.Fatalf("%+v: paging does not end", in)
		}
		out, err := l.List(t.Context(), in)
		if err != nil {
			t.Fatalf("list %+v: %v", in, err)
		}
		want, wantTrunc := modelList(keys, in)
		page := entriesOf(out)
		if !slices.Equal(page, want) || out.IsTruncated != wantTrunc {
			t.Fatalf("list %+v:\n got %v truncated=%v\nwant %v truncated=%v", in, page, out.IsTruncated, want, wantTrunc)
		}
		for _, o := range out.Objects {
			if o.ETag != md5hex(o.Key) || o.Size != int64(len(o.Key)) {
				t.Fatalf("listed %q with etag %s size %d", o.Key, o.ETag, o.Size)
			}
		}
		if len(page) > 0 && out.Last != page[len(page)-1].text {
			t.Fatalf("list %+v: Last = %q, want %q", in, out.Last, page[len(page)-1].text)
		}
		got = append(got, page...)
		if !out.IsTruncated {
			break
		}
		in.After = out.Last
	}
	in.After, in.MaxKeys = start, len(keys)+1
	want, _ := modelList(keys, in)
	if !slices.Equal(got, want) {
		t.Fatalf("paged listing %+v:\n got %d entries\nwant %d", in, len(got), len(want))
	}
}

func TestListOrderAcrossDirectories(t *testing.T) {
	l, _ := newTestLayer(t)
	for _, k := range []string{"obj1", "obj/", "obj+", "obj/a", "obj", "ob", "obj0/x"} {
		mustPut(t, l, k, k)
	}
	want := []string{"ob", "obj", "obj+", "obj/", "obj/a", "obj0/x", "obj1"}
	if got := listAll(t, l); !slices.Equal(got, want) {
		t.Fatalf("list = %q, want %q", got, want)
	}
	out, err := l.List(t.Context(), ListInput{Bucket: testBucket, Delimiter: "/", MaxKeys: 100})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(entriesOf(out)); got != "[{ob false} {obj false} {obj+ false} {obj/ true} {obj0/ true} {obj1 false}]" {
		t.Fatalf("delimited list = %s", got)
	}
}
