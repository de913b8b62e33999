package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

// dirVersions returns ReadDirVersions' answer.
func dirVersions(t *testing.T, s *Store, dir store.ID) []store.Version {
	t.Helper()
	var got []store.Version
	if err := s.ReadDirVersions(context.Background(), dir, func(v store.Version) error {
		got = append(got, v)
		return nil
	}); err != nil {
		t.Fatalf("ReadDirVersions: %v", err)
	}
	return got
}

// versionKey is a version without its creation time, which differs between
// stores that ran the same operations.
func versionKey(v store.Version) string {
	return fmt.Sprintf("%s/%d/%v/%v/%v", v.Name, v.ID, v.Current, v.Owned, v.Dir)
}

// checkSnapshotOrder fails unless ReadDirVersions' snapshot edges (after
// the current ones) are in key order: by name, then oldest first.
func checkSnapshotOrder(t *testing.T, vs []store.Version) {
	t.Helper()
	var prev *store.Version
	for i := range vs {
		v := &vs[i]
		if v.Current {
			continue
		}
		if prev != nil && (prev.Name > v.Name || prev.Name == v.Name && !prev.CreationTime.Before(v.CreationTime)) {
			t.Fatalf("snapshot edges out of order: %+v then %+v", *prev, *v)
		}
		prev = v
	}
}

// logLength counts the snapshot edges in the log.
func logLength(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	if err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(snapshotLogBucket); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// The same random history of overwrites, unlinks, markers, renames,
// restores and removals on stores whose logs move at different lengths
// (every edge, every third, never) reads the same after every step: the
// log changes where snapshot edges are kept, never what the store answers.
func TestSnapshotLogReadsAsOneIndex(t *testing.T) {
	limits := []int{1, 3, 1 << 30}
	stores := make([]*Store, len(limits))
	dirs := make([]store.ID, len(limits))
	for i, limit := range limits {
		stores[i] = newTestStore(t)
		stores[i].snapshotLogLimit = limit
		stores[i].batch = 2 // ReadDirVersions merges across batches too
		dirs[i] = keepingDir(t, stores[i], "versioned")
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(16, 2026))
	names := []string{"a", "b", "b2", "c"}
	for step := range 300 {
		name := names[rng.IntN(len(names))]
		op := rng.IntN(6)
		pick := rng.IntN(1 << 20)
		var did string
		for i, s := range stores {
			dir := dirs[i]
			vs := nameVersions(t, s, dir, name)
			var current *store.Version
			var owned, any []store.Version
			for _, v := range vs {
				switch {
				case v.Current:
					current = &v
				case ownsFile(v):
					owned = append(owned, v)
					any = append(any, v)
				default:
					any = append(any, v)
				}
			}
			var err error
			switch {
			case op == 0 || op == 1:
				did = "overwrite"
				_, err = s.LinkInlineFile(ctx, dir, name, []byte(name), nil)
			case op == 2 && current != nil:
				did = "unlink"
				err = s.UnlinkFile(ctx, dir, name, current.ID)
			case op == 2:
				did = "marker"
				_, err = s.AddDeletionMarker(ctx, dir, name)
			case op == 3 && len(owned) > 0:
				did = "restore"
				_, err = s.RestoreSnapshot(ctx, dir, owned[pick%len(owned)])
			case op == 4 && len(any) > 0:
				did = "remove"
				err = s.RemoveSnapshotEdge(ctx, dir, any[pick%len(any)])
			case op == 5 && current != nil:
				did = "rename"
				err = s.Rename(ctx, dir, name, fmt.Sprintf("r%d", step))
				if errors.Is(err, store.ErrExists) {
					err = nil
				}
			default:
				did = "nothing"
			}
			if err != nil {
				t.Fatalf("step %d: %s %q on store %d: %v", step, did, name, i, err)
			}
		}
		want := dirVersions(t, stores[len(stores)-1], dirs[len(dirs)-1])
		checkSnapshotOrder(t, want)
		for i, s := range stores[:len(stores)-1] {
			got := dirVersions(t, s, dirs[i])
			checkSnapshotOrder(t, got)
			if fmt.Sprint(keysOf(got)) != fmt.Sprint(keysOf(want)) {
				t.Fatalf("step %d (%s %q): log limit %d lists %v, want %v", step, did, name, limits[i], keysOf(got), keysOf(want))
			}
			for _, n := range names {
				g, w := nameVersions(t, s, dirs[i], n), nameVersions(t, stores[len(stores)-1], dirs[len(dirs)-1], n)
				if fmt.Sprint(keysOf(g)) != fmt.Sprint(keysOf(w)) {
					t.Fatalf("step %d (%s %q): log limit %d: versions of %q %v, want %v", step, did, name, limits[i], n, keysOf(g), keysOf(w))
				}
				for k := 1; k < len(g); k++ {
					if !g[k].Current && !g[k].CreationTime.Before(g[k-1].CreationTime) {
						t.Fatalf("step %d: versions of %q not newest first: %+v", step, n, g)
					}
				}
			}
		}
		if n := logLength(t, stores[1]); n > limits[1] {
			t.Fatalf("step %d: log of %d edges, limit %d", step, n, limits[1])
		}
	}
}

func keysOf(vs []store.Version) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = versionKey(v)
	}
	return out
}

// A meta.db written before the snapshot log (snapshot edges only in the
// snapshots bucket, no log bucket) opens and reads as before; its edges
// are removed and restored where they are, new ones go to the log.
func TestSnapshotsWrittenBeforeTheLog(t *testing.T) {
	path := t.TempDir()
	s := openTestStore(t, path, 0)
	ctx := context.Background()
	dir := keepingDir(t, s, "versioned")
	s.snapshotLogLimit = 1 // every edge moves to the snapshots bucket
	var ids []store.ID
	for _, body := range []string{"one", "two", "three", "four"} {
		ids = append(ids, putFile(t, s, dir, "k", []byte(body)).ID)
	}
	if err := s.UnlinkFile(ctx, dir, "k", ids[3]); err != nil {
		t.Fatal(err)
	}
	// What main's layout holds: no log bucket at all.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		if err := s.flushLogForTest(tx); err != nil {
			return err
		}
		return tx.DeleteBucket(snapshotLogBucket)
	}); err != nil {
		t.Fatal(err)
	}
	before := keysOf(nameVersions(t, s, dir, "k"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTestStore(t, path, 0)
	defer s.Close()
	if got := keysOf(nameVersions(t, s, dir, "k")); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Fatalf("versions after reopen = %v, want %v", got, before)
	}
	for i, want := range []string{"one", "two", "three", "four"} {
		if got := readFile(t, s, ids[i]); string(got) != want {
			t.Fatalf("version %d = %q, want %q", i, got, want)
		}
	}
	vs := nameVersions(t, s, dir, "k") // marker, four, three, two, one
	if _, err := s.RestoreSnapshot(ctx, dir, vs[2]); err != nil {
		t.Fatalf("restore an edge of the old layout: %v", err)
	}
	if err := s.RemoveSnapshotEdge(ctx, dir, vs[4]); err != nil {
		t.Fatalf("remove an edge of the old layout: %v", err)
	}
	five := putFile(t, s, dir, "k", []byte("five"))
	if n := logLength(t, s); n != 1 {
		t.Fatalf("log holds %d edges after one overwrite, want 1", n)
	}
	wantShapes(t, nameVersions(t, s, dir, "k"),
		versionShape{five.ID, true, true}, versionShape{ids[2], false, true}, versionShape{0, false, false},
		versionShape{ids[3], false, true}, versionShape{ids[1], false, true})
	checkSnapshotOrder(t, dirVersions(t, s, dir))
}

// flushLogForTest moves the whole log into the snapshots bucket.
func (s *Store) flushLogForTest(tx *bolt.Tx) error {
	b := tx.Bucket(snapshotLogBucket)
	if b == nil {
		return nil
	}
	limit := s.snapshotLogLimit
	s.snapshotLogLimit = 1
	defer func() { s.snapshotLogLimit = limit }()
	_, err := s.flushSnapshotLogIfFull(tx, b)
	return err
}

// A commit's snapshot edges go to the log's last leaf, whichever names
// they belong to; the log moves into the snapshots bucket at its limit.
func TestSnapshotLogMovesAtItsLimit(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dir := keepingDir(t, s, "versioned")
	s.snapshotLogLimit = 5
	for i := range 12 {
		if _, err := s.LinkInlineFile(ctx, dir, fmt.Sprintf("k%d", i%3), []byte("x"), nil); err != nil {
			t.Fatal(err)
		}
	}
	// 9 snapshot edges: the log moved at 5 and holds the 4 since.
	if n := logLength(t, s); n != 4 {
		t.Fatalf("log holds %d edges, want 4", n)
	}
	var kept int
	if err := s.db.View(func(tx *bolt.Tx) error {
		kept = tx.Bucket(snapshotsBucket).Stats().KeyN
		return tx.Bucket(snapshotLogBucket).ForEach(func(k, v []byte) error {
			if _, err := decodeLogged(k, v); err != nil {
				return err
			}
			if !bytes.HasPrefix(v[snapshotRecordLen:], idKey(dir)) {
				return fmt.Errorf("logged edge %x is not in directory %d", v, dir)
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if kept != 5 {
		t.Fatalf("snapshots bucket holds %d edges, want 5", kept)
	}
	for i := range 3 {
		if n := len(nameVersions(t, s, dir, fmt.Sprintf("k%d", i))); n != 4 {
			t.Fatalf("k%d has %d versions, want 4", i, n)
		}
	}
}

// Close moves the log into the snapshots bucket: a meta.db closed cleanly
// holds every snapshot edge where code older than the log looks for them,
// and the store reopened reads the same versions.
func TestCloseMovesTheSnapshotLog(t *testing.T) {
	path := t.TempDir()
	s := openTestStore(t, path, 0)
	ctx := context.Background()
	dir := keepingDir(t, s, "versioned")
	for i := range 7 {
		if _, err := s.LinkInlineFile(ctx, dir, fmt.Sprintf("k%d", i%2), []byte("x"), nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := logLength(t, s); n != 5 {
		t.Fatalf("log holds %d edges before Close, want 5", n)
	}
	before := keysOf(dirVersions(t, s, dir))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	db, err := bolt.Open(filepath.Join(path, "meta.db"), 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	var logged, kept int
	err = db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(snapshotLogBucket); b != nil {
			logged = b.Stats().KeyN
		}
		kept = tx.Bucket(snapshotsBucket).Stats().KeyN
		return nil
	})
	db.Close()
	if err != nil || logged != 0 || kept != 5 {
		t.Fatalf("after Close: %d logged, %d in the snapshots bucket (%v); want 0 and 5", logged, kept, err)
	}
	s = openTestStore(t, path, 0)
	defer s.Close()
	if after := keysOf(dirVersions(t, s, dir)); !slices.Equal(after, before) {
		t.Fatalf("versions after reopening: %v, want %v", after, before)
	}
}
