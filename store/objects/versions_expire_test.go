package objects

import (
	"testing"

	"github.com/terngate/terngate/store"
)

func TestExpireVersions(t *testing.T) {
	l, _ := newTestLayer(t)
	testExpireVersions(t, l)
}

func TestExpireVersionsOnTernFS(t *testing.T) {
	l, _ := newTernFSTestLayer(t)
	testExpireVersions(t, l)
}

// ExpireVersions offers each noncurrent version with when it became
// noncurrent (its successor's creation, AWS user guide "Lifecycle
// configuration elements") and how many noncurrent versions are newer
// (NewerNoncurrentVersions), and a delete marker that is its key's only
// version (ExpiredObjectDeleteMarker), also once the versions behind it
// expire in the same pass; it removes what the caller approves and never a
// current object.
func testExpireVersions(t *testing.T, l *Layer) {
	ctx := t.Context()
	called := false
	if n, err := l.ExpireVersions(ctx, testBucket, "", func(ExpiryCandidate) bool { called = true; return true }); err != nil || n != 0 || called {
		t.Fatalf("unversioned bucket: %d removed, %v, callback called %v", n, err, called)
	}
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	names := map[store.ID]string{}
	infos := map[string]ObjectInfo{}
	put := func(key, body string) {
		info := mustPut(t, l, key, body)
		names[info.FileID], infos[body] = body, info
	}
	for _, body := range []string{"k1", "k2", "k3", "k4"} {
		put("k", body)
	}
	put("m", "m1")
	mustDelete(t, l, "m")
	put("n", "n1")
	put("o", "o1")
	mustDelete(t, l, "o")

	offered := map[string]ExpiryCandidate{}
	n, err := l.ExpireVersions(ctx, testBucket, "", func(c ExpiryCandidate) bool {
		if !c.DeleteMarker {
			for id, body := range names {
				if c.VersionID == fileVersion(id).String() {
					offered[body] = c
				}
			}
		}
		switch c.Key {
		case "k":
			return c.NewerNoncurrent >= 1 // keep one noncurrent version
		case "m":
			return true
		case "o":
			return c.Latest // the marker, not the version behind it
		}
		return true
	})
	if err != nil || n != 4 {
		t.Fatalf("ExpireVersions = %d, %v; want 4 removed (k2, k1, m1, m's marker)", n, err)
	}
	for key, want := range map[string]string{"k": "k4* k3", "m": "", "n": "n1*", "o": "marker* o1"} {
		if got := describeVersions(versionsOf(t, l, key), names); got != want {
			t.Errorf("versions of %q = %q, want %q", key, got, want)
		}
	}
	if _, ok := offered["k4"]; ok {
		t.Error("a current version was offered")
	}
	k3 := offered["k3"]
	if !k3.NoncurrentSince.Equal(infos["k4"].LastModified) || k3.NewerNoncurrent != 0 || offered["k1"].NewerNoncurrent != 2 {
		t.Errorf("k3 offered %+v (want noncurrent since k4's %v, none newer), k1 with %d newer (want 2)",
			k3, infos["k4"].LastModified, offered["k1"].NewerNoncurrent)
	}
	mustGet(t, l, "k", "k4")
}
