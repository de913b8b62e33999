package objects

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

// openLayerAt opens the local store in dir and a layer over it; with
// recordFiles, over the store with its capabilities hidden, as the layer
// was before stores kept attributes (it writes record files).
func openLayerAt(t *testing.T, dir string, recordFiles bool) (*Layer, *local.Store) {
	t.Helper()
	st, err := local.Open(dir, local.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	var over store.Store = st
	if recordFiles {
		over = recordFileStore{st}
	}
	l, err := New(t.Context(), over, st.Root(), Options{RecordRemovalDelay: -1})
	if err != nil {
		t.Fatalf("new layer: %v", err)
	}
	return l, st
}

func hasRecordFile(t *testing.T, l *Layer, id store.ID) bool {
	t.Helper()
	bid, err := l.bucketID(t.Context(), testBucket)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := l.recordDir(t.Context(), bid, id, false)
	if errors.Is(err, store.ErrNotFound) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.st.Lookup(t.Context(), dir, recordName(id))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func hasDataFile(t *testing.T, dataDir string, id store.ID) bool {
	t.Helper()
	_, err := os.Stat(filepath.Join(dataDir, "files", fmt.Sprintf("%02x", byte(id)), fmt.Sprintf("%016x", uint64(id))))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return err == nil
}

// A store written by the layer before it kept records as attributes (record
// files, every body in a data file) reads back unchanged; overwriting,
// deleting and replacing the metadata of its objects works and leaves no
// record file behind; new objects keep their record with the file, small
// ones with no data file either; and it all survives another reopening.
func TestRecordFileStoreReadsAfterUpgrade(t *testing.T) {
	ctx := t.Context()
	dir := fastTempDir(t)
	big := strings.Repeat("b", local.MaxInline+1)

	old, st := openLayerAt(t, dir, true)
	if err := old.CreateBucket(ctx, testBucket, "owner"); err != nil {
		t.Fatal(err)
	}
	keep, err := old.Put(ctx, PutInput{Bucket: testBucket, Key: "a/keep", Body: strings.NewReader("kept"), Size: 4,
		Metadata: Metadata{ContentType: "text/kept", User: map[string]string{"v": "old"}}})
	if err != nil {
		t.Fatal(err)
	}
	over := mustPut(t, old, "a/over", "old bytes")
	gone := mustPut(t, old, "gone", "to delete")
	meta := mustPut(t, old, "meta", "same bytes")
	for _, id := range []store.ID{keep.FileID, over.FileID, gone.FileID, meta.FileID} {
		if !hasRecordFile(t, old, id) {
			t.Fatalf("the record-file layer wrote no record file for %d", id)
		}
	}
	st.Close()

	l, st := openLayerAt(t, dir, false)
	mustGet(t, l, "a/keep", "kept")
	info, err := l.Stat(ctx, testBucket, "a/keep")
	if err != nil || info.Metadata.ContentType != "text/kept" || info.Metadata.User["v"] != "old" {
		t.Fatalf("old object's metadata after the upgrade: %+v %v", info, err)
	}
	if got := listAll(t, l); strings.Join(got, ",") != "a/keep,a/over,gone,meta" {
		t.Fatalf("list after the upgrade: %q", got)
	}

	newer := mustPut(t, l, "a/over", "new bytes")
	mustGet(t, l, "a/over", "new bytes")
	if hasRecordFile(t, l, over.FileID) {
		t.Error("the overwritten object's record file is still there")
	}
	if hasRecordFile(t, l, newer.FileID) || hasDataFile(t, dir, newer.FileID) {
		t.Error("a small new object got a record file or a data file")
	}
	mustDelete(t, l, "gone")
	mustBeMissing(t, l, "gone")
	if hasRecordFile(t, l, gone.FileID) {
		t.Error("the deleted object's record file is still there")
	}
	replaced, err := l.ReplaceMetadata(ctx, testBucket, "meta", "", Metadata{ContentType: "text/new"})
	if err != nil || replaced.ETag != md5hex("same bytes") {
		t.Fatalf("replace metadata of an old object: %+v %v", replaced, err)
	}
	large := mustPut(t, l, "large", big)
	if hasRecordFile(t, l, large.FileID) || !hasDataFile(t, dir, large.FileID) {
		t.Error("a large new object must have a data file and no record file")
	}
	st.Close()

	l, st = openLayerAt(t, dir, false)
	defer st.Close()
	mustGet(t, l, "a/keep", "kept")
	mustGet(t, l, "a/over", "new bytes")
	mustGet(t, l, "large", big)
	mustBeMissing(t, l, "gone")
	info, err = l.Stat(ctx, testBucket, "meta")
	if err != nil || info.Metadata.ContentType != "text/new" || info.ETag != md5hex("same bytes") {
		t.Fatalf("replaced metadata after reopening: %+v %v", info, err)
	}
	mustGet(t, l, "meta", "same bytes")
	if got := listAll(t, l); strings.Join(got, ",") != "a/keep,a/over,large,meta" {
		t.Fatalf("list after reopening: %q", got)
	}
}

// A small PUT on a store with attributes is one store call: bytes, record
// and name together, checked like any other body.
func TestInlinePutChecksItsBody(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx := t.Context()
	if _, err := l.Put(ctx, PutInput{Bucket: testBucket, Key: "short", Body: strings.NewReader("abc"), Size: 4}); err == nil {
		t.Fatal("a body shorter than its length was accepted")
	}
	if _, err := l.Put(ctx, PutInput{Bucket: testBucket, Key: "long", Body: strings.NewReader("abcde"), Size: 4}); err == nil {
		t.Fatal("a body longer than its length was accepted")
	}
	if _, err := l.Put(ctx, PutInput{Bucket: testBucket, Key: "md5", Body: strings.NewReader("abc"), Size: 3, ContentMD5: make([]byte, 16)}); err == nil {
		t.Fatal("a body with a wrong Content-MD5 was accepted")
	}
	mustBeMissing(t, l, "short")
	mustBeMissing(t, l, "long")
	mustBeMissing(t, l, "md5")
	mustPut(t, l, "empty", "")
	mustGet(t, l, "empty", "")
	if got := listAll(t, l); strings.Join(got, ",") != "empty" {
		t.Fatalf("list: %q", got)
	}
}
