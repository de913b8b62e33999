package objects

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

func TestReclaimOrphanPuts(t *testing.T) {
	l, st := newTestLayer(t)
	ctx := t.Context()
	bid, _ := l.bucketID(ctx, testBucket)
	// Two PUTs that died mid-body, and a transient file of someone else.
	for range 2 {
		tr, err := st.CreateTransient(ctx, bid, notePut)
		if err != nil {
			t.Fatal(err)
		}
		st.Append(ctx, tr, strings.NewReader("partial"))
	}
	if _, err := st.CreateTransient(ctx, bid, "multipart"); err != nil {
		t.Fatal(err)
	}
	n, err := l.ReclaimOrphanPuts(ctx)
	if err != nil || n != 2 {
		t.Fatalf("reclaimed %d, %v; want 2", n, err)
	}
	var notes []string
	st.VisitTransient(ctx, func(ti store.TransientInfo) error { notes = append(notes, ti.Note); return nil })
	if len(notes) != 1 || notes[0] != "multipart" {
		t.Fatalf("transient files left: %q", notes)
	}
}

func TestSweepOrphanMetadata(t *testing.T) {
	l, st := newRecordFileLayer(t)
	ctx := t.Context()
	keep := mustPut(t, l, "keep", "keep")
	gone := mustPut(t, l, "gone", "gone")
	// Unlink the data file behind the layer's back: its record is orphaned.
	bid, _ := l.bucketID(ctx, testBucket)
	if err := st.UnlinkFile(ctx, bid, "gone", gone.FileID); err != nil {
		t.Fatal(err)
	}
	l.opts.MetadataGrace = time.Hour
	if n, err := l.SweepOrphanMetadata(ctx); err != nil || n != 0 {
		t.Fatalf("young records swept: %d %v", n, err)
	}
	l.opts.MetadataGrace = time.Nanosecond
	if n, err := l.SweepOrphanMetadata(ctx); err != nil || n != 1 {
		t.Fatalf("swept %d, %v; want 1", n, err)
	}
	if _, err := l.readRecord(ctx, bid, gone.FileID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("orphan record still there: %v", err)
	}
	if _, err := l.readRecord(ctx, bid, keep.FileID); err != nil {
		t.Fatalf("live record swept: %v", err)
	}
	mustGet(t, l, "keep", "keep")
	mustBeMissing(t, l, "gone")
	if n, err := l.SweepOrphanMetadata(ctx); err != nil || n != 0 {
		t.Fatalf("second sweep: %d %v", n, err)
	}
}
