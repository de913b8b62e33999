package metrics

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

// failingBody fails mid-way, as a client that goes away does.
type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }

func TestInstrumentedStore(t *testing.T) {
	ctx := context.Background()
	m := New()
	ls, err := local.Open(t.TempDir(), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close()
	st := InstrumentStore(ls, m)

	// A miss is an answer, not a store failure.
	if _, err := st.Lookup(ctx, st.Root(), "absent"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Lookup of an absent name: %v", err)
	}
	tr, err := st.CreateTransient(ctx, st.Root(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := st.Append(ctx, tr, strings.NewReader("hello")); err != nil || n != 5 {
		t.Fatalf("Append: %d, %v", n, err)
	}
	// A failing request body is the client's failure.
	if _, err := st.Append(ctx, tr, failingBody{}); err == nil {
		t.Fatal("Append of a failing body succeeded")
	}
	if _, err := st.LinkFile(ctx, tr, st.Root(), "f"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(m.StoreDuration); n < 4 {
		t.Errorf("store durations recorded for %d operations, want at least 4", n)
	}
	for _, op := range []string{"Lookup", "Append", "LinkFile", "CreateTransient"} {
		if got := testutil.ToFloat64(m.StoreErrors.WithLabelValues(op)); got != 0 {
			t.Errorf("terngate_store_errors_total{op=%q} = %v, want 0", op, got)
		}
	}

	// A store that fails does count.
	broken := InstrumentStore(brokenStore{ls}, m)
	if _, err := broken.StatDirectory(ctx, broken.Root()); err == nil {
		t.Fatal("broken store answered")
	}
	if got := testutil.ToFloat64(m.StoreErrors.WithLabelValues("StatDirectory")); got != 1 {
		t.Errorf("terngate_store_errors_total{op=StatDirectory} = %v, want 1", got)
	}
}

// brokenStore fails StatDirectory with an I/O error.
type brokenStore struct{ store.Store }

func (brokenStore) StatDirectory(context.Context, store.ID) (store.DirInfo, error) {
	return store.DirInfo{}, errors.New("input/output error")
}
