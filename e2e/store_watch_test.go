package e2e

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
	"github.com/terngate/terngate/store/ternfs"
	"github.com/terngate/terngate/store/ternfs/wire"
)

// notePut is the note store/objects gives the transient file of a single
// PUT; multipart uploads use "mpu:" and the upload ID.
const notePut = "put"

// ternfsTransientDeadline is how long a TernFS transient file outlives its
// last append: the shards' default (ternshard -transient-deadline-interval).
const ternfsTransientDeadline = 2 * time.Hour

// storeWatch sees, out of band, what a gateway's unfinished writes leave
// in the storage behind it: growth of the local data dir, or new transient
// files on the TernFS cluster.
type storeWatch interface {
	// awaitGrowth waits until unfinished writes hold at least min bytes
	// more than when the watch began: the body streams to storage rather
	// than piling up in memory.
	awaitGrowth(t *testing.T, min int64)
	// expectReleased checks that unfinished writes keep nothing for good,
	// as released says.
	expectReleased(t *testing.T, what string, how released)
}

// released says how a backend lets go of unfinished writes.
type released int

const (
	// byRestart: a crashed write's data after the gateway restarted. The
	// local store, which one gateway owns, reclaims it at start. On a
	// TernFS cluster, shared by replicas, a restarted gateway cannot tell a
	// dead replica's PUT from a live one's: the data stays in transient
	// files, never linked, that expire at their deadline.
	byRestart released = iota
	// bySweep: the multipart sweeper released it just now (TernFS: the
	// files are scrapped, their deadline passed, left to the collector).
	bySweep
)

// watchStore starts watching g's store for unfinished writes into bucket
// (keys directly in it) of transient files noted note.
func watchStore(t *testing.T, g *gateway, bucket, note string) storeWatch {
	t.Helper()
	if ternfsRegistry() == "" {
		return &dataDirWatch{dir: g.dataDir, before: treeFiles(t, g.dataDir)}
	}
	return newTernFSWatch(t, g.dataDir, bucket, note)
}

// dataDirWatch is the local store's view: the data dir's files.
type dataDirWatch struct {
	dir    string
	before map[string]int64
}

func (w *dataDirWatch) awaitGrowth(t *testing.T, min int64) {
	t.Helper()
	expectDataDirGrowth(t, w.dir, w.before, min)
}

func (w *dataDirWatch) expectReleased(t *testing.T, what string, _ released) {
	t.Helper()
	expectNoTransientGrowth(t, w.dir, w.before, what)
}

// ternfsWatch follows the transient files, noted note, of the shard of a
// bucket's directory: TernFS creates every file written into a directory
// on that directory's shard. Files there before the watch began, or noted
// otherwise (other tests, other gateways sharing the cluster), are not
// looked at.
type ternfsWatch struct {
	st     *ternfs.Store
	shard  wire.ShardID
	note   string
	before map[wire.InodeID]bool
}

// transientFile is one transient file as the shard reports it.
type transientFile struct {
	id       wire.InodeID
	cookie   wire.Cookie
	size     int64
	deadline time.Time
}

func (f transientFile) String() string {
	return fmt.Sprintf("%v (%d bytes, deadline in %v)", f.id, f.size, time.Until(f.deadline).Round(time.Second))
}

func newTernFSWatch(t *testing.T, dataDir, bucket, note string) *ternfsWatch {
	t.Helper()
	ctx := testContext(t, time.Minute)
	st := openClusterStore(t, "/", nil)
	root, err := st.ResolvePath(ctx, ternfsRootOf(dataDir))
	mustNoErr(t, err, "resolve the gateway's bucket root on the cluster")
	dir, err := st.ResolvePath(ctx, ternfsRootOf(dataDir)+"/"+bucket)
	mustNoErr(t, err, "resolve the directory of bucket %s on the cluster", bucket)
	// On the cluster the gateway's store tags its notes with its root.
	clusterNote := ternfs.ScopedNote(wire.InodeID(root.ID), note)
	w := &ternfsWatch{st: st, shard: wire.InodeID(dir.ID).Shard(), note: clusterNote, before: map[wire.InodeID]bool{}}
	err = st.Client().VisitTransientFiles(ctx, w.shard, func(f wire.TransientFile) error {
		w.before[f.ID] = true
		return nil
	})
	mustNoErr(t, err, "visit the transient files of shard %v", w.shard)
	return w
}

// fresh lists the watched transient files that appeared since the watch
// began and still exist.
func (w *ternfsWatch) fresh(t *testing.T) []transientFile {
	t.Helper()
	ctx := testContext(t, time.Minute)
	c := w.st.Client()
	var out []transientFile
	err := c.VisitTransientFiles(ctx, w.shard, func(f wire.TransientFile) error {
		if w.before[f.ID] {
			return nil
		}
		st, err := c.StatTransientFile(ctx, f.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil // linked or destroyed meanwhile
		case err != nil:
			return err
		case st.Note != w.note:
			return nil
		}
		out = append(out, transientFile{id: f.ID, cookie: f.Cookie, size: int64(st.Size), deadline: f.DeadlineTime.Time()})
		return nil
	})
	mustNoErr(t, err, "visit the transient files of shard %v", w.shard)
	return out
}

func (w *ternfsWatch) awaitGrowth(t *testing.T, min int64) {
	t.Helper()
	var stored int64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		stored = 0
		for _, f := range w.fresh(t) {
			stored += f.size
		}
		if stored >= min {
			t.Logf("transient files noted %q hold %d MiB", w.note, stored>>20)
			return
		}
	}
	t.Fatalf("transient files noted %q hold only %d bytes (want ≥ %d): is the body buffered in memory?", w.note, stored, min)
}

func (w *ternfsWatch) expectReleased(t *testing.T, what string, how released) {
	t.Helper()
	now := time.Now()
	files := w.fresh(t)
	for _, f := range files {
		switch {
		case how == bySweep && f.deadline.After(now):
			t.Errorf("%s: transient file %v is still live: the sweeper did not release it", what, f)
		case how == byRestart && f.deadline.After(now.Add(ternfsTransientDeadline+5*time.Minute)):
			t.Errorf("%s: transient file %v outlives TernFS's %v deadline: something keeps it alive", what, f, ternfsTransientDeadline)
		}
	}
	if len(files) > 0 {
		t.Logf("%s: %d transient file(s) noted %q left to TernFS's collector: %v", what, len(files), w.note, files)
	}
}

// openClusterStore opens the TernFS store at root on the suite's cluster,
// with journal (nil: in memory) holding multipart parts' span records.
func openClusterStore(t *testing.T, root string, journal ternfs.Journal) *ternfs.Store {
	t.Helper()
	st, err := ternfs.Open(testContext(t, time.Minute), ternfs.Options{
		Registry: strings.Split(ternfsRegistry(), ","),
		Root:     root,
		Journal:  journal,
	})
	mustNoErr(t, err, "open the TernFS store %s", root)
	t.Cleanup(func() { st.Close() })
	return st
}

// openGatewayStore opens, out of band, the store a stopped gateway on
// dataDir used: its local store, or its bucket root on the cluster.
func openGatewayStore(t *testing.T, dataDir string, journal ternfs.Journal) store.Store {
	t.Helper()
	if ternfsRegistry() != "" {
		return openClusterStore(t, ternfsRootOf(dataDir), journal)
	}
	st, err := local.Open(dataDir, local.Options{})
	mustNoErr(t, err, "open the data dir")
	t.Cleanup(func() { st.Close() })
	return st
}
