package metrics

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

// The decorator offers store.VersionedDirs exactly when the store does,
// with every other capability combination kept: TernFS keeps versions and
// nothing else, the local store has everything. Hiding it made S3
// versioning answer NotImplemented through the real gateway.
func TestInstrumentedStoreKeepsVersions(t *testing.T) {
	ctx := context.Background()
	m := New()
	ls, err := local.Open(t.TempDir(), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close()
	if _, err := ls.LinkInlineFile(ctx, ls.Root(), "a", nil, nil); err != nil {
		t.Fatal(err)
	}
	wrapped := InstrumentStore(ls, m)
	_, attr := wrapped.(store.AttributedFiles)
	_, sorted := wrapped.(store.SortedDirReader)
	vd, versioned := wrapped.(store.VersionedDirs)
	if !attr || !sorted || !versioned {
		t.Fatalf("the instrumented local store: attributes %v, sorted reads %v, versions %v", attr, sorted, versioned)
	}
	series := testutil.CollectAndCount(m.StoreDuration)
	var edges []store.Version
	if err := vd.ReadNameVersions(ctx, ls.Root(), "a", func(v store.Version) error { edges = append(edges, v); return nil }); err != nil || len(edges) != 1 || !edges[0].Current {
		t.Fatalf("ReadNameVersions = %+v, %v", edges, err)
	}
	if got := testutil.CollectAndCount(m.StoreDuration); got != series+1 {
		t.Errorf("ReadNameVersions was not recorded: %d series before, %d after", series, got)
	}

	onlyVersions := struct{ store.VersionedDirs }{ls}
	w := InstrumentStore(onlyVersions, m)
	if _, ok := w.(store.VersionedDirs); !ok {
		t.Error("the decorator of a store with versions only hides them")
	}
	if _, ok := w.(store.AttributedFiles); ok {
		t.Error("the decorator of a store without attributes claims to have them")
	}
	if _, ok := w.(store.SortedDirReader); ok {
		t.Error("the decorator of a store without sorted reads claims to have them")
	}
	if _, ok := InstrumentStore(struct{ store.Store }{ls}, m).(store.VersionedDirs); ok {
		t.Error("the decorator of a store without versions claims to have them")
	}
}
