package multipart

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
	"github.com/terngate/terngate/store/objects"
)

// startRedis runs a throwaway redis-server without persistence.
func startRedis(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("redis-server", "--port", port, "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	for i := 0; rdb.Ping(t.Context()).Err() != nil; i++ {
		if i > 100 {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return addr
}

func newLayer(t *testing.T) (*local.Store, *objects.Layer) {
	t.Helper()
	st, err := local.Open(t.TempDir(), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	l, err := objects.New(t.Context(), st, st.Root(), objects.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CreateBucket(t.Context(), "bkt", "me"); err != nil {
		t.Fatal(err)
	}
	return st, l
}

func md5hex(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }

func expectedETag(parts ...string) string {
	h := md5.New()
	for _, p := range parts {
		sum := md5.Sum([]byte(p))
		h.Write(sum[:])
	}
	return fmt.Sprintf("%x-%d", h.Sum(nil), len(parts))
}

// exerciseManagers runs one upload whose parts go through a and whose
// Complete goes through b (the same Manager when there is one tracker).
func exerciseManagers(t *testing.T, a, b *Manager, l *objects.Layer) {
	ctx := t.Context()
	u, err := a.Create(ctx, CreateInput{Bucket: "bkt", Key: "dir/obj", Owner: "me"})
	if err != nil {
		t.Fatal(err)
	}
	put := func(m *Manager, n int, body string) Part {
		p, err := m.UploadPart(ctx, PartInput{Bucket: "bkt", Key: "dir/obj", UploadID: u.ID, Number: n, Body: strings.NewReader(body), Size: int64(len(body))})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		return p
	}
	put(a, 1, "aaaa")
	put(b, 2, "old!")
	p2 := put(a, 2, "bbbb") // replaces
	p3 := put(b, 3, "cc")
	if p2.ETag != md5hex("bbbb") {
		t.Fatalf("part ETag %s", p2.ETag)
	}
	if _, err := l.Stat(ctx, "bkt", "dir/obj"); !errors.Is(err, s3err.NoSuchKey) {
		t.Fatalf("object visible before Complete: %v", err)
	}
	lp, err := b.ListParts(ctx, "bkt", "dir/obj", u.ID, 0, 2)
	if err != nil || len(lp.Parts) != 2 || !lp.IsTruncated || lp.NextMarker != 2 {
		t.Fatalf("ListParts page = %+v, %v", lp, err)
	}
	bad := CompleteInput{Bucket: "bkt", Key: "dir/obj", UploadID: u.ID, ObjectSize: -1,
		Parts: []CompletePart{{Number: 2, ETag: p2.ETag}, {Number: 1, ETag: md5hex("aaaa")}}}
	if _, err := b.Complete(ctx, bad); !errors.Is(err, s3err.InvalidPartOrder) {
		t.Fatalf("unordered parts: %v", err)
	}
	bad.Parts = []CompletePart{{Number: 1, ETag: md5hex("zzzz")}}
	if _, err := b.Complete(ctx, bad); !errors.Is(err, s3err.InvalidPart) {
		t.Fatalf("wrong ETag: %v", err)
	}
	in := CompleteInput{Bucket: "bkt", Key: "dir/obj", UploadID: u.ID, ObjectSize: 10,
		Parts: []CompletePart{{Number: 1, ETag: md5hex("aaaa")}, {Number: 2, ETag: `"` + p2.ETag + `"`}, {Number: 3, ETag: p3.ETag}}}
	res, err := b.Complete(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.ETag != expectedETag("aaaa", "bbbb", "cc") || res.Size != 10 {
		t.Fatalf("result %+v", res)
	}
	obj, err := l.Open(ctx, "bkt", "dir/obj")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(io.NewSectionReader(obj.File, 0, obj.File.Size()))
	obj.Close()
	if string(body) != "aaaabbbbcc" || obj.Info.ETag != res.ETag {
		t.Fatalf("object %q %+v", body, obj.Info)
	}
	again, err := a.Complete(ctx, in)
	if err != nil || again != res {
		t.Fatalf("retried Complete = %+v, %v; want %+v", again, err, res)
	}
	if err := a.Abort(ctx, "bkt", "dir/obj", u.ID); !errors.Is(err, s3err.NoSuchUpload) {
		t.Fatalf("Abort after Complete: %v", err)
	}
}

func TestManagerEmbedded(t *testing.T) {
	st, l := newLayer(t)
	tr, err := OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	m := NewManager(st, l, tr, Options{MinPartSize: 4})
	exerciseManagers(t, m, m, l)
}

func TestManagersSharingRedis(t *testing.T) {
	addr := startRedis(t)
	st, l := newLayer(t)
	ta, err := OpenRedis(t.Context(), "redis://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ta.Close()
	tb, err := OpenRedis(t.Context(), "redis://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	a := NewManager(st, l, ta, Options{MinPartSize: 4})
	b := NewManager(st, l, tb, Options{MinPartSize: 4})
	exerciseManagers(t, a, b, l)
}

func TestRedisDataLossReleasesParts(t *testing.T) {
	addr := startRedis(t)
	st, l := newLayer(t)
	tr, err := OpenRedis(t.Context(), "redis://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	m := NewManager(st, l, tr, Options{MinPartSize: 4, OrphanGrace: time.Millisecond})
	ctx := t.Context()
	u, err := m.Create(ctx, CreateInput{Bucket: "bkt", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.UploadPart(ctx, PartInput{Bucket: "bkt", Key: "k", UploadID: u.ID, Number: 1, Body: strings.NewReader("data"), Size: 4}); err != nil {
		t.Fatal(err)
	}
	if err := tr.Client().FlushAll(ctx).Err(); err != nil { // Redis loses everything
		t.Fatal(err)
	}
	_, err = m.Complete(ctx, CompleteInput{Bucket: "bkt", Key: "k", UploadID: u.ID, ObjectSize: -1, Parts: []CompletePart{{Number: 1, ETag: md5hex("data")}}})
	if !errors.Is(err, s3err.NoSuchUpload) {
		t.Fatalf("Complete after data loss: %v", err)
	}
	sw := NewSweeper(m, nil)
	for range 2 { // first sighting, then past the grace
		if err := sw.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	left := 0
	st.VisitTransient(ctx, func(ti store.TransientInfo) error {
		if strings.HasPrefix(ti.Note, "mpu:") {
			left++
		}
		return nil
	})
	if left != 0 {
		t.Fatalf("%d transient files of the lost upload remain", left)
	}
}

// A part whose data is gone when Complete moves it (its transient file
// expired while the upload idled) makes the Complete answer InvalidPart;
// nothing is linked, and the upload is over.
func TestCompleteOfLostPartData(t *testing.T) {
	st, l := newLayer(t)
	tr, err := OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	m := NewManager(st, l, tr, Options{MinPartSize: 4})
	ctx := t.Context()
	u, err := m.Create(ctx, CreateInput{Bucket: "bkt", Key: "lost"})
	if err != nil {
		t.Fatal(err)
	}
	var listed []CompletePart
	for n, body := range []string{"first", "second"} {
		p, err := m.UploadPart(ctx, PartInput{Bucket: "bkt", Key: "lost", UploadID: u.ID, Number: n + 1, Body: strings.NewReader(body), Size: int64(len(body))})
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, CompletePart{Number: p.Number, ETag: p.ETag})
	}
	parts, _, err := tr.Parts(ctx, u.ID, 0, 0)
	if err != nil || len(parts) != 2 {
		t.Fatalf("parts: %v %v", parts, err)
	}
	if err := st.ScrapTransient(ctx, parts[1].File); err != nil { // as its deadline would
		t.Fatal(err)
	}
	_, err = m.Complete(ctx, CompleteInput{Bucket: "bkt", Key: "lost", UploadID: u.ID, ObjectSize: -1, Parts: listed})
	if !errors.Is(err, s3err.InvalidPart) {
		t.Fatalf("Complete with a part's data gone: %v, want InvalidPart", err)
	}
	if _, err := l.Stat(ctx, "bkt", "lost"); !errors.Is(err, s3err.NoSuchKey) {
		t.Fatalf("the object after the failed Complete: %v, want NoSuchKey", err)
	}
	_, err = m.Complete(ctx, CompleteInput{Bucket: "bkt", Key: "lost", UploadID: u.ID, ObjectSize: -1, Parts: listed})
	if !errors.Is(err, s3err.NoSuchUpload) {
		t.Fatalf("retried Complete: %v, want NoSuchUpload", err)
	}
}
