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

func TestDeleteVersionAcrossNames(t *testing.T) {
	l, _ := newTestLayer(t)
	testDeleteVersionAcrossNames(t, l)
}

func TestDeleteVersionAcrossNamesOnTernFS(t *testing.T) {
	l, _ := newTernFSTestLayer(t)
	testDeleteVersionAcrossNames(t, l)
}

// A key that is also a prefix keeps its object under its shadow name
// (keypath.go), so its versions can sit under two names. Deleting the
// latest restores the next one under its own name, which the key then
// resolves to, or, while a directory holds that name (the primary), under
// the latest's name (the shadow).
func testDeleteVersionAcrossNames(t *testing.T, l *Layer) {
	ctx := t.Context()
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	names := map[store.ID]string{}
	put := func(key, body string) { names[mustPut(t, l, key, body).FileID] = body }
	want := func(key, desc string) {
		t.Helper()
		if got := describeVersions(versionsOf(t, l, key), names); got != desc {
			t.Fatalf("versions of %q = %q, want %q", key, got, desc)
		}
	}
	deleteVersion := func(key string, i int) error {
		t.Helper()
		_, err := l.deleteVersion(ctx, testBucket, key, versionsOf(t, l, key)[i].id.String())
		return err
	}

	// Latest under the shadow name, the next under the primary one, which
	// a directory holds: the next is restored under the shadow name.
	put("a", "a1")
	put("a", "a2")
	put("a/b", "b1") // a2 moves to the shadow name
	want("a", "a2* a1")
	if err := deleteVersion("a", 0); err != nil {
		t.Fatalf("restore beside a directory holding the primary name: %v", err)
	}
	want("a", "a1*")
	mustGet(t, l, "a", "a1")
	mustGet(t, l, "a/b", "b1")
	put("a", "a3")
	want("a", "a3* a1")
	if err := deleteVersion("a/b", 0); err != nil { // a/ goes with its only version
		t.Fatal(err)
	}
	if err := deleteVersion("a", 0); err != nil {
		t.Fatalf("restore with the primary name free: %v", err)
	}
	want("a", "a1*")
	mustGet(t, l, "a", "a1")

	// Latest under the primary name, the next under the shadow one.
	put("c", "c1")
	put("c/d", "d1") // c1 moves to the shadow name
	if err := deleteVersion("c/d", 0); err != nil {
		t.Fatal(err)
	}
	mustDelete(t, l, "c") // a marker under the shadow name
	put("c", "c2")        // no directory holds the primary name now
	want("c", "c2* marker c1")
	if err := deleteVersion("c", 1); err != nil {
		t.Fatal(err)
	}
	if err := deleteVersion("c", 0); err != nil {
		t.Fatalf("restore under the shadow name: %v", err)
	}
	want("c", "c1*")
	mustGet(t, l, "c", "c1")

	// Both under the shadow name, and the marker the move left under the
	// primary one, recognised by the moved edge's time, which the restore
	// changes: it must not surface as a delete marker.
	put("e", "e1")
	put("e/f", "f1") // e1 moves to the shadow name
	put("e", "e2")
	want("e", "e2* e1")
	if err := deleteVersion("e", 0); err != nil {
		t.Fatal(err)
	}
	want("e", "e1*")
	mustGet(t, l, "e", "e1")
	if got := listAll(t, l); len(got) != 4 || got[0] != "a" || got[1] != "c" || got[2] != "e" || got[3] != "e/f" {
		t.Fatalf("keys %q, want a, c, e and e/f once each", got)
	}
}
