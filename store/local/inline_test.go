package local

import (
	"bytes"
	"context"
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

// An inline file is linked whole in one transaction with its attribute,
// reads back like any file, keeps its bytes for an open handle when it is
// replaced, replaces and is replaced by files with data files (whose data
// files go), and survives reopening; none of it creates a data file.
func TestInlineFileLifecycle(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTestStore(t, dir, 0)
	bucket, err := s.MakeDirectory(ctx, s.Root(), "bucket")
	if err != nil {
		t.Fatal(err)
	}
	small := []byte("small body")
	info, err := s.LinkInlineFile(ctx, bucket, "k", small, []byte("attr-1"))
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, s, info.ID); !bytes.Equal(got, small) || info.Size != int64(len(small)) {
		t.Fatalf("inline file reads %q (size %d), want %q", got, info.Size, small)
	}
	if attr, err := s.FileAttribute(ctx, info.ID); err != nil || string(attr) != "attr-1" {
		t.Fatalf("attribute = %q, %v", attr, err)
	}
	if n := dataFileCount(t, s); n != 0 {
		t.Fatalf("an inline file made %d data files", n)
	}
	held, err := s.OpenFile(ctx, info.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()

	// Replaced by a file with a data file and an attribute.
	tr, err := s.CreateTransient(ctx, bucket, "put")
	if err != nil {
		t.Fatal(err)
	}
	large := bytes.Repeat([]byte("L"), MaxInline+1)
	if _, err := s.Append(ctx, tr, bytes.NewReader(large)); err != nil {
		t.Fatal(err)
	}
	big, err := s.LinkFileWithAttribute(ctx, tr, bucket, "k", []byte("attr-2"))
	if err != nil {
		t.Fatal(err)
	}
	if got := readOpenFile(t, held); !bytes.Equal(got, small) {
		t.Fatalf("a handle on the replaced inline file reads %q", got)
	}
	if _, err := s.FileAttribute(ctx, info.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the replaced file's attribute: %v, want ErrNotFound", err)
	}
	if _, err := s.OpenFile(ctx, info.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("open of the replaced inline file: %v, want ErrNotFound", err)
	}
	if attr, err := s.FileAttribute(ctx, big.ID); err != nil || string(attr) != "attr-2" {
		t.Fatalf("attribute = %q, %v", attr, err)
	}
	if err := s.SetFileAttribute(ctx, big.ID, []byte("attr-3")); err != nil {
		t.Fatal(err)
	}

	// Replaced by an inline file again: the data file goes.
	again, err := s.LinkInlineFile(ctx, bucket, "k", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if dataFileExists(s, big.ID) {
		t.Fatal("the replaced file's data file is still there")
	}
	if got := readFile(t, s, again.ID); len(got) != 0 {
		t.Fatalf("empty inline file reads %q", got)
	}
	if _, err := s.LinkInlineFile(ctx, s.Root(), "bucket", small, nil); !errors.Is(err, store.ErrIsDirectory) {
		t.Fatalf("inline link over a directory: %v, want ErrIsDirectory", err)
	}
	if _, err := s.LinkInlineFile(ctx, bucket, "huge", large, nil); err == nil {
		t.Fatal("an inline file over MaxInline was accepted")
	}
	if _, err := s.Lookup(ctx, bucket, "huge"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused inline file is visible: %v", err)
	}
	kept, err := s.LinkInlineFile(ctx, bucket, "kept", small, []byte("attr-4"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTestStore(t, dir, 0)
	defer s.Close()
	if got := readFile(t, s, kept.ID); !bytes.Equal(got, small) {
		t.Fatalf("after reopening the inline file reads %q", got)
	}
	if attr, err := s.FileAttribute(ctx, kept.ID); err != nil || string(attr) != "attr-4" {
		t.Fatalf("after reopening attribute = %q, %v", attr, err)
	}
	if err := s.UnlinkFile(ctx, bucket, "kept", kept.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FileAttribute(ctx, kept.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the unlinked file's attribute: %v", err)
	}
	if err := s.view(func(tx *bolt.Tx) error {
		if tx.Bucket(inlineBucket).Get(idKey(kept.ID)) != nil || tx.Bucket(attrsBucket).Get(idKey(kept.ID)) != nil {
			return errors.New("inline bytes or attribute left in meta.db after unlink")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := dataFileCount(t, s); n != 0 {
		t.Fatalf("%d data files left", n)
	}
}
