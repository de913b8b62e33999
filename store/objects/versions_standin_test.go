package objects

import (
	"errors"
	"strings"
	"testing"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// A crash inside the TernFS store's AddDeletionMarker can leave its
// stand-in, an empty directory, at a key's shadow name (the name a key's
// object takes when a directory holds the primary one: key "k" beside keys
// "k/..."). Nothing else makes a directory there. The stand-in must stay
// invisible, and it must not block the key: the next PUT links the object
// and the next DELETE adds its marker. The leftover is made by hand here;
// the local store's AddDeletionMarker is one transaction and leaves none.
func TestShadowStandInLeftByCrashIsCleared(t *testing.T) {
	l, _ := newTestLayer(t)
	testShadowStandInLeftByCrashIsCleared(t, l)
}

func TestShadowStandInLeftByCrashIsClearedOnTernFS(t *testing.T) {
	l, _ := newTernFSTestLayer(t)
	testShadowStandInLeftByCrashIsCleared(t, l)
}

func testShadowStandInLeftByCrashIsCleared(t *testing.T, l *Layer) {
	ctx := t.Context()
	if err := l.SetBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	bid, err := l.bucketID(ctx, testBucket)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"put", "del"} {
		mustPut(t, l, k+"/inside", "beside")
		if _, err := l.st.MakeDirectory(ctx, bid, shadowPrefix+k); err != nil {
			t.Fatalf("make the stand-in of %q: %v", k, err)
		}
	}

	// Invisible: no object, no version, no prefix of its own.
	for _, k := range []string{"put", "del"} {
		if _, _, err := get(ctx, l, k); !errors.Is(err, s3err.NoSuchKey) {
			t.Fatalf("GET %q over a stand-in: %v, want NoSuchKey", k, err)
		}
	}
	versions := func() []string {
		t.Helper()
		out, err := l.ListObjectVersions(ctx, ListVersionsInput{Bucket: testBucket, MaxKeys: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, v := range out.Versions {
			kind := "version"
			if v.DeleteMarker {
				kind = "marker"
			}
			keys = append(keys, v.Key+" "+kind)
		}
		return keys
	}
	if got, want := strings.Join(versions(), ", "), "del/inside version, put/inside version"; got != want {
		t.Fatalf("versions over the stand-ins: %s; want %s", got, want)
	}

	// A key below the name of an object whose shadow name holds a stand-in
	// (its directories were pruned since): the object moves aside to its
	// shadow name, in place of the stand-in.
	mustPut(t, l, "moved", "aside")
	if _, err := l.st.MakeDirectory(ctx, bid, shadowPrefix+"moved"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, l, "moved/below", "below")
	for key, want := range map[string]string{"moved": "aside", "moved/below": "below"} {
		if body, _, err := get(ctx, l, key); err != nil || body != want {
			t.Fatalf("GET %q: %q, %v; want %q", key, body, err, want)
		}
	}

	// A PUT of the key replaces the stand-in with the object.
	mustPut(t, l, "put", "object")
	if body, _, err := get(ctx, l, "put"); err != nil || body != "object" {
		t.Fatalf("GET after the PUT: %q, %v", body, err)
	}
	// A DELETE adds its marker where the stand-in was.
	marker, err := l.DeleteWithMarker(ctx, testBucket, "del", DeleteConditions{})
	if err != nil || marker == "" {
		t.Fatalf("DELETE over a stand-in: marker %q, %v", marker, err)
	}
	if got, want := strings.Join(versions(), ", "), "del marker, del/inside version, moved version, moved/below version, put version, put/inside version"; got != want {
		t.Fatalf("versions after PUT and DELETE: %s; want %s", got, want)
	}
	for _, k := range []string{"put", "del", "moved"} {
		e, err := l.st.Lookup(ctx, bid, shadowPrefix+k)
		if err == nil && e.Dir {
			t.Errorf("the stand-in of %q is still a directory", k)
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("look up the shadow name of %q: %v", k, err)
		}
	}
}
