package objects

import (
	"testing"

	"github.com/terngate/terngate/store"
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
