package multipart

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

// failingMoves is the real local store with MoveData failing once, on its
// n-th call: a server-side failure in the middle of an assembly.
type failingMoves struct {
	store.Store
	calls, failAt atomic.Int32
}

var errInjected = errors.New("injected I/O failure")

func (f *failingMoves) MoveData(ctx context.Context, dst, src store.Transient) error {
	if f.calls.Add(1) == f.failAt.Load() {
		return errInjected
	}
	return f.Store.MoveData(ctx, dst, src)
}

// A Complete that fails for a server error after some parts moved must not
// lose the upload: it stays listed, and the retried Complete resumes the
// assembly and links the whole object.
func TestCompleteResumesAfterServerFailure(t *testing.T) {
	st, l := newLayer(t)
	faulty := &failingMoves{Store: st}
	faulty.failAt.Store(2) // part 1 moves, part 2 fails
	tracker, err := OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tracker.Close() })
	m := NewManager(faulty, l, tracker, Options{MinPartSize: 1})
	ctx := t.Context()
	u, err := m.Create(ctx, CreateInput{Bucket: "bkt", Key: "k", Owner: "me"})
	if err != nil {
		t.Fatal(err)
	}
	var listed []CompletePart
	for n, body := range []string{"first,", "second,", "third"} {
		p, err := m.UploadPart(ctx, PartInput{Bucket: "bkt", Key: "k", UploadID: u.ID, Number: n + 1, Body: strings.NewReader(body), Size: int64(len(body))})
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, CompletePart{Number: p.Number, ETag: p.ETag})
	}
	in := CompleteInput{Bucket: "bkt", Key: "k", UploadID: u.ID, Parts: listed, ObjectSize: -1}
	if _, err := m.Complete(ctx, in); !errors.Is(err, errInjected) {
		t.Fatalf("Complete with a failing move: %v, want the injected failure", err)
	}
	if _, err := m.Upload(ctx, "bkt", "k", u.ID); err != nil {
		t.Fatalf("the upload is gone after a server failure: %v", err)
	}
	if _, err := l.Stat(ctx, "bkt", "k"); err == nil {
		t.Fatal("the object is visible after a failed Complete")
	}
	res, err := m.Complete(ctx, in)
	if err != nil {
		t.Fatalf("retried Complete: %v", err)
	}
	obj, err := l.Open(ctx, "bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	body, _ := io.ReadAll(io.NewSectionReader(obj.File, 0, obj.File.Size()))
	if string(body) != "first,second,third" || res.ETag != expectedETag("first,", "second,", "third") {
		t.Fatalf("object %q ETag %s after the resumed Complete", body, res.ETag)
	}
}

// unfinishedTracker is the embedded tracker with Finish failing once: a
// Complete that linked its object and then died before recording it.
type unfinishedTracker struct {
	Tracker
	failed atomic.Bool
}

func (u *unfinishedTracker) Finish(ctx context.Context, id string, token int64, r Result, keep time.Duration) error {
	if u.failed.CompareAndSwap(false, true) {
		return errInjected
	}
	return u.Tracker.Finish(ctx, id, token, r, keep)
}

// A Complete retried after the first one linked the object but never
// recorded its end (seen as kill -9 between the two in
// e2e.TestMultipartCrashDuringComplete) answers the object's ETag: the
// assembled file is already linked and its parts already moved, so the
// retry must find the link instead of moving the parts again, which would
// fail as if a part were lost (InvalidPart).
func TestCompleteRetriedAfterLinkBeforeFinish(t *testing.T) {
	st, l := newLayer(t)
	embedded, err := OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { embedded.Close() })
	tracker := &unfinishedTracker{Tracker: embedded}
	const lease = 100 * time.Millisecond
	m := NewManager(st, l, tracker, Options{MinPartSize: 1, ClaimLease: lease})
	ctx := t.Context()
	u, err := m.Create(ctx, CreateInput{Bucket: "bkt", Key: "k", Owner: "me"})
	if err != nil {
		t.Fatal(err)
	}
	var listed []CompletePart
	for n, body := range []string{"first,", "second"} {
		p, err := m.UploadPart(ctx, PartInput{Bucket: "bkt", Key: "k", UploadID: u.ID, Number: n + 1, Body: strings.NewReader(body), Size: int64(len(body))})
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, CompletePart{Number: p.Number, ETag: p.ETag})
	}
	in := CompleteInput{Bucket: "bkt", Key: "k", UploadID: u.ID, Parts: listed, ObjectSize: -1}
	first, err := m.Complete(ctx, in)
	if err != nil {
		t.Fatalf("first Complete: %v", err)
	}
	time.Sleep(3 * lease) // its claim lapses, as a dead gateway's would
	again, err := m.Complete(ctx, in)
	if err != nil {
		t.Fatalf("Complete retried after the link, before the finish: %v", err)
	}
	if again.ETag != first.ETag || again.Size != int64(len("first,second")) {
		t.Fatalf("retried Complete answered %+v, want ETag %s and the whole size", again, first.ETag)
	}
	obj, err := l.Open(ctx, "bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if body, _ := io.ReadAll(io.NewSectionReader(obj.File, 0, obj.File.Size())); string(body) != "first,second" {
		t.Fatalf("object %q after the retried Complete", body)
	}
}
