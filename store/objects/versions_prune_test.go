package objects

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/ternfs"
)

// newTernFSTestLayer is newTestLayer over a fresh root on the TernFS cluster
// of TERNFS_REGISTRY, skipping (and saying so) without one.
func newTernFSTestLayer(t *testing.T) (*Layer, *ternfs.Store) {
	t.Helper()
	st := openTernFSTestStore(t)
	l, err := New(t.Context(), st, st.Root(), Options{RecordRemovalDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CreateBucket(t.Context(), testBucket, "owner"); err != nil {
		t.Fatal(err)
	}
	return l, st
}

// openTernFSTestStore opens a fresh root on the cluster at TERNFS_REGISTRY,
// skipping the test, saying so, without one.
func openTernFSTestStore(t *testing.T) *ternfs.Store {
	t.Helper()
	regs := os.Getenv("TERNFS_REGISTRY")
	if regs == "" {
		t.Skip("TERNFS_REGISTRY not set (host:port[,...]): this test needs a running TernFS cluster")
	}
	ctx := t.Context()
	root := fmt.Sprintf("/terngate-objects-test/versions-%d", time.Now().UnixNano())
	retention := time.Hour
	st, err := ternfs.Open(ctx, ternfs.Options{Registry: strings.Split(regs, ","), Root: root, SnapshotRetention: &retention})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestVersionedBucketKeepsDirectoriesAndRefusesDelete(t *testing.T) {
	l, st := newTestLayer(t)
	testVersionedBucketKeepsDirectoriesAndRefusesDelete(t, l, st)
}

func TestVersionedBucketKeepsDirectoriesAndRefusesDeleteOnTernFS(t *testing.T) {
	l, st := newTernFSTestLayer(t)
	testVersionedBucketKeepsDirectoriesAndRefusesDelete(t, l, st)
}

// A versioned bucket prunes no directory that holds versions (on TernFS a
// pruned directory would hide them), and DeleteBucket refuses while any
// version or delete marker remains, then succeeds once they are gone.
func testVersionedBucketKeepsDirectoriesAndRefusesDelete(t *testing.T, l *Layer, vd store.VersionedDirs) {
	ctx := t.Context()
	bid, err := l.bucketID(ctx, testBucket)
	if err != nil {
		t.Fatal(err)
	}
	exists := func(path ...string) bool {
		t.Helper()
		dir := bid
		for _, name := range path {
			e, err := l.st.Lookup(ctx, dir, name)
			if errors.Is(err, store.ErrNotFound) {
				return false
			}
			if err != nil {
				t.Fatalf("look up %q: %v", name, err)
			}
			dir = e.ID
		}
		return true
	}

	// Unversioned: the emptied directories go, as before.
	mustPut(t, l, "u/v/k", "unversioned")
	mustDelete(t, l, "u/v/k")
	if exists("u") {
		t.Fatal("unversioned bucket: u/ not pruned after its last object was deleted")
	}
	if l.keepsVersions(ctx, bid) {
		t.Fatal("unversioned bucket reported as keeping versions")
	}

	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	if rec, err := l.readBucketRecord(ctx, bid); err != nil || rec.Versioning != VersioningEnabled || rec.Owner != "owner" {
		t.Fatalf("bucket record = %+v, %v; want Enabled, owner kept", rec, err)
	}
	if !l.keepsVersions(ctx, bid) {
		t.Fatal("versioned bucket not reported as keeping versions")
	}
	mustPut(t, l, "d/e/k", "one")
	mustPut(t, l, "d/e/k", "two")
	mustDelete(t, l, "d/e/k")
	mustBeMissing(t, l, "d/e/k")
	if !exists("d", "e") {
		t.Fatal("versioned bucket: d/e/ pruned while it holds the versions of d/e/k")
	}
	if n := len(versionsOf(t, l, "d/e/k")); n != 3 {
		t.Fatalf("d/e/k has %d versions, want 3 (marker, two, one)", n)
	}
	if keys := listAll(t, l); len(keys) != 0 {
		t.Fatalf("listing %v, want no current keys", keys)
	}

	err = l.DeleteBucket(ctx, testBucket)
	var e *s3err.Error
	if !errors.As(err, &e) || e.Code != "BucketNotEmpty" || e.Status != 409 ||
		e.Message != "The bucket you tried to delete is not empty. You must delete all versions in the bucket." {
		t.Fatalf("DeleteBucket with versions left = %v, want BucketNotEmpty (all versions)", err)
	}
	if _, err := l.HeadBucket(ctx, testBucket); err != nil {
		t.Fatalf("bucket after refused delete: %v", err)
	}

	// With every version removed, the bucket goes (its leftover snapshot
	// edges of replaced bucket records with it).
	removeAllVersions(t, l, vd, bid)
	if err := l.DeleteBucket(ctx, testBucket); err != nil {
		t.Fatalf("DeleteBucket with no versions left: %v", err)
	}
	if _, err := l.HeadBucket(ctx, testBucket); !errors.Is(err, s3err.NoSuchBucket) {
		t.Fatalf("HeadBucket after delete = %v, want NoSuchBucket", err)
	}
}

// removeAllVersions removes every snapshot edge of a file or delete marker
// under dir, as deleting each version will.
func removeAllVersions(t *testing.T, l *Layer, vd store.VersionedDirs, dir store.ID) {
	t.Helper()
	var subdirs []store.ID
	err := vd.ReadDirVersions(t.Context(), dir, func(v store.Version) error {
		switch {
		case v.Current && v.Dir && v.Name != metaDirName:
			subdirs = append(subdirs, v.ID)
		case !v.Current && !v.Dir && v.Name != bucketRecordName && !isUploadMarker(v.Name):
			return vd.RemoveSnapshotEdge(t.Context(), dir, v)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("remove versions: %v", err)
	}
	for _, d := range subdirs {
		removeAllVersions(t, l, vd, d)
	}
}

func TestVersionedBucketRecordLeavesNoSnapshots(t *testing.T) {
	l, _ := newTestLayer(t)
	testVersionedBucketRecordLeavesNoSnapshots(t, l)
}

func TestVersionedBucketRecordLeavesNoSnapshotsOnTernFS(t *testing.T) {
	l, _ := newTernFSTestLayer(t)
	testVersionedBucketRecordLeavesNoSnapshots(t, l)
}

// The bucket record is replaced on every versioning or policy change; in a
// versioned bucket, whose directory keeps snapshot edges, the replaced
// records must not pile up as snapshot edges until DeleteBucket.
func testVersionedBucketRecordLeavesNoSnapshots(t *testing.T, l *Layer) {
	ctx := t.Context()
	for _, status := range []string{VersioningEnabled, VersioningSuspended, VersioningEnabled, VersioningSuspended} {
		if err := l.setBucketVersioning(ctx, testBucket, status); err != nil {
			t.Fatal(err)
		}
	}
	bid, err := l.bucketID(ctx, testBucket)
	if err != nil {
		t.Fatal(err)
	}
	var edges []store.Version
	err = l.st.(store.VersionedDirs).ReadNameVersions(ctx, bid, bucketRecordName, func(v store.Version) error {
		edges = append(edges, v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(edges) != 1 || !edges[0].Current {
		t.Fatalf("bucket record edges after four changes: %+v, want only the current one", edges)
	}
	state, err := l.BucketVersioning(ctx, testBucket)
	if err != nil || state.Status != VersioningSuspended {
		t.Fatalf("state %+v, %v", state, err)
	}
}
