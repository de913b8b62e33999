package ternfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// TestSnapshotRetentionIntegration checks on a real cluster that Open sets
// the SNAPSHOT policy deletes rely on, and that TernFS's own collector
// (terncli collect, the garbage collector's directory pass) frees a deleted
// and a replaced file under a 0 retention while a 1 h retention keeps
// them, and their open readers, intact.
func TestSnapshotRetentionIntegration(t *testing.T) {
	regs := os.Getenv("TERNFS_REGISTRY")
	if regs == "" {
		t.Skip("TERNFS_REGISTRY not set (host:port[,...]): this test needs a running TernFS cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	base := fmt.Sprintf("/terngate-delete-it/%d", time.Now().UnixNano())
	open := func(root string, retention *time.Duration) *Store {
		t.Helper()
		s, err := Open(ctx, Options{Registry: strings.Split(regs, ","), Root: root, SnapshotRetention: retention})
		if err != nil {
			t.Fatalf("open %s (retention %v): %v", root, retention, err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	zero, hour := time.Duration(0), time.Hour

	// The policy is set, rewritten when the retention changes, and left
	// alone without one.
	s := open(base+"/zero", &hour)
	expectRetention(t, ctx, s, time.Hour)
	open(base+"/zero", nil)
	expectRetention(t, ctx, s, time.Hour)
	s = open(base+"/zero", &zero)
	expectRetention(t, ctx, s, 0)
	kept := open(base+"/hour", &hour)

	zeroFiles := deleteAndReplace(t, ctx, s)
	hourFiles := deleteAndReplace(t, ctx, kept)
	for _, f := range []doomedFiles{zeroFiles, hourFiles} {
		if n := snapshotEdges(t, ctx, f.s, f.dir); n != 2 {
			t.Fatalf("%d snapshot edges after a delete and a replace, want 2", n)
		}
	}

	bin := os.Getenv("TERNFS_TERNCLI")
	if bin == "" {
		t.Skip("TERNFS_TERNCLI not set: the policy is set, but the collector's use of it (terncli collect) is not checked")
	}
	for _, f := range []doomedFiles{zeroFiles, hourFiles} {
		// No minimum edge age, so the test need not wait the collector's
		// default hour: only the policy decides.
		cmd := exec.CommandContext(ctx, bin, "-registry", strings.Split(regs, ",")[0], "collect", "-dir", fmt.Sprint(uint64(f.dir)), "-min-edge-age", "0s")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terncli collect: %v\n%s", err, out)
		}
	}

	// Retention 0: both snapshot edges are gone and the files are transient,
	// left to the collector's file destruction.
	if n := snapshotEdges(t, ctx, s, zeroFiles.dir); n != 0 {
		t.Errorf("retention 0: %d snapshot edges left after collection", n)
	}
	for _, id := range []wire.InodeID{zeroFiles.deleted, zeroFiles.replaced} {
		if _, err := s.client.StatFile(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("retention 0: StatFile %v after collection: %v, want FILE_NOT_FOUND", id, err)
		}
		if _, err := s.client.StatTransientFile(ctx, id); err != nil {
			t.Errorf("retention 0: %v is not a transient file awaiting destruction: %v", id, err)
		}
	}
	// Retention 1 h: nothing collected; readers that opened the files
	// before the delete and the replace still read them whole.
	if n := snapshotEdges(t, ctx, kept, hourFiles.dir); n != 2 {
		t.Errorf("retention 1h: %d snapshot edges after collection, want 2", n)
	}
	for name, r := range hourFiles.readers {
		got := make([]byte, r.Size())
		if _, err := r.ReadAt(got, 0); err != nil || !bytes.Equal(got, hourFiles.data) {
			t.Errorf("retention 1h: reader of %s after collection: %v (equal %v)", name, err, bytes.Equal(got, hourFiles.data))
		}
	}
	if current := readAllOf(t, ctx, kept, store.ID(hourFiles.current)); !bytes.Equal(current, hourFiles.data2) {
		t.Error("retention 1h: the replacing file reads wrong")
	}
}

func expectRetention(t *testing.T, ctx context.Context, s *Store, want time.Duration) {
	t.Helper()
	st, err := s.client.StatDirectory(ctx, s.root)
	if err != nil {
		t.Fatal(err)
	}
	var p wire.SnapshotPolicy
	found, err := st.Info.Lookup(&p)
	if err != nil || !found {
		t.Fatalf("SNAPSHOT policy of the root: found %v, %v", found, err)
	}
	if got, active := p.DeleteAfter(); !active || got != want {
		t.Fatalf("SNAPSHOT policy of the root: delete after %v (active %v), want %v", got, active, want)
	}
}

// doomedFiles are a deleted and a replaced file in dir, with readers
// opened on them before.
type doomedFiles struct {
	s                 *Store
	dir               wire.InodeID
	deleted, replaced wire.InodeID
	current           wire.InodeID // what replaced replaced
	data, data2       []byte
	readers           map[string]store.File
}

func deleteAndReplace(t *testing.T, ctx context.Context, s *Store) doomedFiles {
	t.Helper()
	dir, err := s.MakeDirectory(ctx, s.Root(), "bucket")
	if err != nil {
		t.Fatal(err)
	}
	f := doomedFiles{s: s, dir: wire.InodeID(dir), data: storeTestBytes(3<<20+5, 41), data2: storeTestBytes(1000, 42), readers: map[string]store.File{}}
	link := func(name string, data []byte) wire.InodeID {
		tr := mustWrite(t, ctx, s, dir, "put", data)
		if _, err := s.LinkFile(ctx, tr, dir, name); err != nil {
			t.Fatalf("link %s: %v", name, err)
		}
		return wire.InodeID(tr.ID)
	}
	f.deleted, f.replaced = link("deleted", f.data), link("replaced", f.data)
	for name, id := range map[string]wire.InodeID{"deleted": f.deleted, "replaced": f.replaced} {
		r, err := s.OpenFile(ctx, store.ID(id))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		f.readers[name] = r
	}
	if err := s.UnlinkFile(ctx, dir, "deleted", store.ID(f.deleted)); err != nil {
		t.Fatalf("unlink: %v", err)
	}
	f.current = link("replaced", f.data2)
	return f
}

// snapshotEdges counts dir's snapshot edges that still point at a file
// (deletion markers aside).
func snapshotEdges(t *testing.T, ctx context.Context, s *Store, dir wire.InodeID) int {
	t.Helper()
	n := 0
	req := wire.FullReadDirReq{DirID: dir, Mtu: wire.MaxMTU}
	for {
		var resp wire.FullReadDirResp
		if err := s.client.ShardRequest(ctx, dir.Shard(), &req, &resp); err != nil {
			t.Fatalf("full read dir: %v", err)
		}
		for _, e := range resp.Results {
			if !e.Current && e.TargetID.ID() != wire.NullInode {
				n++
			}
		}
		if resp.Next.StartName == "" {
			return n
		}
		req.Flags, req.StartName, req.StartTime = 0, resp.Next.StartName, resp.Next.StartTime
		if resp.Next.Current {
			req.Flags = wire.FullReadDirCurrent
		}
	}
}
