package objects

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

func TestPutGetOverwriteDelete(t *testing.T) {
	l, st := newTestLayer(t)
	l.opts.RecordRemovalDelay = -1 // check removal itself, not its delay
	ctx := t.Context()
	first := mustPut(t, l, "a/b/c", "hello")
	mustGet(t, l, "a/b/c", "hello")
	second := mustPut(t, l, "a/b/c", "world!")
	mustGet(t, l, "a/b/c", "world!")
	bid, _ := l.bucketID(ctx, testBucket)
	if _, err := l.readRecord(ctx, bid, first.FileID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("record of the overwritten file: %v", err)
	}
	if got := listAll(t, l); !slices.Equal(got, []string{"a/b/c"}) {
		t.Fatalf("list = %q", got)
	}
	mustDelete(t, l, "a/b/c")
	mustBeMissing(t, l, "a/b/c")
	if _, err := l.readRecord(ctx, bid, second.FileID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("record of the deleted file: %v", err)
	}
	mustDelete(t, l, "a/b/c") // deleting a missing key is fine
	if n := bucketDirCount(t, l, st); n != 0 {
		t.Fatalf("%d directories left after delete", n)
	}
	if _, err := l.Open(t.Context(), "nope", "k"); !errors.Is(err, s3err.NoSuchBucket) {
		t.Fatalf("open in missing bucket: %v", err)
	}
	if err := l.Delete(t.Context(), "nope", "k"); !errors.Is(err, s3err.NoSuchBucket) {
		t.Fatalf("delete in missing bucket: %v", err)
	}
}

func TestRetiredRecordsOutliveTheirDelayOnly(t *testing.T) {
	l, _ := newRecordFileLayer(t)
	l.opts.RecordRemovalDelay = time.Hour
	ctx := t.Context()
	first := mustPut(t, l, "k", "one")
	mustPut(t, l, "k", "two")
	bid, _ := l.bucketID(ctx, testBucket)
	if _, err := l.readRecord(ctx, bid, first.FileID); err != nil {
		t.Fatalf("a just-replaced record must stay readable for racing readers: %v", err)
	}
	l.opts.RecordRemovalDelay = -1
	l.retired.mu.Lock()
	for i := range l.retired.queue {
		l.retired.queue[i].due = time.Now().Add(-time.Second)
	}
	l.retired.mu.Unlock()
	mustPut(t, l, "other", "x") // the next write removes what is due
	if _, err := l.readRecord(ctx, bid, first.FileID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a retired record past its delay must be removed: %v", err)
	}
}

func TestReadSurvivesOverwriteAndDelete(t *testing.T) {
	l, _ := newTestLayer(t)
	mustPut(t, l, "k", "first")
	obj, err := l.Open(t.Context(), testBucket, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	mustPut(t, l, "k", "second version")
	mustDelete(t, l, "k")
	buf := make([]byte, obj.File.Size())
	if _, err := obj.File.ReadAt(buf, 0); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	if string(buf) != "first" || obj.Info.ETag != md5hex("first") {
		t.Fatalf("read %q etag %s", buf, obj.Info.ETag)
	}
}

func TestAwkwardKeys(t *testing.T) {
	l, st := newTestLayer(t)
	long := strings.Repeat("L", 300)
	keys := []string{
		"..", ".", "./x", "../x", "a/../b", "a/./b", "%2e%2e", "%2E", "%", "%25", "%_e", "%_dir", "%_o.a",
		"%_meta", "%_bucket", "a//b", "//", "/", "/lead", "trail/", "nul\x00byte", "sp ace+plus",
		"ünï/cødé", long, long + "/" + long, "x/" + long + "/", strings.Repeat("%", 300),
	}
	for i, k := range keys {
		mustPut(t, l, k, fmt.Sprintf("body %d", i))
	}
	for i, k := range keys {
		mustGet(t, l, k, fmt.Sprintf("body %d", i))
	}
	want := slices.Clone(keys)
	slices.Sort(want)
	if got := listAll(t, l); !slices.Equal(got, want) {
		t.Fatalf("list =\n%q\nwant\n%q", got, want)
	}
	for _, k := range keys {
		mustDelete(t, l, k)
		mustBeMissing(t, l, k)
	}
	if got := listAll(t, l); len(got) != 0 {
		t.Fatalf("list after deletes = %q", got)
	}
	if n := bucketDirCount(t, l, st); n != 0 {
		t.Fatalf("%d directories left after deletes", n)
	}
}

// TestKeyAndPrefixCoexist writes and deletes a, a/b and a/b/ in every order:
// each must read back its own bytes while the others exist.
func TestKeyAndPrefixCoexist(t *testing.T) {
	keys := []string{"a", "a/b", "a/b/"}
	for _, writes := range permutations(keys) {
		for _, deletes := range permutations(keys) {
			name := strings.Join(writes, ",") + "|" + strings.Join(deletes, ",")
			t.Run(name, func(t *testing.T) {
				l, st := newTestLayer(t)
				live := map[string]string{}
				check := func() {
					t.Helper()
					for _, k := range keys {
						if body, ok := live[k]; ok {
							mustGet(t, l, k, body)
						} else {
							mustBeMissing(t, l, k)
						}
					}
					var want []string
					for k := range live {
						want = append(want, k)
					}
					slices.Sort(want)
					if got := listAll(t, l); !slices.Equal(got, want) {
						t.Fatalf("list = %q, want %q", got, want)
					}
				}
				for round := range 2 { // the second round overwrites
					for _, k := range writes {
						live[k] = fmt.Sprintf("%s#%d", k, round)
						mustPut(t, l, k, live[k])
						check()
					}
				}
				for _, k := range deletes {
					mustDelete(t, l, k)
					delete(live, k)
					check()
				}
				if n := bucketDirCount(t, l, st); n != 0 {
					t.Fatalf("%d directories left", n)
				}
			})
		}
	}
}

func permutations(s []string) [][]string {
	if len(s) <= 1 {
		return [][]string{slices.Clone(s)}
	}
	var out [][]string
	for i := range s {
		rest := slices.Concat(s[:i], s[i+1:])
		for _, p := range permutations(rest) {
			out = append(out, append([]string{s[i]}, p...))
		}
	}
	return out
}

// A file that a put of a/b must turn into a directory is moved aside, and
// both keys stay readable, including under a long segment.
func TestFileConvertedToDirectory(t *testing.T) {
	l, _ := newTestLayer(t)
	long := strings.Repeat("s", 260)
	for _, base := range []string{"x", long, "p/q"} {
		mustPut(t, l, base, "object")
		mustPut(t, l, base+"/child", "child")
		mustGet(t, l, base, "object")
		mustGet(t, l, base+"/child", "child")
		mustPut(t, l, base, "object 2") // overwrite lands on the shadow name
		mustGet(t, l, base, "object 2")
	}
}

func TestPutFailuresLeaveNothing(t *testing.T) {
	l, st := newTestLayer(t)
	ctx := t.Context()
	boom := errors.New("client went away")
	cases := []struct {
		name string
		in   PutInput
		want error
	}{
		{"short body", PutInput{Body: strings.NewReader("abc"), Size: 4}, s3err.IncompleteBody},
		{"long body", PutInput{Body: strings.NewReader("abcde"), Size: 4}, s3err.IncompleteBody},
		{"bad md5", PutInput{Body: strings.NewReader("abc"), Size: 3, ContentMD5: bytes.Repeat([]byte{1}, 16)}, s3err.BadDigest},
		{"body error", PutInput{Body: io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), Size: -1}, boom},
		{"if-match missing", PutInput{Body: strings.NewReader("abc"), Size: 3, IfMatch: md5hex("abc")}, s3err.NoSuchKey},
	}
	for _, c := range cases {
		c.in.Bucket, c.in.Key = testBucket, "deep/dir/"+c.name
		if _, err := l.Put(ctx, c.in); !errors.Is(err, c.want) {
			t.Fatalf("%s: %v, want %v", c.name, err, c.want)
		}
		mustBeMissing(t, l, c.in.Key)
	}
	if n := bucketDirCount(t, l, st); n != 0 {
		t.Fatalf("%d directories left by failed puts", n)
	}
	transients := 0
	st.VisitTransient(ctx, func(store.TransientInfo) error { transients++; return nil })
	if transients != 0 {
		t.Fatalf("%d transient files left by failed puts", transients)
	}
	if _, err := l.Put(ctx, PutInput{Bucket: "missing", Key: "k", Body: strings.NewReader(""), Size: 0}); !errors.Is(err, s3err.NoSuchBucket) {
		t.Fatalf("put to missing bucket: %v", err)
	}
	if _, err := l.Put(ctx, PutInput{Bucket: testBucket, Key: strings.Repeat("k", 1025), Size: -1}); !errors.Is(err, s3err.KeyTooLongError) {
		t.Fatalf("put of long key: %v", err)
	}
}

func TestConditionalPut(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx := t.Context()
	put := func(body string, in PutInput) error {
		in.Bucket, in.Key, in.Body, in.Size = testBucket, "k", strings.NewReader(body), int64(len(body))
		_, err := l.Put(ctx, in)
		return err
	}
	if err := put("one", PutInput{IfNoneMatchStar: true}); err != nil {
		t.Fatal(err)
	}
	if err := put("two", PutInput{IfNoneMatchStar: true}); !errors.Is(err, s3err.PreconditionFailed) {
		t.Fatalf("if-none-match on existing key: %v", err)
	}
	if err := put("two", PutInput{IfMatch: md5hex("other")}); !errors.Is(err, s3err.PreconditionFailed) {
		t.Fatalf("if-match with wrong etag: %v", err)
	}
	mustGet(t, l, "k", "one")
	if err := put("two", PutInput{IfMatch: md5hex("one"), ContentMD5: md5sum("two")}); err != nil {
		t.Fatalf("if-match with right etag: %v", err)
	}
	mustGet(t, l, "k", "two")
	if err := put("three", PutInput{IfMatch: AnyETag}); err != nil {
		t.Fatalf("if-match * on an existing key: %v", err)
	}
	mustGet(t, l, "k", "three")
}

func md5sum(s string) []byte {
	b, _ := hexDecode(md5hex(s))
	return b
}

func TestMetadataAndReplace(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx := t.Context()
	md := Metadata{ContentType: "text/plain", User: map[string]string{"color": "blue"}, Checksums: map[string]string{"CRC32": "AAAAAA=="}}
	info, err := l.Put(ctx, PutInput{Bucket: testBucket, Key: "doc", Body: strings.NewReader("text"), Size: 4, Metadata: md})
	if err != nil {
		t.Fatal(err)
	}
	got, err := l.Stat(ctx, testBucket, "doc")
	if err != nil || got.Metadata.ContentType != "text/plain" || got.Metadata.User["color"] != "blue" || got.Foreign {
		t.Fatalf("stat: %+v %v", got, err)
	}
	if _, err := l.ReplaceMetadata(ctx, testBucket, "doc", "wrong", Metadata{}); !errors.Is(err, s3err.PreconditionFailed) {
		t.Fatalf("replace with wrong etag: %v", err)
	}
	time.Sleep(2 * time.Millisecond)
	rep, err := l.ReplaceMetadata(ctx, testBucket, "doc", info.ETag, Metadata{ContentType: "text/html"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ETag != info.ETag || rep.FileID != info.FileID || !rep.LastModified.After(info.LastModified) {
		t.Fatalf("replace: %+v, put said %+v", rep, info)
	}
	got, _ = l.Stat(ctx, testBucket, "doc")
	if got.Metadata.ContentType != "text/html" || got.Metadata.User != nil || got.ETag != info.ETag {
		t.Fatalf("stat after replace: %+v", got)
	}
	mustGet(t, l, "doc", "text")
	if _, err := l.ReplaceMetadata(ctx, testBucket, "absent", "", Metadata{}); !errors.Is(err, s3err.NoSuchKey) {
		t.Fatalf("replace on missing key: %v", err)
	}
}

// A file linked by another client of the store has no record: it is listed
// and served with a synthetic ETag.
func TestForeignFile(t *testing.T) {
	l, st := newTestLayer(t)
	ctx := t.Context()
	bid, err := l.bucketID(ctx, testBucket)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := st.MakeDirectory(ctx, bid, "imports")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := st.CreateTransient(ctx, dir, "someone else")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(ctx, tr, strings.NewReader("foreign bytes")); err != nil {
		t.Fatal(err)
	}
	fi, err := st.LinkFile(ctx, tr, dir, "data.bin")
	if err != nil {
		t.Fatal(err)
	}
	wantETag := fmt.Sprintf("%016x-%d", uint64(fi.ID), len("foreign bytes"))
	body, info, err := get(ctx, l, "imports/data.bin")
	if err != nil || body != "foreign bytes" {
		t.Fatalf("get: %q %v", body, err)
	}
	if !info.Foreign || info.ETag != wantETag || info.Metadata.ContentType != "binary/octet-stream" || !info.LastModified.Equal(fi.Mtime) {
		t.Fatalf("info: %+v", info)
	}
	out, err := l.List(ctx, ListInput{Bucket: testBucket, MaxKeys: 10})
	if err != nil || len(out.Objects) != 1 || out.Objects[0].ETag != wantETag || !out.Objects[0].Foreign || out.Objects[0].Size != 13 {
		t.Fatalf("list: %+v %v", out, err)
	}
	if _, err := l.Put(ctx, PutInput{Bucket: testBucket, Key: "imports/data.bin", Body: strings.NewReader("x"), Size: 1, IfMatch: wantETag}); err != nil {
		t.Fatalf("if-match on foreign etag: %v", err)
	}
	mustGet(t, l, "imports/data.bin", "x")
}
