package objects

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/terngate/terngate/store"
)

// A bucket that kept snapshot edges while unversioned (TernFS keeps them
// for its retention; the local store is told to keep them here, as
// TernFS's retention would) keeps them forever once versioning is on, and
// only the newest of each key's is a version or hides the rest. The sweep
// removes the others, and only them: every listing answers as before, and
// a second sweep has nothing to do.
func TestSweepUnversionedLeftovers(t *testing.T) {
	l, st := newTestLayer(t)
	bid, err := l.bucketID(t.Context(), testBucket)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetKeepSnapshots(t.Context(), bid, true); err != nil {
		t.Fatal(err)
	}
	testSweepUnversionedLeftovers(t, l, st)
}

func TestSweepUnversionedLeftoversOnTernFS(t *testing.T) {
	l, st := newTernFSTestLayer(t)
	testSweepUnversionedLeftovers(t, l, st)
}

func testSweepUnversionedLeftovers(t *testing.T, l *Layer, vd store.VersionedDirs) {
	ctx := t.Context()
	// Unversioned history, each line a key's writes in order.
	mustPut(t, l, "a", "a1")
	mustPut(t, l, "a", "a2")
	mustPut(t, l, "a", "a3")
	mustPut(t, l, "dir/b", "b1")
	mustPut(t, l, "dir/b", "b2")
	mustPut(t, l, "c", "c1")
	if err := l.Delete(ctx, testBucket, "c"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, l, "c", "c2")
	mustPut(t, l, "d", "d1")
	if err := l.Delete(ctx, testBucket, "d"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, l, "sh/x", "x1")
	mustPut(t, l, "sh", "sh1") // at the shadow name: "sh/" is a directory
	mustPut(t, l, "sh", "sh2")
	mustPut(t, l, "one", "one1")

	if err := l.SetBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	mustPut(t, l, "a", "a4")
	if _, err := l.DeleteWithMarker(ctx, testBucket, "dir/b", DeleteConditions{}); err != nil {
		t.Fatal(err)
	}

	listing := func() string {
		t.Helper()
		out, err := l.ListObjectVersions(ctx, ListVersionsInput{Bucket: testBucket, MaxKeys: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, v := range out.Versions {
			lines = append(lines, fmt.Sprintf("%s %s latest=%v marker=%v etag=%s", v.Key, v.VersionID, v.IsLatest, v.DeleteMarker, v.ETag))
		}
		return strings.Join(lines, "\n")
	}
	edges := func() map[string]int {
		t.Helper()
		counts := map[string]int{}
		for _, p := range []struct{ dir []string }{{nil}, {[]string{"dir"}}, {[]string{"sh"}}} {
			bid, err := l.bucketID(ctx, testBucket)
			if err != nil {
				t.Fatal(err)
			}
			dir, err := l.objectDir(ctx, bid, keyPath{dirs: p.dir})
			if err != nil {
				t.Fatal(err)
			}
			err = vd.ReadDirVersions(ctx, dir, func(v store.Version) error {
				if !v.Dir && !strings.HasPrefix(v.Name, metaDirName) {
					counts[strings.Join(append(slices.Clone(p.dir), v.Name), "/")]++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		return counts
	}
	before := listing()
	beforeEdges := edges()

	n, err := l.SweepUnversionedLeftovers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Removed: a1, a2; b1; c1 and the unversioned delete's marker; d1;
	// sh1 (shadow name). Kept: the newest edge of each key from before
	// versioning, and everything since.
	if n != 7 {
		t.Errorf("swept %d edges, want 7 (edges before: %v, after: %v)", n, beforeEdges, edges())
	}
	if after := listing(); after != before {
		t.Fatalf("the sweep changed what ListObjectVersions answers:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	for name, want := range map[string]int{"a": 2, "dir/b": 2, "c": 1, "d": 1, shadowPrefix + "sh": 1, "one": 1, "sh/x": 1} {
		if got := edges()[name]; got != want {
			t.Errorf("%s: %d edges after the sweep, want %d (all: %v)", name, got, want, edges())
		}
	}
	for _, k := range []struct{ key, body string }{{"a", "a4"}, {"c", "c2"}, {"sh", "sh2"}, {"sh/x", "x1"}, {"one", "one1"}} {
		if body, _, err := get(ctx, l, k.key); err != nil || body != k.body {
			t.Errorf("GET %q after the sweep: %q, %v; want %q", k.key, body, err, k.body)
		}
	}

	if n, err := l.SweepUnversionedLeftovers(ctx); err != nil || n != 0 {
		t.Fatalf("second sweep: %d, %v; want nothing to do", n, err)
	}
	bid, err := l.bucketID(ctx, testBucket)
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := l.readBucketRecord(ctx, bid); err != nil || !rec.UnversionedSwept {
		t.Fatalf("bucket record after the sweep: %+v, %v; want it marked swept", rec, err)
	}
}

// A bucket never versioned is left alone, and not marked: its edges from
// before versioning are not known yet.
func TestSweepLeavesUnversionedBucket(t *testing.T) {
	l, _ := newTestLayer(t)
	mustPut(t, l, "a", "a1")
	mustPut(t, l, "a", "a2")
	if n, err := l.SweepUnversionedLeftovers(t.Context()); err != nil || n != 0 {
		t.Fatalf("sweep of an unversioned bucket: %d, %v", n, err)
	}
	if body, _, err := get(t.Context(), l, "a"); err != nil || body != "a2" {
		t.Fatalf("GET after the sweep: %q, %v", body, err)
	}
}
