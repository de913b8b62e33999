package ternfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/objects"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// storeTestBytes is reproducible data that no misplaced span can match.
func storeTestBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

// openIntegrationStore opens a store under a fresh root on the cluster
// named by TERNFS_REGISTRY, with spans capped near 9.5 MiB so that tens of
// MiB make several spans.
func openIntegrationStore(t *testing.T, ctx context.Context) *Store {
	t.Helper()
	return openIntegrationStoreAt(t, ctx, fmt.Sprintf("/terngate-store-it/%d", time.Now().UnixNano()), nil)
}

// openIntegrationStoreAt is openIntegrationStore at root with journal
// (nil: the store's own), options adjusted by tune.
func openIntegrationStoreAt(t *testing.T, ctx context.Context, root string, journal Journal, tune ...func(*Options)) *Store {
	t.Helper()
	regs := os.Getenv("TERNFS_REGISTRY")
	if regs == "" {
		t.Skip("TERNFS_REGISTRY not set (host:port[,...]): this test needs a running TernFS cluster, e.g. /opt/ternfs/start-cluster.sh and TERNFS_REGISTRY=127.0.0.1:10001")
	}
	policies := DefaultSpanPolicies()
	policies.Span.Entries = policies.Span.Entries[:3] // largest 9,994,240 B at (3,4)
	opts := Options{Registry: strings.Split(regs, ","), Root: root, SpanPolicy: policies, Journal: journal}
	for _, f := range tune {
		f(&opts)
	}
	s, err := Open(ctx, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustWrite(t *testing.T, ctx context.Context, s *Store, dir store.ID, note string, data []byte) store.Transient {
	t.Helper()
	tr, err := s.CreateTransient(ctx, dir, note)
	if err != nil {
		t.Fatalf("create transient: %v", err)
	}
	n, err := s.Append(ctx, tr, bytes.NewReader(data))
	if err != nil || n != int64(len(data)) {
		t.Fatalf("append %d bytes: %d, %v", len(data), n, err)
	}
	return tr
}

func readAllOf(t *testing.T, ctx context.Context, s *Store, id store.ID) []byte {
	t.Helper()
	f, err := s.OpenFile(ctx, id)
	if err != nil {
		t.Fatalf("open file: %v", err)
	}
	defer f.Close()
	r, err := f.NewReader(0, f.Size())
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return b
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: %v, want %v", what, err, want)
	}
}

func TestStoreIntegration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	root := s.Root()

	// Directories.
	dir, err := s.MakeDirectory(ctx, root, "d")
	if err != nil {
		t.Fatalf("mkdir: %v", err)
	}
	if again, err := s.MakeDirectory(ctx, root, "d"); err != nil || again != dir {
		t.Fatalf("mkdir again: %v %v, want %v", again, err, dir)
	}
	if e, err := s.Lookup(ctx, root, "d"); err != nil || !e.Dir || e.ID != dir {
		t.Fatalf("lookup d: %+v %v", e, err)
	}
	sub, err := s.MakeDirectory(ctx, dir, "sub")
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "mkdir bad name", func() error { _, err := s.MakeDirectory(ctx, dir, ".."); return err }(), store.ErrInvalidName)
	wantErr(t, "lookup missing", func() error { _, err := s.Lookup(ctx, dir, "nope"); return err }(), store.ErrNotFound)

	// A 30 MiB file in several spans.
	big := storeTestBytes(30<<20+777, 1)
	tr := mustWrite(t, ctx, s, dir, "put", big)
	spans, err := s.client.FileSpans(ctx, wire.InodeID(tr.ID))
	if err != nil || len(spans) < 4 {
		t.Fatalf("spans of the big transient file: %d, %v", len(spans), err)
	}
	before, err := s.StatDirectory(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "link bad name", func() error { _, err := s.LinkFile(ctx, tr, dir, "a/b"); return err }(), store.ErrInvalidName)
	fi, err := s.LinkFile(ctx, tr, dir, "big")
	if err != nil || fi.Size != int64(len(big)) || fi.ID != tr.ID {
		t.Fatalf("link big: %+v %v", fi, err)
	}
	after, err := s.StatDirectory(ctx, dir)
	if err != nil || !after.Mtime.After(before.Mtime) {
		t.Errorf("directory mtime %v → %v (%v): did not move", before.Mtime, after.Mtime, err)
	}
	if e, err := s.Lookup(ctx, dir, "big"); err != nil || e.ID != tr.ID || e.Dir {
		t.Fatalf("lookup big: %+v %v", e, err)
	}
	if got := readAllOf(t, ctx, s, tr.ID); !bytes.Equal(got, big) {
		t.Fatalf("big file reads back differently (%d bytes)", len(got))
	}

	// Ranges: inside a span, across a span boundary, the tail, past the end.
	f, err := s.OpenFile(ctx, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	edge := int64(spans[1].ByteOffset)
	for _, r := range [][2]int64{{0, 100}, {edge - 10, 20}, {edge - 5000, 3 * 4096}, {int64(len(big)) - 50, 50}, {12345, 5 << 20}} {
		buf := make([]byte, r[1])
		if n, err := f.ReadAt(buf, r[0]); err != nil || !bytes.Equal(buf[:n], big[r[0]:r[0]+r[1]]) {
			t.Errorf("ReadAt(%d, %d): %d, %v", r[0], r[1], n, err)
		}
		rd, err := f.NewReader(r[0], r[1])
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(rd); err != nil || !bytes.Equal(got, big[r[0]:r[0]+r[1]]) {
			t.Errorf("NewReader(%d, %d): %d bytes, %v", r[0], r[1], len(got), err)
		}
	}
	if n, err := f.ReadAt(make([]byte, 100), int64(len(big))-10); n != 10 || err != io.EOF {
		t.Errorf("ReadAt over the end: %d, %v", n, err)
	}

	// Atomic replace by link: the name moves to the new file, the open
	// handle keeps reading the old one.
	small := storeTestBytes(100, 2) // inline span
	tr2 := mustWrite(t, ctx, s, dir, "put", small)
	if _, err := s.LinkFile(ctx, tr2, dir, "big"); err != nil {
		t.Fatalf("replace big: %v", err)
	}
	if e, err := s.Lookup(ctx, dir, "big"); err != nil || e.ID != tr2.ID {
		t.Fatalf("lookup after replace: %+v %v", e, err)
	}
	buf := make([]byte, 1000)
	if _, err := f.ReadAt(buf, 20<<20); err != nil || !bytes.Equal(buf, big[20<<20:20<<20+1000]) {
		t.Errorf("open handle after replace: %v", err)
	}
	f.Close()
	if got := readAllOf(t, ctx, s, tr2.ID); !bytes.Equal(got, small) {
		t.Errorf("small file reads back differently")
	}

	// A directory's name can be neither linked over nor made a directory
	// over a file.
	tr3 := mustWrite(t, ctx, s, dir, "put", storeTestBytes(5000, 3))
	wantErr(t, "link over a directory", func() error { _, err := s.LinkFile(ctx, tr3, dir, "sub"); return err }(), store.ErrIsDirectory)
	wantErr(t, "mkdir over a file", func() error { _, err := s.MakeDirectory(ctx, dir, "big"); return err }(), store.ErrExists)
	if _, err := s.LinkFile(ctx, tr3, dir, "other"); err != nil {
		t.Fatal(err)
	}

	// ReadDir.
	names := map[string]bool{}
	if err := s.ReadDir(ctx, dir, func(e store.Entry) error { names[e.Name] = e.Dir; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(names) != 3 || !names["sub"] || names["big"] || names["other"] {
		t.Errorf("ReadDir: %v", names)
	}

	// Rename.
	wantErr(t, "rename onto a taken name", s.Rename(ctx, dir, "big", "other"), store.ErrExists)
	wantErr(t, "rename a directory", s.Rename(ctx, dir, "sub", "sub2"), store.ErrIsDirectory)
	if err := s.Rename(ctx, dir, "big", "big2"); err != nil {
		t.Fatalf("rename: %v", err)
	}
	if e, err := s.Lookup(ctx, dir, "big2"); err != nil || e.ID != tr2.ID {
		t.Fatalf("lookup renamed: %+v %v", e, err)
	}
	wantErr(t, "lookup old name", func() error { _, err := s.Lookup(ctx, dir, "big"); return err }(), store.ErrNotFound)

	// Unlink.
	wantErr(t, "unlink with a stale id", s.UnlinkFile(ctx, dir, "big2", tr.ID), store.ErrStale)
	wantErr(t, "unlink a directory", s.UnlinkFile(ctx, dir, "sub", sub), store.ErrIsDirectory)
	if err := s.UnlinkFile(ctx, dir, "big2", tr2.ID); err != nil {
		t.Fatalf("unlink: %v", err)
	}
	wantErr(t, "unlink again", s.UnlinkFile(ctx, dir, "big2", tr2.ID), store.ErrNotFound)
	wantErr(t, "remove a non-empty directory", s.RemoveDirectory(ctx, root, "d"), store.ErrNotEmpty)
	wantErr(t, "remove a file as a directory", s.RemoveDirectory(ctx, dir, "other"), store.ErrNotDirectory)

	// KeepAlive, VisitTransient, ScrapTransient.
	note := fmt.Sprintf("it-%d", time.Now().UnixNano())
	tv := mustWrite(t, ctx, s, dir, note, storeTestBytes(5000, 4))
	if err := s.KeepAlive(ctx, tv); err != nil {
		t.Fatalf("keepalive: %v", err)
	}
	var seen []store.TransientInfo
	if err := s.VisitTransient(ctx, func(ti store.TransientInfo) error {
		if ti.Note == note {
			seen = append(seen, ti)
		}
		return nil
	}); err != nil {
		t.Fatalf("visit: %v", err)
	}
	if len(seen) != 1 || seen[0].Transient != tv || seen[0].Size != 5000 || time.Until(seen[0].Deadline) < time.Minute {
		t.Errorf("visit found %+v, want %+v of 5000 bytes with a future deadline", seen, tv)
	}
	if err := s.ScrapTransient(ctx, tv); err != nil {
		t.Fatalf("scrap: %v", err)
	}
	wantErr(t, "keepalive after scrap", s.KeepAlive(ctx, tv), store.ErrNotFound)

	mpID := testMoveData(t, ctx, s, dir)

	if err := s.UnlinkFile(ctx, dir, "other", tr3.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.UnlinkFile(ctx, dir, "mp", mpID); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveDirectory(ctx, dir, "sub"); err != nil {
		t.Fatalf("remove sub: %v", err)
	}
	if err := s.RemoveDirectory(ctx, root, "d"); err != nil {
		t.Fatalf("remove d: %v", err)
	}
	wantErr(t, "lookup removed directory", func() error { _, err := s.Lookup(ctx, root, "d"); return err }(), store.ErrNotFound)
}

// testMoveData assembles parts (one of several spans, one exactly 5 MiB,
// a tiny tail) onto a final file, as multipart Complete does, and links it
// as "mp".
func testMoveData(t *testing.T, ctx context.Context, s *Store, dir store.ID) store.ID {
	t.Helper()
	parts := [][]byte{storeTestBytes(5<<20, 10), storeTestBytes(12<<20, 11), storeTestBytes(100, 12)}
	var files []store.Transient
	var want []byte
	for _, p := range parts {
		files = append(files, mustWrite(t, ctx, s, dir, "mpu:it", p))
		want = append(want, p...)
	}
	for _, p := range files {
		if err := s.KeepAlive(ctx, p); err != nil {
			t.Fatalf("keepalive part: %v", err)
		}
	}
	whole, err := s.CreateTransient(ctx, dir, "mpu:it")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i, p := range files {
		if err := s.MoveData(ctx, whole, p); err != nil {
			t.Fatalf("move part %d: %v", i, err)
		}
	}
	t.Logf("moved %d parts (%d spans) in %v", len(files), 2+2+1, time.Since(start))
	// A part moved already has nothing more to move.
	if err := s.MoveData(ctx, whole, files[0]); err != nil {
		t.Errorf("move an emptied part again: %v", err)
	}
	fi, err := s.LinkFile(ctx, whole, dir, "mp")
	if err != nil || fi.Size != int64(len(want)) {
		t.Fatalf("link assembled: %+v %v", fi, err)
	}
	if got := readAllOf(t, ctx, s, fi.ID); !bytes.Equal(got, want) {
		t.Fatalf("assembled file reads back differently (%d of %d bytes)", len(got), len(want))
	}
	for _, p := range files {
		if err := s.ScrapTransient(ctx, p); err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("scrap part: %v", err)
		}
	}
	// Data appended outside the part scheme (certified) cannot be moved.
	plain := mustWrite(t, ctx, s, dir, "put", storeTestBytes(5000, 13))
	dst, err := s.CreateTransient(ctx, dir, "mpu:it")
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "move a certified file", s.MoveData(ctx, dst, plain), store.ErrNotFound)
	s.ScrapTransient(ctx, plain)
	s.ScrapTransient(ctx, dst)
	return fi.ID
}

// TestObjectsOverTernFS runs the project's object layer, unchanged, over
// the TernFS store.
func TestObjectsOverTernFS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	l, err := objects.New(ctx, s, s.Root(), objects.Options{})
	if err != nil {
		t.Fatalf("objects.New: %v", err)
	}
	const bucket = "it-bucket"
	if err := l.CreateBucket(ctx, bucket, "owner"); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	bodies := map[string][]byte{
		"a.txt":       []byte("hello"),
		"dir/b.bin":   storeTestBytes(6<<20+3, 20),
		"dir/c/d.txt": storeTestBytes(300, 21),
		"empty":       nil,
	}
	for key, body := range bodies {
		if _, err := l.Put(ctx, objects.PutInput{Bucket: bucket, Key: key, Body: bytes.NewReader(body), Size: int64(len(body))}); err != nil {
			t.Fatalf("put %q: %v", key, err)
		}
	}
	for key, body := range bodies {
		o, err := l.Open(ctx, bucket, key)
		if err != nil {
			t.Fatalf("open %q: %v", key, err)
		}
		r, err := o.File.NewReader(0, o.Info.Size)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		o.Close()
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("get %q: %d bytes, %v", key, len(got), err)
		}
	}
	out, err := l.List(ctx, objects.ListInput{Bucket: bucket, Delimiter: "/", MaxKeys: 100})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	var keys []string
	for _, o := range out.Objects {
		keys = append(keys, o.Key)
	}
	if strings.Join(keys, ",") != "a.txt,empty" || strings.Join(out.CommonPrefixes, ",") != "dir/" {
		t.Errorf("list: keys %v prefixes %v", keys, out.CommonPrefixes)
	}
	// Overwrite, then delete.
	if _, err := l.Put(ctx, objects.PutInput{Bucket: bucket, Key: "a.txt", Body: strings.NewReader("bye"), Size: 3}); err != nil {
		t.Fatal(err)
	}
	if info, err := l.Stat(ctx, bucket, "a.txt"); err != nil || info.Size != 3 {
		t.Errorf("stat overwritten: %+v %v", info, err)
	}
	for key := range bodies {
		if err := l.Delete(ctx, bucket, key); err != nil {
			t.Fatalf("delete %q: %v", key, err)
		}
	}
	out, err = l.List(ctx, objects.ListInput{Bucket: bucket, MaxKeys: 100})
	if err != nil || len(out.Objects) != 0 {
		t.Errorf("list after delete: %+v %v", out.Objects, err)
	}
	if err := l.DeleteBucket(ctx, bucket); err != nil {
		t.Errorf("delete bucket: %v", err)
	}
}
