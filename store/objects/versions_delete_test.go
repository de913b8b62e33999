package objects

import (
	"errors"
	"testing"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

func TestDeleteVersion(t *testing.T) {
	l, st := newTestLayer(t)
	testDeleteVersion(t, l, st)
}

func TestDeleteVersionOnTernFS(t *testing.T) {
	l, st := newTernFSTestLayer(t)
	testDeleteVersion(t, l, st)
}

// Deleting one version removes exactly it; deleting the latest makes the
// newest remaining file current (keeping its version ID), or leaves the key
// without a current object when none remains.
func testDeleteVersion(t *testing.T, l *Layer, st store.Store) {
	ctx := t.Context()
	names := map[store.ID]string{}
	put := func(key, body string) { names[mustPut(t, l, key, body).FileID] = body }
	want := func(key, desc string) {
		t.Helper()
		if got := describeVersions(versionsOf(t, l, key), names); got != desc {
			t.Fatalf("versions of %q = %q, want %q", key, got, desc)
		}
	}
	deleteVersion := func(key string, i int) {
		t.Helper()
		v := versionsOf(t, l, key)[i]
		got, err := l.deleteVersion(ctx, testBucket, key, v.id.String())
		if err != nil || got.id != v.id {
			t.Fatalf("delete version %s of %q = %v, %v", v.id, key, got.id, err)
		}
	}

	put("u", "u1")
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	put("u", "e1")
	want("u", "e1* null=u1")
	// Deleting the latest restores the null version, which the restore
	// gives a new edge time: it stays the null version all the same.
	deleteVersion("u", 0)
	want("u", "null=u1*")
	mustGet(t, l, "u", "u1")
	put("u", "e2")
	want("u", "e2* null=u1")
	deleteVersion("u", 1) // the null version, not the latest
	want("u", "e2*")
	mustGet(t, l, "u", "e2")

	put("d/k", "one")
	put("d/k", "two")
	put("d/k", "three")
	deleteVersion("d/k", 1) // "two", in the middle
	want("d/k", "three* one")
	mustGet(t, l, "d/k", "three")
	oneID := versionsOf(t, l, "d/k")[1].id

	deleteVersion("d/k", 0) // the latest: "one" becomes current again
	want("d/k", "one*")
	mustGet(t, l, "d/k", "one")
	if id := versionsOf(t, l, "d/k")[0].id; id != oneID {
		t.Fatalf("restored version ID %s, want %s", id, oneID)
	}

	mustDelete(t, l, "d/k")
	want("d/k", "marker* one")
	mustBeMissing(t, l, "d/k")
	deleteVersion("d/k", 0) // the delete marker: "one" is back
	want("d/k", "one*")
	mustGet(t, l, "d/k", "one")

	deleteVersion("d/k", 0) // the only version: the key is gone, no marker
	want("d/k", "")
	mustBeMissing(t, l, "d/k")
	bid, err := l.bucketID(ctx, testBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Lookup(ctx, bid, "d"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("d/ after its last version was deleted: %v, want pruned", err)
	}

	if _, err := l.deleteVersion(ctx, testBucket, "u", fileVersion(oneID.file).String()); !errors.Is(err, s3err.NoSuchVersion) {
		t.Fatalf("delete of a version the key does not have = %v, want NoSuchVersion", err)
	}
	var e *s3err.Error
	if _, err := l.deleteVersion(ctx, testBucket, "u", "bogus"); !errors.As(err, &e) || e.Code != "InvalidArgument" {
		t.Fatalf("delete of a malformed version ID = %v, want InvalidArgument", err)
	}
	if _, err := l.deleteVersion(ctx, testBucket, "missing/k", "null"); !errors.Is(err, s3err.NoSuchVersion) {
		t.Fatalf("delete of a version under a missing prefix = %v, want NoSuchVersion", err)
	}
}
