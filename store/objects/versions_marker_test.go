package objects

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

func TestDeleteAbsentKeyAddsMarker(t *testing.T) {
	l, st := newTestLayer(t)
	testDeleteAbsentKeyAddsMarker(t, l, st)
}

// A DELETE without version in a versioned bucket adds a delete marker
// whether or not the key has a current object (AWS S3 User Guide,
// "Working with delete markers", DeleteMarker.html; API_DeleteObject:
// x-amz-version-id "Returns the version ID of the delete marker created
// as a result of the DELETE operation"): for a key never written (its
// directories made for it), again over a marker, and for a key that is
// also a prefix of others (a directory holds its primary name). An
// unversioned bucket makes none.
func testDeleteAbsentKeyAddsMarker(t *testing.T, l *Layer, st store.Store) {
	ctx := t.Context()
	names := map[store.ID]string{}
	del := func(key string) string {
		t.Helper()
		id, err := l.deleteObject(ctx, testBucket, key, DeleteConditions{})
		if err != nil {
			t.Fatalf("delete %q: %v", key, err)
		}
		return id
	}
	want := func(key, desc string) {
		t.Helper()
		if got := describeVersions(versionsOf(t, l, key), names); got != desc {
			t.Fatalf("versions of %q = %q, want %q", key, got, desc)
		}
	}

	if id := del("never/written"); id != "" {
		t.Fatalf("delete in an unversioned bucket said marker %q", id)
	}
	want("never/written", "")
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	first := del("never/written")
	want("never/written", "marker*")
	second := del("never/written")
	want("never/written", "marker* marker")
	vs := versionsOf(t, l, "never/written")
	if vs[0].id.String() != second || vs[1].id.String() != first || first == second {
		t.Fatalf("deletes said markers %q then %q; versions are %s, %s", first, second, vs[0].id, vs[1].id)
	}
	mustBeMissing(t, l, "never/written")

	// "p" is both an object and a prefix: its file sits under the shadow
	// name, where the marker must go too.
	names[mustPut(t, l, "p/child", "c").FileID] = "c"
	names[mustPut(t, l, "p", "one").FileID] = "one"
	del("p")
	want("p", "marker* one")
	del("p")
	want("p", "marker* marker one")
	mustGet(t, l, "p/child", "c")

	// Deleting the markers by version brings the object back.
	for range 2 {
		if _, err := l.deleteVersion(ctx, testBucket, "p", versionsOf(t, l, "p")[0].id.String()); err != nil {
			t.Fatal(err)
		}
	}
	want("p", "one*")
	mustGet(t, l, "p", "one")

	if err := l.setBucketVersioning(ctx, testBucket, VersioningSuspended); err != nil {
		t.Fatal(err)
	}
	if id := del("never/written"); id != nullVersionID {
		t.Fatalf("delete under Suspended said %q, want null", id)
	}
	if id := del("never/written"); id != nullVersionID {
		t.Fatalf("second delete under Suspended said %q, want null", id)
	}
	// The second null marker replaced the first.
	want("never/written", "null-marker* marker marker")
}

func TestDeleteAbsentKeyAddsMarkerOnTernFS(t *testing.T) {
	l, st := newTernFSTestLayer(t)
	testDeleteAbsentKeyAddsMarker(t, l, st)
}

// attributeReads counts the store's FileAttribute calls (how the objects
// layer reads a version's record and its null flag).
type attributeReads struct {
	*local.Store
	n *atomic.Int64
}

func (s attributeReads) FileAttribute(ctx context.Context, id store.ID) ([]byte, error) {
	s.n.Add(1)
	return s.Store.FileAttribute(ctx, id)
}

// A PUT under Suspended finds the previous null version by reading the
// key's records newest first only down to it, not one per version: with
// 40 versions from Enabled below, a null overwrite reads a handful.
func TestSuspendedWriteReadsFewRecords(t *testing.T) {
	st, err := local.Open(fastTempDir(t), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	reads := &atomic.Int64{}
	ctx := t.Context()
	l, err := New(ctx, attributeReads{st, reads}, st.Root(), Options{RecordRemovalDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CreateBucket(ctx, testBucket, "owner"); err != nil {
		t.Fatal(err)
	}
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		mustPut(t, l, "k", fmt.Sprintf("e%d", i))
	}
	if err := l.setBucketVersioning(ctx, testBucket, VersioningSuspended); err != nil {
		t.Fatal(err)
	}
	mustPut(t, l, "k", "n1")
	before := reads.Load()
	mustPut(t, l, "k", "n2")
	if n := reads.Load() - before; n > 8 {
		t.Fatalf("a null overwrite read %d records, want a handful (not one per version)", n)
	}
	if vs := versionsOf(t, l, "k"); len(vs) != 41 || !vs[0].id.null {
		t.Fatalf("%d versions, newest %s; want 41, the newest null", len(vs), vs[0].id)
	}
}
