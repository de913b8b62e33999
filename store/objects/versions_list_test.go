package objects

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/local"
)

func TestListObjectVersions(t *testing.T) {
	l, _ := newTestLayer(t)
	testListObjectVersions(t, l)
}

func TestListObjectVersionsOnTernFS(t *testing.T) {
	l, _ := newTernFSTestLayer(t)
	testListObjectVersions(t, l)
}

// modelVersion is what the model knows of a version: its key, its ID for a
// file (a delete marker's is its store time, known only to the store), and
// whether it is a delete marker.
type modelVersion struct {
	key    string
	id     string
	marker bool
}

// testListObjectVersions checks listObjectVersions against a model of a
// versioned bucket after random PUTs and DELETEs: keys in byte order, each
// key's versions newest first with the newest latest, common prefixes
// counted once in place, and pages that resume from NextKeyMarker and
// NextVersionIdMarker to the same sequence for every page size.
func testListObjectVersions(t *testing.T, l *Layer) {
	ctx := t.Context()
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	keys := []string{"a", "a/b", "a/b/c", "a/c", "ab", "b", "b/", "b/x", "c-d", "c/d"}
	model := map[string][]modelVersion{} // newest first
	rng := rand.New(rand.NewPCG(16, 3))
	for i := range 40 {
		key := keys[rng.IntN(len(keys))]
		if rng.IntN(4) == 0 && len(model[key]) > 0 && !model[key][0].marker {
			mustDelete(t, l, key)
			model[key] = append([]modelVersion{{key: key, marker: true}}, model[key]...)
			continue
		}
		info := mustPut(t, l, key, fmt.Sprintf("body %d", i))
		model[key] = append([]modelVersion{{key: key, id: fileVersion(info.FileID).String()}}, model[key]...)
	}

	// expected is the whole listing as entries: a version, or "CP:" and a
	// common prefix.
	expected := func(prefix, delimiter string) []string {
		var sorted []string
		for k := range model {
			if strings.HasPrefix(k, prefix) {
				sorted = append(sorted, k)
			}
		}
		slices.Sort(sorted)
		var out []string
		for _, k := range sorted {
			if cp, ok := commonPrefixOf(k, prefix, delimiter); ok {
				if len(out) == 0 || out[len(out)-1] != "CP:"+cp {
					out = append(out, "CP:"+cp)
				}
				continue
			}
			for i, v := range model[k] {
				out = append(out, describeModelVersion(v.key, v.id, v.marker, i == 0))
			}
		}
		return out
	}

	for _, prefix := range []string{"", "a", "a/", "b/", "zz"} {
		for _, delimiter := range []string{"", "/", "-"} {
			want := expected(prefix, delimiter)
			for _, maxKeys := range []int{1, 2, 3, 1000} {
				var got []string
				in := ListVersionsInput{Bucket: testBucket, Prefix: prefix, Delimiter: delimiter, MaxKeys: maxKeys}
				for pages := 0; ; pages++ {
					if pages > 200 {
						t.Fatalf("prefix %q delimiter %q max %d: listing does not end", prefix, delimiter, maxKeys)
					}
					page, err := l.listObjectVersions(ctx, in)
					if err != nil {
						t.Fatalf("list versions %+v: %v", in, err)
					}
					if n := len(page.Versions) + len(page.CommonPrefixes); n > maxKeys || (page.IsTruncated && n != maxKeys) {
						t.Fatalf("list versions %+v: %d entries, truncated %v", in, n, page.IsTruncated)
					}
					got = append(got, pageEntries(page)...)
					if !page.IsTruncated {
						break
					}
					in.KeyMarker, in.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
				}
				if !slices.Equal(got, want) {
					t.Fatalf("prefix %q delimiter %q max %d:\n got %q\nwant %q", prefix, delimiter, maxKeys, got, want)
				}
			}
		}
	}

	_, err := l.listObjectVersions(ctx, ListVersionsInput{Bucket: testBucket, VersionIDMarker: "null", MaxKeys: 10})
	var e *s3err.Error
	if !errors.As(err, &e) || e.Code != "InvalidArgument" || e.Message != "A version-id marker cannot be specified without a key marker." ||
		e.Field("ArgumentName") != "version-id-marker" || e.Field("ArgumentValue") != "null" {
		t.Fatalf("version-id-marker without key-marker = %v, want InvalidArgument naming version-id-marker", err)
	}
	_, err = l.listObjectVersions(ctx, ListVersionsInput{Bucket: testBucket, KeyMarker: "a", VersionIDMarker: "bogus", MaxKeys: 10})
	if !errors.As(err, &e) || e.Code != "InvalidArgument" || e.Field("ArgumentName") != "version-id-marker" {
		t.Fatalf("malformed version-id-marker = %v, want InvalidArgument naming version-id-marker", err)
	}
}

// pageEntries renders a page in the model's terms, in listing order: the
// page's versions and common prefixes merged by key.
func pageEntries(page ListVersionsOutput) []string {
	var out []string
	cps := page.CommonPrefixes
	for _, v := range page.Versions {
		for len(cps) > 0 && cps[0] < v.Key {
			out = append(out, "CP:"+cps[0])
			cps = cps[1:]
		}
		id := v.VersionID
		if v.DeleteMarker {
			id = ""
		}
		out = append(out, describeModelVersion(v.Key, id, v.DeleteMarker, v.IsLatest))
	}
	for _, cp := range cps {
		out = append(out, "CP:"+cp)
	}
	return out
}

func describeModelVersion(key, id string, marker, latest bool) string {
	s := key + "@" + id
	if marker {
		s = key + "@marker"
	}
	if latest {
		s += "*"
	}
	return s
}

func TestListObjectVersionsEdgeCases(t *testing.T) {
	l, _ := newTestLayer(t)
	testListObjectVersionsEdgeCases(t, l)
}

func TestListObjectVersionsEdgeCasesOnTernFS(t *testing.T) {
	l, _ := newTernFSTestLayer(t)
	testListObjectVersionsEdgeCases(t, l)
}

// A name whose edges are no versions (on TernFS, what the unversioned
// bucket's delete left: a snapshot edge and a deletion marker) makes no
// common prefix; a version-id-marker deleted since the previous page
// resumes after it when it names a delete marker (its ID is its time), and
// passes over the rest of that key when it names a file.
func testListObjectVersionsEdgeCases(t *testing.T, l *Layer) {
	ctx := t.Context()
	mustPut(t, l, "q-1", "gone before versioning")
	mustDelete(t, l, "q-1")
	mustPut(t, l, "s/k", "gone before versioning")
	mustPut(t, l, "s/j", "the null version")
	mustDelete(t, l, "s/k")
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	// s/ keeps what s/k's delete left (on TernFS), and no version.
	if _, err := l.deleteVersion(ctx, testBucket, "s/j", "null"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, l, "r-1", "kept")
	page, err := l.listObjectVersions(ctx, ListVersionsInput{Bucket: testBucket, Delimiter: "-", MaxKeys: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(page.CommonPrefixes, []string{"r-"}) || len(page.Versions) != 0 {
		t.Fatalf("common prefixes %q, versions %+v; want only r-", page.CommonPrefixes, page.Versions)
	}
	page, err = l.listObjectVersions(ctx, ListVersionsInput{Bucket: testBucket, Delimiter: "/", MaxKeys: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.CommonPrefixes) != 0 || len(page.Versions) != 1 || page.Versions[0].Key != "r-1" {
		t.Fatalf("common prefixes %q, versions %+v; want r-1's version only", page.CommonPrefixes, page.Versions)
	}

	// k: v3, marker, v1 (newest first).
	mustPut(t, l, "k", "v1")
	mustDelete(t, l, "k")
	mustPut(t, l, "k", "v3")
	mustPut(t, l, "l", "next key")
	vs := versionsOf(t, l, "k")
	if len(vs) != 3 || !vs[1].isMarker {
		t.Fatalf("versions of k: %s", describeVersions(vs, nil))
	}
	marker, v3 := vs[1].id.String(), vs[0].id.String()
	if _, err := l.deleteVersion(ctx, testBucket, "k", marker); err != nil {
		t.Fatal(err)
	}
	listFrom := func(versionIDMarker string) []string {
		t.Helper()
		page, err := l.listObjectVersions(ctx, ListVersionsInput{Bucket: testBucket, KeyMarker: "k", VersionIDMarker: versionIDMarker, MaxKeys: 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range page.Versions {
			got = append(got, v.Key+"@"+v.VersionID)
		}
		return got
	}
	v1 := vs[2].id.String()
	if got := listFrom(marker); len(got) != 3 || got[0] != "k@"+v1 || !strings.HasPrefix(got[1], "l@") {
		t.Fatalf("resuming after a deleted marker: %q, want k's v1, then l and r-1", got)
	}
	if _, err := l.deleteVersion(ctx, testBucket, "k", v3); err != nil {
		t.Fatal(err)
	}
	if got := listFrom(v3); len(got) != 2 || !strings.HasPrefix(got[0], "l@") {
		t.Fatalf("resuming after a deleted file version: %q, want l and r-1 only", got)
	}
}

// A page reads the directories it reaches, not every directory under the
// prefix: the first version of fifty directories costs the bucket's
// directory, the first one's, and the next one's (to know the page is truncated).
func TestListObjectVersionsStreams(t *testing.T) {
	st, err := local.Open(fastTempDir(t), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	calls := &storeCalls{}
	ctx := t.Context()
	l, err := New(ctx, countingLocal{st, calls}, st.Root(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CreateBucket(ctx, testBucket, "owner"); err != nil {
		t.Fatal(err)
	}
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		mustPut(t, l, fmt.Sprintf("d%02d/k", i), "x")
	}
	before := calls.dirReads.Load()
	page, err := l.listObjectVersions(ctx, ListVersionsInput{Bucket: testBucket, MaxKeys: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Versions) != 1 || page.Versions[0].Key != "d00/k" || !page.IsTruncated {
		t.Fatalf("page %+v", page)
	}
	if reads := calls.dirReads.Load() - before; reads > 3 {
		t.Fatalf("one version read %d directories, want 3 at most", reads)
	}
}
