package local

import (
	"context"
	"errors"
	"testing"

	"github.com/terngate/terngate/store"
)

// A marker goes onto a name without a current file, beside older markers
// and beside a directory, always newest; a current file refuses it.
func TestAddDeletionMarker(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dir := keepingDir(t, s, "versioned")

	first, err := s.AddDeletionMarker(ctx, dir, "never-written")
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.AddDeletionMarker(ctx, dir, "never-written")
	if err != nil {
		t.Fatal(err)
	}
	got := nameVersions(t, s, dir, "never-written")
	wantShapes(t, got, versionShape{0, false, false}, versionShape{0, false, false})
	if !got[0].CreationTime.Equal(second.CreationTime) || !got[1].CreationTime.Equal(first.CreationTime) {
		t.Fatalf("markers at %v, %v; AddDeletionMarker said %v, %v", got[0].CreationTime, got[1].CreationTime, second.CreationTime, first.CreationTime)
	}

	f := putFile(t, s, dir, "k", []byte("one"))
	if _, err := s.AddDeletionMarker(ctx, dir, "k"); !errors.Is(err, store.ErrExists) {
		t.Fatalf("AddDeletionMarker over a current file = %v, want ErrExists", err)
	}
	if err := s.UnlinkFile(ctx, dir, "k", f.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDeletionMarker(ctx, dir, "k"); err != nil {
		t.Fatalf("AddDeletionMarker after a marker: %v", err)
	}
	wantShapes(t, nameVersions(t, s, dir, "k"),
		versionShape{0, false, false}, versionShape{0, false, false}, versionShape{f.ID, false, true})

	sub, err := s.MakeDirectory(ctx, dir, "d")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDeletionMarker(ctx, dir, "d"); err != nil {
		t.Fatalf("AddDeletionMarker beside a directory: %v", err)
	}
	if e, err := s.Lookup(ctx, dir, "d"); err != nil || e.ID != sub {
		t.Fatalf("Lookup(d) = %+v, %v; the directory must stay current", e, err)
	}

}

// RestoreSnapshotAs makes a snapshot's file current under another name,
// turning that name's current file into a snapshot edge; a directory
// there refuses it.
func TestRestoreSnapshotAsAnotherName(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dir := keepingDir(t, s, "versioned")
	old := putFile(t, s, dir, "k", []byte("one"))
	putFile(t, s, dir, "k", []byte("two"))
	shadow := putFile(t, s, dir, "~k", []byte("three"))
	snap := nameVersions(t, s, dir, "k")[1]
	if _, err := s.MakeDirectory(ctx, dir, "d"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RestoreSnapshotAs(ctx, dir, snap, "d"); !errors.Is(err, store.ErrIsDirectory) {
		t.Fatalf("restore onto a directory = %v, want ErrIsDirectory", err)
	}
	e, err := s.RestoreSnapshotAs(ctx, dir, snap, "~k")
	if err != nil || e.ID != old.ID || e.Name != "~k" {
		t.Fatalf("RestoreSnapshotAs = %+v, %v", e, err)
	}
	wantShapes(t, nameVersions(t, s, dir, "~k"), versionShape{old.ID, true, true}, versionShape{shadow.ID, false, true})
	if got := nameVersions(t, s, dir, "k"); len(got) != 1 || !got[0].Current {
		t.Fatalf("versions of k after the restore = %+v, want only its current edge", got)
	}
}
