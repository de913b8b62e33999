package local

import (
	"errors"
	"slices"
	"testing"

	"github.com/terngate/terngate/store"
)

func TestReadDirFromReadsInNameOrderFromAName(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	dir, err := s.MakeDirectory(ctx, s.Root(), "d")
	if err != nil {
		t.Fatal(err)
	}
	// A sibling directory's edges must not leak into d's range.
	other, err := s.MakeDirectory(ctx, s.Root(), "e")
	if err != nil {
		t.Fatal(err)
	}
	putFile(t, s, other, "a", nil)
	names := []string{"b", "a", "a b", "%00", "ab", "sub"}
	for _, n := range names[:len(names)-1] {
		putFile(t, s, dir, n, []byte(n))
	}
	if _, err := s.MakeDirectory(ctx, dir, "sub"); err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	for _, tc := range []struct {
		from  string
		limit int
		want  []string
	}{
		{"", 100, names},
		{"", 2, names[:2]},
		{"a", 3, []string{"a", "a b", "ab"}},
		{"a\x00", 100, []string{"a b", "ab", "b", "sub"}},
		{"sub", 100, []string{"sub"}},
		{"z", 100, nil},
	} {
		es, err := s.ReadDirFrom(ctx, dir, tc.from, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.Name)
			if e.Dir != (e.Name == "sub") {
				t.Errorf("%q: Dir = %v", e.Name, e.Dir)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ReadDirFrom(%q, %d) = %q, want %q", tc.from, tc.limit, got, tc.want)
		}
	}
	if _, err := s.ReadDirFrom(ctx, 9999, "", 10); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing directory: %v, want ErrNotFound", err)
	}
}
