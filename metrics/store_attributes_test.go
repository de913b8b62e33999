package metrics

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

// The decorator keeps the optional store.AttributedFiles of the store it
// wraps (the object layer finds it by type assertion) and records its calls.
func TestInstrumentedStoreKeepsAttributedFiles(t *testing.T) {
	ctx := context.Background()
	m := New()
	ls, err := local.Open(t.TempDir(), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close()
	st, ok := InstrumentStore(ls, m).(store.AttributedFiles)
	if !ok {
		t.Fatal("the instrumented local store does not offer store.AttributedFiles")
	}
	info, err := st.LinkInlineFile(ctx, st.Root(), "f", []byte("hello"), []byte("attr"))
	if err != nil {
		t.Fatal(err)
	}
	if attr, err := st.FileAttribute(ctx, info.ID); err != nil || string(attr) != "attr" {
		t.Fatalf("FileAttribute = %q, %v", attr, err)
	}
	if before := testutil.CollectAndCount(m.StoreDuration); before < 2 {
		t.Errorf("store durations recorded for %d operations, want LinkInlineFile and FileAttribute", before)
	}
	if _, ok := InstrumentStore(struct{ store.Store }{ls}, m).(store.AttributedFiles); ok {
		t.Error("the decorator of a store without attributes claims to have them")
	}
}
