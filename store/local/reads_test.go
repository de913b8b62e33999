package local

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/terngate/terngate/store"
)

// LookupLinked answers what Lookup, then FileAttribute and OpenFile
// answer, for every kind of name: a file with an attribute (inline or with
// a data file), a file with an empty one, a file with none, a directory, a
// missing name, a bad name and a directory that was removed.
func TestLookupLinkedMatchesLookupAttributeAndOpen(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	bucket, err := s.MakeDirectory(ctx, s.Root(), "bucket")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkInlineFile(ctx, bucket, "inline", []byte("body"), []byte(`{"etag":"1"}`)); err != nil {
		t.Fatal(err)
	}
	tr, err := s.CreateTransient(ctx, bucket, "put")
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("data file "), 10<<10)
	if _, err := s.Append(ctx, tr, bytes.NewReader(big)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkFileWithAttribute(ctx, tr, bucket, "datafile", []byte(`{"etag":"2"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkInlineFile(ctx, bucket, "empty-attr", []byte("x"), []byte{}); err != nil {
		t.Fatal(err)
	}
	putFile(t, s, bucket, "no-attr", []byte("plain"))
	if _, err := s.MakeDirectory(ctx, bucket, "dir"); err != nil {
		t.Fatal(err)
	}
	gone, err := s.MakeDirectory(ctx, bucket, "gone")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveDirectory(ctx, bucket, "gone"); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		dir  store.ID
		name string
	}{
		{bucket, "inline"}, {bucket, "datafile"}, {bucket, "empty-attr"}, {bucket, "no-attr"},
		{bucket, "dir"}, {bucket, "missing"}, {bucket, ""}, {gone, "anything"},
	} {
		wantEntry, wantErr := s.Lookup(ctx, c.dir, c.name)
		var wantAttr, wantBody []byte
		wantHas := false
		if wantErr == nil && !wantEntry.Dir {
			attr, err := s.FileAttribute(ctx, wantEntry.ID)
			wantAttr, wantHas = attr, err == nil
			wantBody = readFile(t, s, wantEntry.ID)
		}
		for _, open := range []bool{false, true} {
			linked, err := s.LookupLinked(ctx, c.dir, c.name, open)
			if linked.Entry != wantEntry || linked.HasAttribute != wantHas ||
				!bytes.Equal(linked.Attribute, wantAttr) || (linked.Attribute == nil) != (wantAttr == nil) {
				t.Errorf("%q: LookupLinked = %+v, %q (%v); Lookup and FileAttribute = %+v, %q (%v)",
					c.name, linked.Entry, linked.Attribute, linked.HasAttribute, wantEntry, wantAttr, wantHas)
			}
			if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
				t.Errorf("%q: error %v, Lookup's %v", c.name, err, wantErr)
			}
			for _, kind := range []error{store.ErrNotFound, store.ErrDirectoryGone, store.ErrInvalidName} {
				if errors.Is(err, kind) != errors.Is(wantErr, kind) {
					t.Errorf("%q: errors.Is(%v, %v) differs from Lookup's %v", c.name, err, kind, wantErr)
				}
			}
			switch {
			case !open || wantBody == nil:
				if linked.File != nil {
					t.Errorf("%q (open %v): LookupLinked opened a file", c.name, open)
					linked.File.Close()
				}
			case linked.File == nil:
				t.Errorf("%q: LookupLinked did not open the file", c.name)
			default:
				got := readOpenFile(t, linked.File)
				linked.File.Close()
				if !bytes.Equal(got, wantBody) {
					t.Errorf("%q: LookupLinked's file reads %d bytes, OpenFile's %d", c.name, len(got), len(wantBody))
				}
			}
		}
	}
}

// A file LookupLinked opened keeps reading its bytes after the name is
// given to another file, as one from OpenFile does.
func TestLookupLinkedFileOutlivesReplacement(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	bucket, err := s.MakeDirectory(ctx, s.Root(), "bucket")
	if err != nil {
		t.Fatal(err)
	}
	first := bytes.Repeat([]byte("first "), 20<<10)
	putFile(t, s, bucket, "k", first)
	linked, err := s.LookupLinked(ctx, bucket, "k", true)
	if err != nil || linked.File == nil {
		t.Fatalf("LookupLinked = %+v, %v", linked, err)
	}
	defer linked.File.Close()
	putFile(t, s, bucket, "k", []byte("second"))
	if got := readOpenFile(t, linked.File); !bytes.Equal(got, first) {
		t.Fatalf("the replaced file reads %d bytes, want its own %d", len(got), len(first))
	}
}
