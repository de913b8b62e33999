package local

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/terngate/terngate/store"
)

// nameVersions returns ReadNameVersions' answer.
func nameVersions(t *testing.T, s *Store, dir store.ID, name string) []store.Version {
	t.Helper()
	var got []store.Version
	if err := s.ReadNameVersions(context.Background(), dir, name, func(v store.Version) error {
		got = append(got, v)
		return nil
	}); err != nil {
		t.Fatalf("ReadNameVersions(%q): %v", name, err)
	}
	return got
}

// versionShape is a version without its creation time, for comparisons.
type versionShape struct {
	ID      store.ID
	Current bool
	Owned   bool
}

func shapes(vs []store.Version) []versionShape {
	out := make([]versionShape, len(vs))
	for i, v := range vs {
		out[i] = versionShape{v.ID, v.Current, v.Owned}
	}
	return out
}

func wantShapes(t *testing.T, got []store.Version, want ...versionShape) {
	t.Helper()
	if g := shapes(got); fmt.Sprint(g) != fmt.Sprint(want) {
		t.Fatalf("versions = %v, want %v", g, want)
	}
	for i := 1; i < len(got); i++ {
		if !got[i].CreationTime.Before(got[i-1].CreationTime) {
			t.Fatalf("versions not newest first: %v then %v", got[i-1].CreationTime, got[i].CreationTime)
		}
	}
}

func keepingDir(t *testing.T, s *Store, name string) store.ID {
	t.Helper()
	ctx := context.Background()
	dir, err := s.MakeDirectory(ctx, s.Root(), name)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetKeepSnapshots(ctx, dir, true); err != nil {
		t.Fatalf("SetKeepSnapshots: %v", err)
	}
	return dir
}

func TestUnversionedDirectoryDropsReplacedFiles(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dir, err := s.MakeDirectory(ctx, s.Root(), "plain")
	if err != nil {
		t.Fatal(err)
	}
	old := putFile(t, s, dir, "k", []byte("one"))
	cur := putFile(t, s, dir, "k", []byte("two"))
	if _, err := s.StatFile(ctx, old.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("StatFile(replaced) = %v, want ErrNotFound", err)
	}
	wantShapes(t, nameVersions(t, s, dir, "k"), versionShape{cur.ID, true, true})
	if err := s.UnlinkFile(ctx, dir, "k", cur.ID); err != nil {
		t.Fatal(err)
	}
	wantShapes(t, nameVersions(t, s, dir, "k"))
	if keep, err := s.KeepsSnapshots(ctx, dir); err != nil || keep {
		t.Fatalf("KeepsSnapshots = %v, %v; want false", keep, err)
	}
	if dataFileCount(t, s) != 0 {
		t.Fatalf("%d data files left behind", dataFileCount(t, s))
	}
}

func TestKeptSnapshotsOfOverwriteAndUnlink(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dir := keepingDir(t, s, "versioned")
	v1 := putFile(t, s, dir, "k", []byte("one"))
	v2, err := s.LinkInlineFile(ctx, dir, "k", []byte("two"), []byte("attr2"))
	if err != nil {
		t.Fatal(err)
	}
	v3 := putFile(t, s, dir, "k", []byte("three"))
	wantShapes(t, nameVersions(t, s, dir, "k"),
		versionShape{v3.ID, true, true}, versionShape{v2.ID, false, true}, versionShape{v1.ID, false, true})

	// Every version stays readable by ID, with its attribute.
	for id, want := range map[store.ID]string{v1.ID: "one", v2.ID: "two", v3.ID: "three"} {
		if got := readFile(t, s, id); string(got) != want {
			t.Fatalf("file %d = %q, want %q", id, got, want)
		}
	}
	if attr, err := s.FileAttribute(ctx, v2.ID); err != nil || string(attr) != "attr2" {
		t.Fatalf("FileAttribute(snapshot) = %q, %v", attr, err)
	}

	if err := s.UnlinkFile(ctx, dir, "k", v3.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, dir, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Lookup after unlink = %v, want ErrNotFound", err)
	}
	got := nameVersions(t, s, dir, "k")
	wantShapes(t, got,
		versionShape{0, false, false}, versionShape{v3.ID, false, true}, versionShape{v2.ID, false, true}, versionShape{v1.ID, false, true})
	if !got[0].DeletionMarker() {
		t.Fatalf("newest edge after unlink is %+v, want a deletion marker", got[0])
	}
	var listed int
	if err := s.ReadDir(ctx, dir, func(store.Entry) error { listed++; return nil }); err != nil || listed != 0 {
		t.Fatalf("ReadDir lists %d edges (%v), want none: snapshot edges are not current", listed, err)
	}
}

func TestRemoveSnapshotEdgeRemovesExactlyOne(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dir := keepingDir(t, s, "versioned")
	v1 := putFile(t, s, dir, "k", []byte("one"))
	v2 := putFile(t, s, dir, "k", []byte("two"))
	v3 := putFile(t, s, dir, "k", []byte("three"))
	if err := s.UnlinkFile(ctx, dir, "k", v3.ID); err != nil {
		t.Fatal(err)
	}
	all := nameVersions(t, s, dir, "k") // marker, v3, v2, v1

	if err := s.RemoveSnapshotEdge(ctx, dir, all[2]); err != nil {
		t.Fatalf("RemoveSnapshotEdge(v2): %v", err)
	}
	if _, err := s.StatFile(ctx, v2.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("StatFile(removed version) = %v, want ErrNotFound", err)
	}
	if dataFileExists(s, v2.ID) {
		t.Fatal("removed version's data file is still on disk")
	}
	if err := s.RemoveSnapshotEdge(ctx, dir, all[2]); err != nil {
		t.Fatalf("removing it again = %v, want nil (already gone)", err)
	}
	for range 2 { // a second removal of a marker finds it gone: no error
		if err := s.RemoveSnapshotEdge(ctx, dir, all[0]); err != nil {
			t.Fatalf("RemoveSnapshotEdge(marker): %v", err)
		}
	}
	wantShapes(t, nameVersions(t, s, dir, "k"), versionShape{v3.ID, false, true}, versionShape{v1.ID, false, true})
	wrong := all[3]
	wrong.ID = v3.ID
	if err := s.RemoveSnapshotEdge(ctx, dir, wrong); err != nil {
		t.Fatalf("RemoveSnapshotEdge with another target = %v, want nil (no such edge)", err)
	}
	wantShapes(t, nameVersions(t, s, dir, "k"), versionShape{v3.ID, false, true}, versionShape{v1.ID, false, true})
	if got := readFile(t, s, v1.ID); string(got) != "one" {
		t.Fatalf("v1 = %q", got)
	}
}

func TestRestoreSnapshotMakesAVersionCurrent(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dir := keepingDir(t, s, "versioned")
	v1 := putFile(t, s, dir, "k", []byte("one"))
	v2 := putFile(t, s, dir, "k", []byte("two"))
	old := nameVersions(t, s, dir, "k")[1]

	entry, err := s.RestoreSnapshot(ctx, dir, old)
	if err != nil {
		t.Fatalf("RestoreSnapshot: %v", err)
	}
	if entry.ID != v1.ID || !entry.CreationTime.After(old.CreationTime) {
		t.Fatalf("restored entry = %+v, want file %d with a new creation time", entry, v1.ID)
	}
	if e, err := s.Lookup(ctx, dir, "k"); err != nil || e.ID != v1.ID {
		t.Fatalf("Lookup after restore = %+v, %v; want file %d", e, err, v1.ID)
	}
	wantShapes(t, nameVersions(t, s, dir, "k"), versionShape{v1.ID, true, true}, versionShape{v2.ID, false, true})

	// A marker owns no file: nothing to restore.
	if err := s.UnlinkFile(ctx, dir, "k", v1.ID); err != nil {
		t.Fatal(err)
	}
	marker := nameVersions(t, s, dir, "k")[0]
	if _, err := s.RestoreSnapshot(ctx, dir, marker); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RestoreSnapshot(marker) = %v, want ErrNotFound", err)
	}
	// Restoring onto a name with no current edge.
	v1Snap := nameVersions(t, s, dir, "k")[1]
	if _, err := s.RestoreSnapshot(ctx, dir, v1Snap); err != nil {
		t.Fatalf("RestoreSnapshot after unlink: %v", err)
	}
	wantShapes(t, nameVersions(t, s, dir, "k"),
		versionShape{v1.ID, true, true}, versionShape{0, false, false}, versionShape{v2.ID, false, true})
}

func TestKeepSnapshotsReachesSubdirectories(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	bucket, err := s.MakeDirectory(ctx, s.Root(), "bucket")
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.MakeDirectory(ctx, bucket, "before")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetKeepSnapshots(ctx, bucket, true); err != nil {
		t.Fatal(err)
	}
	after, err := s.MakeDirectory(ctx, before, "after")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []store.ID{bucket, before, after} {
		if keep, err := s.KeepsSnapshots(ctx, d); err != nil || !keep {
			t.Fatalf("KeepsSnapshots(%d) = %v, %v; want true", d, keep, err)
		}
		putFile(t, s, d, "k", []byte("a"))
		putFile(t, s, d, "k", []byte("b"))
		if n := len(nameVersions(t, s, d, "k")); n != 2 {
			t.Fatalf("directory %d has %d versions of k, want 2", d, n)
		}
	}
	if other, err := s.MakeDirectory(ctx, s.Root(), "other"); err != nil {
		t.Fatal(err)
	} else if keep, _ := s.KeepsSnapshots(ctx, other); keep {
		t.Fatal("a directory outside the bucket keeps snapshots")
	}

	// A subdirectory can stop keeping under a keeping one (a bucket's
	// metadata directory does), and its new subdirectories follow it.
	if err := s.SetKeepSnapshots(ctx, before, false); err != nil {
		t.Fatal(err)
	}
	below, err := s.MakeDirectory(ctx, after, "below")
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range map[store.ID]bool{bucket: true, before: false, after: false, below: false} {
		if keep, err := s.KeepsSnapshots(ctx, d); err != nil || keep != want {
			t.Fatalf("KeepsSnapshots(%d) = %v, %v; want %v", d, keep, err, want)
		}
	}

	// Turning it off stops keeping, and keeps what was kept.
	if err := s.SetKeepSnapshots(ctx, bucket, false); err != nil {
		t.Fatal(err)
	}
	putFile(t, s, after, "k", []byte("c"))
	if n := len(nameVersions(t, s, after, "k")); n != 2 {
		t.Fatalf("after turning keeping off: %d versions, want 2 (the old snapshot and the new current)", n)
	}
}

func TestRemoveDirectoryKeepsVersionsReachable(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	bucket := keepingDir(t, s, "bucket")
	sub, err := s.MakeDirectory(ctx, bucket, "sub")
	if err != nil {
		t.Fatal(err)
	}
	f := putFile(t, s, sub, "k", []byte("a"))
	if err := s.UnlinkFile(ctx, sub, "k", f.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveDirectory(ctx, bucket, "sub"); !errors.Is(err, store.ErrNotEmpty) {
		t.Fatalf("RemoveDirectory with snapshot edges = %v, want ErrNotEmpty", err)
	}
	for _, v := range nameVersions(t, s, sub, "k") {
		if err := s.RemoveSnapshotEdge(ctx, sub, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RemoveDirectory(ctx, bucket, "sub"); err != nil {
		t.Fatalf("RemoveDirectory once empty: %v", err)
	}
	if dataFileCount(t, s) != 0 {
		t.Fatalf("%d data files left behind", dataFileCount(t, s))
	}
}

// A rename in a directory that keeps snapshots leaves what TernFS leaves
// under the old name: a snapshot edge that does not own the file, and a
// deletion marker created with the new edge.
func TestRenameLeavesNonOwnedEdgeAndMarker(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dir := keepingDir(t, s, "versioned")
	f := putFile(t, s, dir, "old", []byte("a"))
	if err := s.Rename(ctx, dir, "old", "new"); err != nil {
		t.Fatal(err)
	}
	got := nameVersions(t, s, dir, "old")
	wantShapes(t, got, versionShape{0, false, false}, versionShape{f.ID, false, false})
	moved := nameVersions(t, s, dir, "new")
	wantShapes(t, moved, versionShape{f.ID, true, true})
	if !got[0].CreationTime.Equal(moved[0].CreationTime) {
		t.Fatalf("marker created %v, new edge %v: want the same time", got[0].CreationTime, moved[0].CreationTime)
	}
	// Removing the non-owned edge leaves the file to its new edge.
	if err := s.RemoveSnapshotEdge(ctx, dir, got[1]); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, s, f.ID); string(got) != "a" {
		t.Fatalf("renamed file = %q", got)
	}
}

func TestReadDirVersionsListsEveryEdgeAcrossBatches(t *testing.T) {
	s := newTestStore(t)
	s.batch = 3
	ctx := context.Background()
	dir := keepingDir(t, s, "versioned")
	want := map[store.ID]bool{}
	for i := range 4 {
		name := fmt.Sprintf("k%d", i)
		for range 3 {
			want[putFile(t, s, dir, name, []byte(name)).ID] = true
		}
	}
	if _, err := s.MakeDirectory(ctx, dir, "sub"); err != nil {
		t.Fatal(err)
	}
	var files, current, dirs int
	if err := s.ReadDirVersions(ctx, dir, func(v store.Version) error {
		switch {
		case v.Dir:
			dirs++
		case !want[v.ID]:
			t.Errorf("unexpected version %+v", v)
		default:
			delete(want, v.ID)
			files++
			if v.Current {
				current++
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if files != 12 || current != 4 || dirs != 1 || len(want) != 0 {
		t.Fatalf("listed %d file versions (%d current), %d directories; missing %v", files, current, dirs, want)
	}
}

func TestSnapshotsSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir, 0)
	ctx := context.Background()
	bucket := keepingDir(t, s, "versioned")
	v1 := putFile(t, s, bucket, "k", []byte("one"))
	putFile(t, s, bucket, "k", []byte("two"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir, 0)
	defer s.Close()
	if got := readFile(t, s, v1.ID); string(got) != "one" {
		t.Fatalf("snapshot file after reopen = %q", got)
	}
	if n := len(nameVersions(t, s, bucket, "k")); n != 2 {
		t.Fatalf("%d versions after reopen, want 2", n)
	}
	if keep, err := s.KeepsSnapshots(ctx, bucket); err != nil || !keep {
		t.Fatalf("KeepsSnapshots after reopen = %v, %v", keep, err)
	}
}
