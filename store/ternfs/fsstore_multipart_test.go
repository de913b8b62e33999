package ternfs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/objects"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"
)

// TestMultipartOverTernFS runs the project's multipart manager (embedded
// tracker), unchanged, over the TernFS store: parts become span files,
// Complete moves and certifies them onto the object's file.
func TestMultipartOverTernFS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	l, err := objects.New(ctx, s, s.Root(), objects.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const bucket, key = "mp-bucket", "dir/big.bin"
	if err := l.CreateBucket(ctx, bucket, "owner"); err != nil {
		t.Fatal(err)
	}
	tracker, err := multipart.OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tracker.Close()
	m := multipart.NewManager(s, l, tracker, multipart.Options{})
	up, err := m.Create(ctx, multipart.CreateInput{Bucket: bucket, Key: key, Owner: "owner"})
	if err != nil {
		t.Fatalf("create upload: %v", err)
	}
	parts := [][]byte{storeTestBytes(12<<20, 30), storeTestBytes(5<<20, 31), storeTestBytes(1000, 32)}
	var listed []multipart.CompletePart
	var want []byte
	for i, body := range parts {
		p, err := m.UploadPart(ctx, multipart.PartInput{Bucket: bucket, Key: key, UploadID: up.ID, Number: i + 1, Body: bytes.NewReader(body), Size: int64(len(body))})
		if err != nil {
			t.Fatalf("upload part %d: %v", i+1, err)
		}
		listed = append(listed, multipart.CompletePart{Number: p.Number, ETag: p.ETag})
		want = append(want, body...)
	}
	res, err := m.Complete(ctx, multipart.CompleteInput{Bucket: bucket, Key: key, UploadID: up.ID, Parts: listed, ObjectSize: -1})
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	if res.Size != int64(len(want)) {
		t.Errorf("completed size %d, want %d", res.Size, len(want))
	}
	o, err := l.Open(ctx, bucket, key)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	r, err := o.File.NewReader(0, o.Info.Size)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read completed object: %d of %d bytes, %v", len(got), len(want), err)
	}
}

// openSecondStore opens another Store on s's root sharing journal, as a
// second gateway would.
func openSecondStore(t *testing.T, ctx context.Context, s *Store, root string, journal Journal) *Store {
	t.Helper()
	s2, err := Open(ctx, Options{Registry: strings.Split(os.Getenv("TERNFS_REGISTRY"), ","), Root: root, SpanPolicy: s.policies, Journal: journal})
	if err != nil {
		t.Fatalf("open second store: %v", err)
	}
	t.Cleanup(func() { s2.Close() })
	return s2
}

// assemble moves parts onto a new file of dir in order with st and links
// it as name, then reads it back through st.
func assemble(t *testing.T, ctx context.Context, st *Store, dir store.ID, name string, parts []store.Transient) []byte {
	t.Helper()
	whole, err := st.CreateTransient(ctx, dir, "mpu:whole")
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range parts {
		if err := st.MoveData(ctx, whole, p); err != nil {
			t.Fatalf("move part %d: %v", i+1, err)
		}
		// A repeated move (a resumed Complete) changes nothing.
		if err := st.MoveData(ctx, whole, p); err != nil {
			t.Fatalf("repeated move of part %d: %v", i+1, err)
		}
	}
	info, err := st.LinkFile(ctx, whole, dir, name)
	if err != nil {
		t.Fatalf("link: %v", err)
	}
	got, err := st.client.ReadFile(ctx, wire.InodeID(info.ID))
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	spans, err := st.client.FileSpans(ctx, wire.InodeID(info.ID))
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range spans {
		if sp.ByteOffset%span.PageSize != 0 {
			t.Errorf("span at %d of %d bytes does not start on a page boundary", sp.ByteOffset, sp.Size)
		}
	}
	return got
}

// TestPartsMovedByAnotherGateway writes parts through one store and
// completes them through another that shares only the journal, after a
// move interrupted between MoveSpan and AddSpanCertify (as a gateway
// killed mid-Complete leaves it).
func TestPartsMovedByAnotherGateway(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	journal := NewMemoryJournal()
	root := fmt.Sprintf("/terngate-store-it/journal-%d", time.Now().UnixNano())
	a := openIntegrationStoreAt(t, ctx, root, journal)
	b := openSecondStore(t, ctx, a, root, journal)
	bodies := [][]byte{storeTestBytes(12<<20, 40), storeTestBytes(5<<20, 41), storeTestBytes(100, 42)}
	var parts []store.Transient
	var want []byte
	for _, body := range bodies {
		parts = append(parts, mustWrite(t, ctx, a, a.Root(), "mpu:test", body))
		want = append(want, body...)
	}
	// The interrupted Complete: the first span of part 1 moved onto the
	// object's file, not certified; then the gateway died.
	whole, err := a.CreateTransient(ctx, a.Root(), "mpu:whole")
	if err != nil {
		t.Fatal(err)
	}
	spans, err := a.loadSpans(ctx, wire.InodeID(parts[0].ID))
	if err != nil || len(spans) < 2 || spans[0].State != spanWritten {
		t.Fatalf("journal of part 1: %+v, %v", spans, err)
	}
	first := spans[0]
	if err := a.client.MoveSpan(ctx, first.Size, first.File, 0, first.Cookie, wire.InodeID(whole.ID), 0, cookieOf(whole)); err != nil {
		t.Fatal(err)
	}
	for i, p := range parts {
		if err := b.MoveData(ctx, whole, p); err != nil {
			t.Fatalf("move part %d on the other gateway: %v", i+1, err)
		}
	}
	info, err := b.LinkFile(ctx, whole, b.Root(), "completed-elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.client.ReadFile(ctx, wire.InodeID(info.ID))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("object completed by the other gateway: %d of %d bytes, equal %v, %v", len(got), len(want), bytes.Equal(got, want), err)
	}
	for i, p := range parts {
		if rec, _ := a.loadSpans(ctx, wire.InodeID(p.ID)); len(rec) == 0 {
			t.Errorf("part %d's journal is gone before the part is released", i+1)
		}
		if err := b.ScrapTransient(ctx, p); err != nil {
			t.Errorf("release part %d: %v", i+1, err)
		}
		if rec, _ := a.loadSpans(ctx, wire.InodeID(p.ID)); len(rec) != 0 {
			t.Errorf("part %d's journal outlives its release: %d records", i+1, len(rec))
		}
	}
}

// TestUnalignedPartsCopied assembles parts that do not end on a page
// boundary: the data after the first such boundary followed by another
// part is rewritten (and counted), every span still starts on a page
// boundary, and an unaligned last part alone costs no copy.
func TestUnalignedPartsCopied(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var copied atomic.Int64
	root := fmt.Sprintf("/terngate-store-it/align-%d", time.Now().UnixNano())
	s := openIntegrationStoreAt(t, ctx, root, nil, func(o *Options) { o.OnAlignmentCopy = func(n int64) { copied.Add(n) } })

	cases := []struct {
		name  string
		sizes []int
	}{
		{"aligned parts, unaligned last", []int{5 << 20, 12 << 20, 5<<20 + 123}},
		{"aligned parts, tiny last", []int{5 << 20, 6 << 20, 200}},
		{"unaligned middle parts", []int{5 << 20, 5<<20 + 1, 6 << 20, 5<<20 + 100, 300}},
	}
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantCopied := alignmentCopyModel(c.sizes, int64(s.spanSize))
			copied.Store(0)
			var parts []store.Transient
			var want []byte
			for i, n := range c.sizes {
				body := storeTestBytes(n, byte(10*ci+i))
				parts = append(parts, mustWrite(t, ctx, s, s.Root(), "mpu:test", body))
				want = append(want, body...)
			}
			got := assemble(t, ctx, s, s.Root(), fmt.Sprintf("object-%d", ci), parts)
			if !bytes.Equal(got, want) {
				t.Fatalf("read back %d of %d bytes, equal %v", len(got), len(want), bytes.Equal(got, want))
			}
			if copied.Load() != wantCopied {
				t.Errorf("copied %d bytes, want %d", copied.Load(), wantCopied)
			}
			for _, p := range parts {
				if err := s.ScrapTransient(ctx, p); err != nil {
					t.Errorf("release part: %v", err)
				}
			}
		})
	}
}

// alignmentCopyModel is how many bytes assembling parts of these sizes
// copies: a part's last span that ends off a page boundary waits; the next
// part is then copied together with it, and the copy's own last span may
// wait in turn.
func alignmentCopyModel(sizes []int, spanSize int64) int64 {
	lastSpan := func(n int64) int64 {
		if n%spanSize == 0 {
			return spanSize
		}
		return n % spanSize
	}
	var waiting, copied int64
	for _, size := range sizes {
		n := int64(size)
		if waiting > 0 {
			n += waiting
			copied += n
		}
		waiting = 0
		if l := lastSpan(n); l%span.PageSize != 0 {
			waiting = l
		}
	}
	return copied
}

// TestTransientFilesScopedToRoot: two stores on one cluster under
// different roots (two deployments) see only their own transient files,
// so neither's sweeper can take the other's uploads for orphans.
func TestTransientFilesScopedToRoot(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	base := fmt.Sprintf("/terngate-store-it/scoped-%d", time.Now().UnixNano())
	a := openIntegrationStoreAt(t, ctx, base+"/a", nil)
	b := openIntegrationStoreAt(t, ctx, base+"/b", nil)
	ta := mustWrite(t, ctx, a, a.Root(), "mpu:scoped", storeTestBytes(20<<20, 60))
	tb := mustWrite(t, ctx, b, b.Root(), "mpu:scoped", storeTestBytes(1000, 61))
	seen := func(s *Store) map[store.ID]store.TransientInfo {
		out := map[store.ID]store.TransientInfo{}
		if err := s.VisitTransient(ctx, func(ti store.TransientInfo) error {
			out[ti.ID] = ti
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	sa, sb := seen(a), seen(b)
	if ti, ok := sa[ta.ID]; !ok || ti.Note != "mpu:scoped" || ti.Size != 20<<20 {
		t.Errorf("store a sees its part as %+v (found %v), want note mpu:scoped and 20 MiB", ti, ok)
	}
	if _, ok := sa[tb.ID]; ok {
		t.Error("store a sees store b's transient file")
	}
	if _, ok := sb[ta.ID]; ok {
		t.Error("store b sees store a's transient file")
	}
	if _, ok := sb[tb.ID]; !ok {
		t.Error("store b does not see its own transient file")
	}
	for _, sf := range []struct {
		s *Store
		t store.Transient
	}{{a, ta}, {b, tb}} {
		if err := sf.s.ScrapTransient(ctx, sf.t); err != nil {
			t.Error(err)
		}
	}
}
