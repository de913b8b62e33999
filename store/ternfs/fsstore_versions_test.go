package ternfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

// These tests need a cluster (TERNFS_REGISTRY; they skip without one,
// saying so) and check store.VersionedDirs against what the shards really
// do with snapshot edges.

func linkTestFile(t *testing.T, ctx context.Context, s *Store, dir store.ID, name string, data []byte) store.FileInfo {
	t.Helper()
	tr := mustWrite(t, ctx, s, dir, "versions test", data)
	info, err := s.LinkFile(ctx, tr, dir, name)
	if err != nil {
		t.Fatalf("link %q: %v", name, err)
	}
	return info
}

func readVersions(t *testing.T, ctx context.Context, s *Store, dir store.ID, name string) []store.Version {
	t.Helper()
	var got []store.Version
	if err := s.ReadNameVersions(ctx, dir, name, func(v store.Version) error {
		got = append(got, v)
		return nil
	}); err != nil {
		t.Fatalf("ReadNameVersions(%q): %v", name, err)
	}
	for i := 1; i < len(got); i++ {
		if !got[i].CreationTime.Before(got[i-1].CreationTime) {
			t.Fatalf("versions of %q not newest first: %+v", name, got)
		}
	}
	return got
}

// describe renders versions as "c:<id>" (current), "s:<id>" (owned
// snapshot), "n:<id>" (non-owned snapshot) and "m" (deletion marker).
func describe(vs []store.Version) string {
	var parts []string
	for _, v := range vs {
		switch {
		case v.DeletionMarker():
			parts = append(parts, "m")
		case v.Current:
			parts = append(parts, fmt.Sprintf("c:%d", v.ID))
		case v.Owned:
			parts = append(parts, fmt.Sprintf("s:%d", v.ID))
		default:
			parts = append(parts, fmt.Sprintf("n:%d", v.ID))
		}
	}
	return strings.Join(parts, " ")
}

func wantVersions(t *testing.T, got []store.Version, want string) {
	t.Helper()
	if d := describe(got); d != want {
		t.Fatalf("versions = %s, want %s", d, want)
	}
}

func readAll(t *testing.T, ctx context.Context, s *Store, id store.ID) []byte {
	t.Helper()
	f, err := s.OpenFile(ctx, id)
	if err != nil {
		t.Fatalf("OpenFile(%v): %v", id, err)
	}
	defer f.Close()
	b := make([]byte, f.Size())
	if _, err := f.ReadAt(b, 0); err != nil {
		t.Fatalf("read %v: %v", id, err)
	}
	return b
}

func keepingTestDir(t *testing.T, ctx context.Context, s *Store, name string) store.ID {
	t.Helper()
	dir, err := s.MakeDirectory(ctx, s.Root(), name)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetKeepSnapshots(ctx, dir, true); err != nil {
		t.Fatalf("SetKeepSnapshots: %v", err)
	}
	return dir
}

func TestVersionedDirsIntegration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	dir := keepingTestDir(t, ctx, s, "bucket")

	v1 := linkTestFile(t, ctx, s, dir, "k", []byte("one"))
	v2 := linkTestFile(t, ctx, s, dir, "k", []byte("two"))
	v3 := linkTestFile(t, ctx, s, dir, "k", []byte("three"))
	wantVersions(t, readVersions(t, ctx, s, dir, "k"), fmt.Sprintf("c:%d s:%d s:%d", v3.ID, v2.ID, v1.ID))
	for id, want := range map[store.ID]string{v1.ID: "one", v2.ID: "two", v3.ID: "three"} {
		if got := readAll(t, ctx, s, id); string(got) != want {
			t.Fatalf("version %d = %q, want %q", id, got, want)
		}
	}

	if err := s.UnlinkFile(ctx, dir, "k", v3.ID); err != nil {
		t.Fatal(err)
	}
	all := readVersions(t, ctx, s, dir, "k")
	wantVersions(t, all, fmt.Sprintf("m s:%d s:%d s:%d", v3.ID, v2.ID, v1.ID))

	t.Run("RemoveSnapshotEdge", func(t *testing.T) {
		if err := s.RemoveSnapshotEdge(ctx, dir, all[2]); err != nil {
			t.Fatalf("remove v2: %v", err)
		}
		if _, err := s.StatFile(ctx, v2.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("StatFile(removed version) = %v, want ErrNotFound", err)
		}
		if err := s.RemoveSnapshotEdge(ctx, dir, all[2]); err != nil {
			t.Fatalf("removing v2 again = %v, want nil (already gone)", err)
		}
		for range 2 {
			if err := s.RemoveSnapshotEdge(ctx, dir, all[0]); err != nil {
				t.Fatalf("remove marker: %v", err)
			}
		}
		wantVersions(t, readVersions(t, ctx, s, dir, "k"), fmt.Sprintf("s:%d s:%d", v3.ID, v1.ID))
	})

	t.Run("RestoreSnapshot", func(t *testing.T) {
		vs := readVersions(t, ctx, s, dir, "k")
		entry, err := s.RestoreSnapshot(ctx, dir, vs[1]) // v1, onto a name with no current edge
		if err != nil {
			t.Fatalf("RestoreSnapshot(v1): %v", err)
		}
		if entry.ID != v1.ID {
			t.Fatalf("restored %+v, want file %d", entry, v1.ID)
		}
		if e, err := s.Lookup(ctx, dir, "k"); err != nil || e.ID != v1.ID || !e.CreationTime.Equal(entry.CreationTime) {
			t.Fatalf("Lookup after restore = %+v, %v; want %+v", e, err, entry)
		}
		wantVersions(t, readVersions(t, ctx, s, dir, "k"), fmt.Sprintf("c:%d s:%d", v1.ID, v3.ID))

		// Restoring over a current file keeps that file as a snapshot.
		vs = readVersions(t, ctx, s, dir, "k")
		if _, err := s.RestoreSnapshot(ctx, dir, vs[1]); err != nil {
			t.Fatalf("RestoreSnapshot(v3): %v", err)
		}
		wantVersions(t, readVersions(t, ctx, s, dir, "k"), fmt.Sprintf("c:%d s:%d", v3.ID, v1.ID))
		if got := readAll(t, ctx, s, v1.ID); string(got) != "one" {
			t.Fatalf("v1 after two restores = %q", got)
		}
	})

	t.Run("ReadDirVersions", func(t *testing.T) {
		linkTestFile(t, ctx, s, dir, "other", []byte("x"))
		if _, err := s.MakeDirectory(ctx, dir, "sub"); err != nil {
			t.Fatal(err)
		}
		seen := map[string][]store.Version{}
		if err := s.ReadDirVersions(ctx, dir, func(v store.Version) error {
			seen[v.Name] = append(seen[v.Name], v)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(seen["k"]) != 2 || len(seen["other"]) != 1 || len(seen["sub"]) != 1 || !seen["sub"][0].Dir {
			t.Fatalf("ReadDirVersions saw %+v", seen)
		}
	})
}

func TestKeepSnapshotsPolicyIntegration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	bucket, err := s.MakeDirectory(ctx, s.Root(), "bucket")
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.MakeDirectory(ctx, bucket, "sub")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []store.ID{bucket, sub} {
		if keep, err := s.KeepsSnapshots(ctx, d); err != nil || keep {
			t.Fatalf("KeepsSnapshots(%v) before = %v, %v; want false", d, keep, err)
		}
	}
	if err := s.SetKeepSnapshots(ctx, bucket, true); err != nil {
		t.Fatal(err)
	}
	for _, d := range []store.ID{bucket, sub} {
		if keep, err := s.KeepsSnapshots(ctx, d); err != nil || !keep {
			t.Fatalf("KeepsSnapshots(%v) = %v, %v; want true (inherited by sub)", d, keep, err)
		}
	}
	// A subdirectory can stop keeping under a keeping one (a bucket's
	// metadata directory does).
	if err := s.SetKeepSnapshots(ctx, sub, false); err != nil {
		t.Fatal(err)
	}
	if keep, err := s.KeepsSnapshots(ctx, sub); err != nil || keep {
		t.Fatalf("KeepsSnapshots(sub) turned off under a keeping bucket = %v, %v; want false", keep, err)
	}
	if keep, err := s.KeepsSnapshots(ctx, bucket); err != nil || !keep {
		t.Fatalf("KeepsSnapshots(bucket) = %v, %v; want still true", keep, err)
	}
	if err := s.SetKeepSnapshots(ctx, bucket, false); err != nil {
		t.Fatal(err)
	}
	if keep, err := s.KeepsSnapshots(ctx, bucket); err != nil || keep {
		t.Fatalf("KeepsSnapshots(bucket) after turning it off = %v, %v; want false", keep, err)
	}
}

// A file a native TernFS client overwrites shows up as a snapshot edge, the
// old bytes readable by its ID.
func TestNativeOverwriteIsAVersionIntegration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	root := fmt.Sprintf("/terngate-versions-it/%d", time.Now().UnixNano())
	s := openIntegrationStoreAt(t, ctx, root, nil)
	terncli := os.Getenv("TERNFS_TERNCLI")
	if terncli == "" {
		t.Skip("TERNFS_TERNCLI not set: this test needs terncli (e.g. /opt/ternfs/bin/terncli) to write as a native client")
	}
	dir := keepingTestDir(t, ctx, s, "bucket")
	old := linkTestFile(t, ctx, s, dir, "k", []byte("written by the gateway"))
	in := filepath.Join(t.TempDir(), "f")
	native := []byte("written by terncli")
	if err := os.WriteFile(in, native, 0o644); err != nil {
		t.Fatal(err)
	}
	registry := strings.Split(os.Getenv("TERNFS_REGISTRY"), ",")[0]
	cmd := exec.CommandContext(ctx, terncli, "-registry", registry, "cp-into", "-i", in, "-o", root+"/bucket/k")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("terncli cp-into: %v\n%s", err, out)
	}
	vs := readVersions(t, ctx, s, dir, "k")
	if len(vs) != 2 || !vs[0].Current || vs[1].Current || !vs[1].Owned || vs[1].ID != old.ID {
		t.Fatalf("versions after terncli overwrite = %s, want c:<new> s:%d", describe(vs), old.ID)
	}
	if got := readAll(t, ctx, s, vs[0].ID); !bytes.Equal(got, native) {
		t.Fatalf("current = %q, want terncli's bytes", got)
	}
	if got := readAll(t, ctx, s, old.ID); string(got) != "written by the gateway" {
		t.Fatalf("snapshot = %q, want the gateway's bytes", got)
	}
}

// A rename in a directory that keeps snapshots leaves a non-owned snapshot
// edge and a deletion marker under the old name; the marker's creation time
// is the new edge's (docs/versioning.md relies on it to tell a rename's
// marker from a delete's).
func TestRenameInKeepingDirectoryIntegration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	dir := keepingTestDir(t, ctx, s, "bucket")
	f := linkTestFile(t, ctx, s, dir, "old", []byte("a"))
	if err := s.Rename(ctx, dir, "old", "new"); err != nil {
		t.Fatal(err)
	}
	left := readVersions(t, ctx, s, dir, "old")
	wantVersions(t, left, fmt.Sprintf("m n:%d", f.ID))
	moved := readVersions(t, ctx, s, dir, "new")
	wantVersions(t, moved, fmt.Sprintf("c:%d", f.ID))
	if !left[0].CreationTime.Equal(moved[0].CreationTime) {
		t.Fatalf("marker created %v, new edge %v: want the same time", left[0].CreationTime, moved[0].CreationTime)
	}
	for _, v := range left {
		if err := s.RemoveSnapshotEdge(ctx, dir, v); err != nil {
			t.Fatalf("remove %s: %v", describe([]store.Version{v}), err)
		}
	}
	wantVersions(t, readVersions(t, ctx, s, dir, "old"), "")
	if got := readAll(t, ctx, s, f.ID); string(got) != "a" {
		t.Fatalf("renamed file = %q", got)
	}
}

// FullReadDir answers in MTU-bounded pages; a name with a hundred versions
// and a directory of them take several, resumed from the shard's cursor,
// including the turn from snapshot to current edges.
func TestVersionListingsSpanPagesIntegration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	dir := keepingTestDir(t, ctx, s, "bucket")
	const n = 120
	var ids []store.ID
	for i := range n {
		ids = append(ids, linkTestFile(t, ctx, s, dir, "k", []byte{byte(i)}).ID)
	}
	linkTestFile(t, ctx, s, dir, "other", []byte("x"))
	before := requestCounts(s)["FullReadDir"]
	vs := readVersions(t, ctx, s, dir, "k") // checks newest first
	if pages := requestCounts(s)["FullReadDir"] - before; pages < 2 {
		t.Fatalf("%d versions in %d FullReadDir page(s): the test does not reach paging", len(vs), pages)
	}
	if len(vs) != n || !vs[0].Current {
		t.Fatalf("%d versions of k (first current: %v), want %d", len(vs), len(vs) > 0 && vs[0].Current, n)
	}
	for i, v := range vs {
		if want := ids[n-1-i]; v.ID != want || !v.Owned {
			t.Fatalf("version %d is %+v, want owned file %d", i, v, want)
		}
	}
	seen := map[store.ID]int{}
	current := 0
	if err := s.ReadDirVersions(ctx, dir, func(v store.Version) error {
		seen[v.ID]++
		if v.Current {
			current++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != n+1 || current != 2 {
		t.Fatalf("ReadDirVersions saw %d distinct files, %d current; want %d and 2", len(seen), current, n+1)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("file %d listed %d times", id, c)
		}
	}
}
