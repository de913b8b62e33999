package ternfs

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"
)

func TestValidateName(t *testing.T) {
	for _, bad := range []string{"", ".", "..", "a/b", "a\x00b", strings.Repeat("x", store.MaxNameLen+1)} {
		if err := validateName(bad); !errors.Is(err, store.ErrInvalidName) {
			t.Errorf("validateName(%q) = %v, want ErrInvalidName", bad, err)
		}
	}
	for _, good := range []string{"a", "...", "%_self", " ", strings.Repeat("x", store.MaxNameLen)} {
		if err := validateName(good); err != nil {
			t.Errorf("validateName(%q) = %v", good, err)
		}
	}
}

func TestCookieRoundTrip(t *testing.T) {
	c := wire.Cookie{1, 2, 3, 4, 5, 6, 7, 0xff}
	tr := transientOf(wire.MakeInodeID(wire.InodeFile, 7, 42), c)
	if tr.Cookie != 0xff07060504030201 {
		t.Fatalf("cookie %#x: not little-endian", tr.Cookie)
	}
	if got := cookieOf(tr); got != c {
		t.Fatalf("round trip %v, want %v", got, c)
	}
}

func TestIDKinds(t *testing.T) {
	dir := store.ID(wire.MakeInodeID(wire.InodeDirectory, 3, 9))
	file := store.ID(wire.MakeInodeID(wire.InodeFile, 3, 9))
	if _, err := directoryID(file); !errors.Is(err, store.ErrNotDirectory) {
		t.Errorf("directoryID(file) = %v", err)
	}
	if _, err := fileID(dir); !errors.Is(err, store.ErrIsDirectory) {
		t.Errorf("fileID(dir) = %v", err)
	}
	if _, err := fileID(0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("fileID(0) = %v", err)
	}
	if d, err := directoryID(store.ID(wire.RootDirectory)); err != nil || d != wire.RootDirectory {
		t.Errorf("directoryID(root) = %v, %v", d, err)
	}
}

func TestDefaultSpanPolicies(t *testing.T) {
	p := DefaultSpanPolicies()
	if got := p.MaxSpan(); got != 27_484_160 {
		t.Errorf("largest span %d, want 27484160", got)
	}
	last := p.Span.Entries[len(p.Span.Entries)-1]
	if last.Parity.DataBlocks() != 10 || last.Parity.ParityBlocks() != 4 {
		t.Errorf("largest spans at %v, want (10,4)", last.Parity)
	}
	for i := 1; i < len(p.Span.Entries); i++ {
		if p.Span.Entries[i].MaxSize <= p.Span.Entries[i-1].MaxSize {
			t.Errorf("span entry %d (%d) does not grow", i, p.Span.Entries[i].MaxSize)
		}
	}
	size, err := appendSpanSize(p)
	if err != nil || size != 27_484_160 || size%span.PageSize != 0 {
		t.Errorf("append span size %d, %v", size, err)
	}
	for _, n := range []uint32{1, 255, 4096, 5 << 20, 27_484_160} {
		if _, err := span.ComputeSpanLayout(p, n); err != nil {
			t.Errorf("layout of %d bytes: %v", n, err)
		}
	}
	// The policies fit a directory's info (255 bytes per entry).
	var info wire.DirectoryInfo
	for _, pol := range []wire.Policy{&p.Span, &p.Block, &p.Stripe} {
		if err := info.Set(pol); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAppendSpanSizeRoundsDownToPages(t *testing.T) {
	p := DefaultSpanPolicies()
	p.Span.Entries = []wire.SpanPolicyEntry{{MaxSize: 3*span.PageSize + 100, Parity: mustParity(1, 1)}}
	if size, err := appendSpanSize(p); err != nil || size != 3*span.PageSize {
		t.Errorf("append span size %d, %v; want %d", size, err, 3*span.PageSize)
	}
	p.Span.Entries = []wire.SpanPolicyEntry{{MaxSize: 200, Parity: mustParity(1, 1)}}
	if _, err := appendSpanSize(p); err == nil {
		t.Error("a policy without block-sized spans was accepted")
	}
}

func TestEachSpanCutsAtSpanSize(t *testing.T) {
	s := &Store{spanSize: 3 * span.PageSize}
	for _, total := range []int{0, 1, 3 * span.PageSize, 3*span.PageSize + 1, 7*span.PageSize + 5} {
		data := bytes.Repeat([]byte{7}, total)
		var sizes []int
		var got []byte
		err := s.eachSpan(context.Background(), bytes.NewReader(data), func(b []byte) error {
			sizes = append(sizes, len(b))
			got = append(got, b...)
			return nil
		})
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%d bytes: %v, data differs %v", total, err, !bytes.Equal(got, data))
		}
		for i, n := range sizes {
			if i < len(sizes)-1 && n != s.spanSize {
				t.Errorf("%d bytes: span %d of %d bytes, want %d", total, i, n, s.spanSize)
			}
			if n == 0 {
				t.Errorf("%d bytes: empty span", total)
			}
		}
	}
}
