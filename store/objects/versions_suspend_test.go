package objects

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
	"github.com/terngate/terngate/store/ternfs"
)

// storeCalls counts RemoveSnapshotEdge calls, to check that a null write
// removes exactly the previous null version, and ReadDirVersions calls, to
// check that a listing reads only the directories its page reaches.
type storeCalls struct{ removes, dirReads atomic.Int64 }

// countingLocal and countingTernFS are the stores with RemoveSnapshotEdge
// counted; every other capability is the store's own.
type countingLocal struct {
	*local.Store
	removals *storeCalls
}

func (s countingLocal) RemoveSnapshotEdge(ctx context.Context, dir store.ID, v store.Version) error {
	s.removals.removes.Add(1)
	return s.Store.RemoveSnapshotEdge(ctx, dir, v)
}

func (s countingLocal) ReadDirVersions(ctx context.Context, dir store.ID, fn func(store.Version) error) error {
	s.removals.dirReads.Add(1)
	return s.Store.ReadDirVersions(ctx, dir, fn)
}

type countingTernFS struct {
	*ternfs.Store
	removals *storeCalls
}

func (s countingTernFS) RemoveSnapshotEdge(ctx context.Context, dir store.ID, v store.Version) error {
	s.removals.removes.Add(1)
	return s.Store.RemoveSnapshotEdge(ctx, dir, v)
}

func TestSuspendedVersioningModel(t *testing.T) {
	st, err := local.Open(fastTempDir(t), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	removals := &storeCalls{}
	testSuspendedVersioningModel(t, countingLocal{st, removals}, st.Root(), removals, 200)
}

func TestSuspendedVersioningModelOnTernFS(t *testing.T) {
	st := openTernFSTestStore(t)
	removals := &storeCalls{}
	testSuspendedVersioningModel(t, countingTernFS{st, removals}, st.Root(), removals, 60)
}

// nullModelVersion is one version in the model of a key's versions.
type nullModelVersion struct {
	body   string // "" for a delete marker
	null   bool
	marker bool
}

func describeModel(vs []nullModelVersion) string {
	var parts []string
	for i, v := range vs {
		var s string
		switch {
		case v.null && v.marker:
			s = "null-marker"
		case v.null:
			s = "null=" + v.body
		case v.marker:
			s = "marker"
		default:
			s = v.body
		}
		if i == 0 {
			s += "*"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// withoutNull is vs without its null version, and how many it had.
func withoutNull(vs []nullModelVersion) ([]nullModelVersion, int) {
	var out []nullModelVersion
	for _, v := range vs {
		if !v.null {
			out = append(out, v)
		}
	}
	return out, len(vs) - len(out)
}

// Random histories of PUT, DELETE and DELETE ?versionId= across Enabled ->
// Suspended -> Enabled changes, checked after every step against a model
// of S3's rules (AWS S3 User Guide, "Adding objects to versioning-suspended
// buckets", AddingObjectstoVersionSuspendedBuckets.html: a PUT under
// Suspended stores the object with version ID null and overwrites the
// null version if there is one; "Deleting objects from versioning-suspended
// buckets", DeletingObjectsfromVersioningSuspendedBuckets.html: a DELETE
// removes only the null version, nothing if there is none, and inserts a
// delete marker whose version ID is null; "Adding objects to
// versioning-enabled buckets": a PUT under Enabled adds a version and
// keeps the null version). Under Suspended, a null write removes the
// previous null version's edge with exactly one RemoveSnapshotEdge.
//
// A DELETE of a key without a current object adds a marker all the same
// (AWS S3 User Guide, "Working with delete markers", DeleteMarker.html: a
// simple DELETE makes one; "Managing delete markers": a simple DELETE of a
// key whose current version is a delete marker removes nothing and adds
// another). The delete says the marker's version ID, as x-amz-version-id will.
func testSuspendedVersioningModel(t *testing.T, st store.Store, root store.ID, removals *storeCalls, steps int) {
	ctx := t.Context()
	l, err := New(ctx, st, root, Options{RecordRemovalDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CreateBucket(ctx, testBucket, "owner"); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(16, 2))
	names := map[store.ID]string{}
	const key = "d/k"
	var model []nullModelVersion
	put := func(body string) {
		names[mustPut(t, l, key, body).FileID] = body
	}
	check := func(step string) {
		t.Helper()
		if got, want := describeVersions(versionsOf(t, l, key), names), describeModel(model); got != want {
			t.Fatalf("after %s: versions %q, model %q", step, got, want)
		}
		if len(model) > 0 && !model[0].marker {
			mustGet(t, l, key, model[0].body)
		} else {
			mustBeMissing(t, l, key)
		}
	}

	// The unversioned bucket's object becomes the null version.
	put("u")
	model = []nullModelVersion{{body: "u", null: true}}
	status := VersioningEnabled
	if err := l.setBucketVersioning(ctx, testBucket, status); err != nil {
		t.Fatal(err)
	}
	check("enable")
	for i := range steps {
		var step string
		before := removals.removes.Load()
		wantRemovals := int64(-1) // not checked
		switch op := rng.IntN(10); {
		case op == 0:
			status = map[string]string{VersioningEnabled: VersioningSuspended, VersioningSuspended: VersioningEnabled}[status]
			step = "set " + status
			if err := l.setBucketVersioning(ctx, testBucket, status); err != nil {
				t.Fatal(err)
			}
		case op <= 4:
			body := fmt.Sprintf("b%d", i)
			step = "put " + body
			put(body)
			if status == VersioningSuspended {
				var n int
				model, n = withoutNull(model)
				wantRemovals = int64(n)
				model = append([]nullModelVersion{{body: body, null: true}}, model...)
			} else {
				model = append([]nullModelVersion{{body: body}}, model...)
			}
		case op <= 6:
			step = "delete"
			markerID, err := l.deleteObject(ctx, testBucket, key, DeleteConditions{})
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if latest := versionsOf(t, l, key)[0]; !latest.isMarker || latest.id.String() != markerID {
				t.Fatalf("%s: delete said marker %q, latest version is %s (marker %v)", step, markerID, latest.id, latest.isMarker)
			}
			if status == VersioningSuspended {
				var n int
				model, n = withoutNull(model)
				wantRemovals = int64(n)
				model = append([]nullModelVersion{{null: true, marker: true}}, model...)
			} else {
				model = append([]nullModelVersion{{marker: true}}, model...)
			}
		default:
			if len(model) == 0 {
				continue
			}
			j := rng.IntN(len(model))
			v := versionsOf(t, l, key)[j]
			step = fmt.Sprintf("delete version %d (%s)", j, v.id)
			if _, err := l.deleteVersion(ctx, testBucket, key, v.id.String()); err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			model = append(model[:j:j], model[j+1:]...)
		}
		if got := removals.removes.Load() - before; wantRemovals >= 0 && got != wantRemovals {
			t.Fatalf("%s under %s: %d RemoveSnapshotEdge calls, want %d (the previous null version)", step, status, got, wantRemovals)
		}
		check(step)
	}
}
