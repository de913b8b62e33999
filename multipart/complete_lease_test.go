package multipart

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/internal/redistest"
	"github.com/terngate/terngate/lease"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
	"github.com/terngate/terngate/store/objects"
)

// nameLeases is package lease as the object layer's NameLeases.
type nameLeases struct{ *lease.Leases }

func (n nameLeases) Acquire(ctx context.Context, name string, holder store.Transient, fence func(context.Context, store.Transient) error) (objects.NameLease, error) {
	l, err := n.Leases.Acquire(ctx, name, holder, fence)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// TestCompleteWhileLeasesUnavailable: a Complete whose key's lease cannot be
// had (Redis down) fails with ServiceUnavailable and keeps the upload, with
// its assembly, for a retry; once Redis is back the retry completes it.
func TestCompleteWhileLeasesUnavailable(t *testing.T) {
	r := redistest.Start(t)
	st, err := local.Open(t.TempDir(), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	l, err := objects.New(t.Context(), st, st.Root(), objects.Options{Leases: nameLeases{lease.New(r.Client(t), lease.Options{TTL: 300 * time.Millisecond})}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CreateBucket(t.Context(), "bkt", "me"); err != nil {
		t.Fatal(err)
	}
	tr, err := OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	m := NewManager(st, l, tr, Options{MinPartSize: 4})
	ctx := t.Context()
	u, err := m.Create(ctx, CreateInput{Bucket: "bkt", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	var listed []CompletePart
	for n, body := range []string{"first", "second"} {
		p, err := m.UploadPart(ctx, PartInput{Bucket: "bkt", Key: "k", UploadID: u.ID, Number: n + 1, Body: strings.NewReader(body), Size: int64(len(body))})
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, CompletePart{Number: p.Number, ETag: p.ETag})
	}
	complete := CompleteInput{Bucket: "bkt", Key: "k", UploadID: u.ID, ObjectSize: -1, Parts: listed, Conditions: objects.Conditions{IfNoneMatchStar: true}}

	r.Stop()
	if _, err := m.Complete(ctx, complete); !errors.Is(err, s3err.ServiceUnavailable) {
		t.Fatalf("Complete with Redis down: %v, want ServiceUnavailable", err)
	}
	if _, err := l.Stat(ctx, "bkt", "k"); !errors.Is(err, s3err.NoSuchKey) {
		t.Fatalf("the object after the refused Complete: %v, want NoSuchKey", err)
	}
	r.Restart()
	res, err := m.Complete(ctx, complete)
	if err != nil {
		t.Fatalf("retried Complete with Redis back: %v", err)
	}
	body, want := "", "firstsecond"
	obj, err := l.Open(ctx, "bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	buf := make([]byte, obj.File.Size())
	if _, err := obj.File.ReadAt(buf, 0); err != nil {
		t.Fatal(err)
	}
	if body = string(buf); body != want || res.ETag != expectedETag("first", "second") {
		t.Fatalf("object %q ETag %s, want %q %s", body, res.ETag, want, expectedETag("first", "second"))
	}
}
