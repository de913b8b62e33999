package objects

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

// walkResolver resolves slash-separated paths from the store's root with
// Lookup, as a store's own path resolver does.
func walkResolver(st store.Store) PathResolver {
	return func(ctx context.Context, path string) (store.Entry, error) {
		e := store.Entry{ID: st.Root(), Dir: true}
		for _, name := range strings.Split(path, "/") {
			if name == "" {
				continue
			}
			if !e.Dir {
				return store.Entry{}, fmt.Errorf("%q: %w", path, store.ErrNotDirectory)
			}
			next, err := st.Lookup(ctx, e.ID, name)
			if err != nil {
				return store.Entry{}, err
			}
			e = next
		}
		return e, nil
	}
}

// mappedFixture is a local store whose buckets live under /buckets, with
// the user's directory /users/data/photos holding files another client
// wrote (no metadata records), mapped as bucket "photos" owned by admin.
type mappedFixture struct {
	st     *local.Store
	l      *Layer
	photos store.ID
	opts   Options
}

func newMappedFixture(t *testing.T) *mappedFixture {
	t.Helper()
	ctx := t.Context()
	st, err := local.Open(fastTempDir(t), local.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	root := mustMkdir(t, st, st.Root(), "buckets")
	photos := mustMkdir(t, st, mustMkdir(t, st, mustMkdir(t, st, st.Root(), "users"), "data"), "photos")
	for name, body := range map[string]string{"b.jpg": "bee", "a.jpg": "ay", "Z.jpg": "zed", "caf\u00e9": "accent"} {
		writeForeign(t, st, photos, name, body)
	}
	writeForeign(t, st, mustMkdir(t, st, photos, "2024"), "x.jpg", "nested")
	opts := Options{
		MappedBuckets: []MappedBucket{{Name: "photos", Path: "/users/data/photos", Owner: "admin"}},
		ResolvePath:   walkResolver(st),
	}
	l, err := New(ctx, st, root, opts)
	if err != nil {
		t.Fatalf("new layer: %v", err)
	}
	return &mappedFixture{st: st, l: l, photos: photos, opts: opts}
}

func mustMkdir(t *testing.T, st store.Store, parent store.ID, name string) store.ID {
	t.Helper()
	id, err := st.MakeDirectory(t.Context(), parent, name)
	if err != nil {
		t.Fatalf("mkdir %s: %v", name, err)
	}
	return id
}

// writeForeign links a file the way another client of the store would:
// bytes only, no gateway metadata.
func writeForeign(t *testing.T, st store.Store, dir store.ID, name, body string) {
	t.Helper()
	ctx := t.Context()
	tr, err := st.CreateTransient(ctx, dir, "foreign")
	if err == nil {
		_, err = st.Append(ctx, tr, strings.NewReader(body))
	}
	if err == nil {
		_, err = st.LinkFile(ctx, tr, dir, name)
	}
	if err != nil {
		t.Fatalf("write foreign file %s: %v", name, err)
	}
}

func TestMappedBucketServesExistingFiles(t *testing.T) {
	f := newMappedFixture(t)
	ctx := t.Context()
	out, err := f.l.List(ctx, ListInput{Bucket: "photos", MaxKeys: 100})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	var keys []string
	for _, o := range out.Objects {
		keys = append(keys, o.Key)
		if !o.Foreign || !strings.Contains(o.ETag, "-") {
			t.Errorf("%s: foreign %v ETag %q, want a synthetic ETag of a record-less file", o.Key, o.Foreign, o.ETag)
		}
	}
	if want := []string{"2024/x.jpg", "Z.jpg", "a.jpg", "b.jpg", "caf\u00e9"}; !slices.Equal(keys, want) {
		t.Fatalf("keys %q, want %q (byte order)", keys, want)
	}
	obj, err := f.l.Open(ctx, "photos", "2024/x.jpg")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	buf := make([]byte, obj.File.Size())
	_, err = obj.File.ReadAt(buf, 0)
	obj.Close()
	if err != nil || string(buf) != "nested" {
		t.Fatalf("read 2024/x.jpg: %q %v", buf, err)
	}
}

func TestMappedBucketWritesInPlace(t *testing.T) {
	f := newMappedFixture(t)
	ctx := t.Context()
	info, err := f.l.Put(ctx, PutInput{Bucket: "photos", Key: "2024/new.jpg", Body: strings.NewReader("fresh"), Size: 5})
	if err != nil {
		t.Fatalf("put: %v", err)
	}
	if info.ETag != md5hex("fresh") {
		t.Errorf("put ETag %s, want the MD5", info.ETag)
	}
	// The object is a file of the user's directory, where other clients see it.
	sub, err := f.st.Lookup(ctx, f.photos, "2024")
	if err != nil {
		t.Fatal(err)
	}
	if e, err := f.st.Lookup(ctx, sub.ID, "new.jpg"); err != nil || e.ID != info.FileID {
		t.Fatalf("new.jpg in the mapped directory: %+v %v, want file %d", e, err, info.FileID)
	}
	// Overwrite a foreign file, then delete one.
	if _, err := f.l.Put(ctx, PutInput{Bucket: "photos", Key: "a.jpg", Body: strings.NewReader("new ay"), Size: 6}); err != nil {
		t.Fatalf("overwrite: %v", err)
	}
	if got, err := f.l.Stat(ctx, "photos", "a.jpg"); err != nil || got.Foreign || got.ETag != md5hex("new ay") {
		t.Fatalf("overwritten a.jpg: %+v %v", got, err)
	}
	if err := f.l.Delete(ctx, "photos", "b.jpg"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := f.st.Lookup(ctx, f.photos, "b.jpg"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("b.jpg after delete: %v", err)
	}
	// Nothing leaked into the bucket root.
	if names := dirNames(t, f.st, f.l.root); len(names) != 0 {
		t.Errorf("bucket root holds %v, want nothing", names)
	}
}

func TestMappedBucketIsListedAndOwned(t *testing.T) {
	f := newMappedFixture(t)
	ctx := t.Context()
	if err := f.l.CreateBucket(ctx, "zoo", "alice"); err != nil {
		t.Fatal(err)
	}
	// A directory of the same name in the root is hidden by the mapping.
	if _, err := f.st.MakeDirectory(ctx, f.l.root, "photos"); err != nil {
		t.Fatal(err)
	}
	buckets, err := f.l.ListBuckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range buckets {
		got = append(got, b.Name+":"+b.Owner)
	}
	if want := []string{"photos:admin", "zoo:alice"}; !slices.Equal(got, want) {
		t.Fatalf("buckets %q, want %q", got, want)
	}
	head, err := f.l.HeadBucket(ctx, "photos")
	if err != nil || head.Owner != "admin" || head.CreationTime.IsZero() {
		t.Fatalf("head: %+v %v", head, err)
	}
	if err := f.l.CreateBucket(ctx, "photos", "admin"); !errors.Is(err, s3err.BucketAlreadyOwnedByYou) {
		t.Errorf("create by its owner: %v, want BucketAlreadyOwnedByYou", err)
	}
	if err := f.l.CreateBucket(ctx, "photos", "alice"); !errors.Is(err, s3err.BucketAlreadyExists) {
		t.Errorf("create by another user: %v, want BucketAlreadyExists", err)
	}
	// A policy is kept in a record in the directory; the owner stays.
	if err := f.l.SetBucketPolicy(ctx, "photos", []byte(`{"Version":"2012-10-17"}`), nil); err != nil {
		t.Fatal(err)
	}
	head, err = f.l.HeadBucket(ctx, "photos")
	if err != nil || head.Owner != "admin" || string(head.Policy) != `{"Version":"2012-10-17"}` {
		t.Fatalf("head after policy: %+v %v", head, err)
	}
}

func TestMappedBucketOfTheWholeStore(t *testing.T) {
	f := newMappedFixture(t)
	ctx := t.Context()
	l, err := New(ctx, f.st, f.l.root, Options{
		MappedBuckets: []MappedBucket{{Name: "everything", Path: "/", Owner: "admin"}},
		ResolvePath:   f.opts.ResolvePath,
	})
	if err != nil {
		t.Fatal(err)
	}
	head, err := l.HeadBucket(ctx, "everything")
	if err != nil || head.CreationTime.IsZero() {
		t.Fatalf("head of a bucket mapped to the top directory: %+v %v, want a creation time", head, err)
	}
	out, err := l.List(ctx, ListInput{Bucket: "everything", Prefix: "users/data/photos/", MaxKeys: 100})
	if err != nil || len(out.Objects) != 5 {
		t.Fatalf("list below the top: %d objects, %v; want the 5 user files", len(out.Objects), err)
	}
}

func TestMappedBucketIsNeverDeleted(t *testing.T) {
	f := newMappedFixture(t)
	ctx := t.Context()
	for _, key := range []string{"a.jpg", "b.jpg", "Z.jpg", "caf\u00e9", "2024/x.jpg"} {
		if err := f.l.Delete(ctx, "photos", key); err != nil {
			t.Fatalf("delete %s: %v", key, err)
		}
	}
	err := f.l.DeleteBucket(ctx, "photos")
	var s3e *s3err.Error
	if !errors.As(err, &s3e) || s3e.Code != "MethodNotAllowed" || s3e.Status != 405 {
		t.Fatalf("delete a mapped bucket: %v, want 405 MethodNotAllowed", err)
	}
	if _, err := f.st.StatDirectory(ctx, f.photos); err != nil {
		t.Fatalf("the mapped directory after DeleteBucket: %v", err)
	}
	if _, err := f.l.HeadBucket(ctx, "photos"); err != nil {
		t.Fatalf("head after the refused delete: %v", err)
	}
}

func TestMappedBucketWhoseDirectoryWent(t *testing.T) {
	f := newMappedFixture(t)
	ctx := t.Context()
	users, err := f.st.Lookup(ctx, f.st.Root(), "users")
	if err != nil {
		t.Fatal(err)
	}
	mustMkdir(t, f.st, users.ID, "scratch")
	l, err := New(ctx, f.st, f.l.root, Options{
		MappedBuckets: []MappedBucket{{Name: "scratch", Path: "/users/scratch", Owner: "admin"}},
		ResolvePath:   f.opts.ResolvePath,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.List(ctx, ListInput{Bucket: "scratch", MaxKeys: 10}); err != nil {
		t.Fatal(err) // caches the directory
	}
	// Another client removes the directory.
	if err := f.st.RemoveDirectory(ctx, users.ID, "scratch"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.HeadBucket(ctx, "scratch"); !errors.Is(err, s3err.NoSuchBucket) {
		t.Errorf("head: %v, want NoSuchBucket", err)
	}
	if _, err := l.Put(ctx, PutInput{Bucket: "scratch", Key: "k", Body: strings.NewReader("x"), Size: 1}); !errors.Is(err, s3err.NoSuchBucket) {
		t.Errorf("put: %v, want NoSuchBucket", err)
	}
	buckets, err := l.ListBuckets(ctx)
	if err != nil || len(buckets) != 0 {
		t.Errorf("list buckets: %+v %v, want none", buckets, err)
	}
	if err := l.CreateBucket(ctx, "scratch", "admin"); !errors.Is(err, s3err.BucketAlreadyExists) {
		t.Errorf("create: %v, want BucketAlreadyExists (the name is the mapping's)", err)
	}
}

func TestMappedBucketConfigurationErrors(t *testing.T) {
	f := newMappedFixture(t)
	ctx := t.Context()
	resolve := walkResolver(f.st)
	for _, tc := range []struct {
		name    string
		mapped  []MappedBucket
		resolve PathResolver
		want    string
	}{
		{"invalid name", []MappedBucket{{Name: "Photos", Path: "/users/data/photos"}}, resolve, "not a valid bucket name"},
		{"twice", []MappedBucket{{Name: "pp1", Path: "/users"}, {Name: "pp1", Path: "/users/data"}}, resolve, "mapped twice"},
		{"missing", []MappedBucket{{Name: "pp1", Path: "/users/nope"}}, resolve, store.ErrNotFound.Error()},
		{"file", []MappedBucket{{Name: "pp1", Path: "/users/data/photos/a.jpg"}}, resolve, store.ErrNotDirectory.Error()},
		{"no resolver", []MappedBucket{{Name: "pp1", Path: "/users"}}, nil, "ResolvePath"},
	} {
		_, err := New(ctx, f.st, f.l.root, Options{MappedBuckets: tc.mapped, ResolvePath: tc.resolve})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New answered %v, want an error about %q", tc.name, err, tc.want)
		}
	}
}

func dirNames(t *testing.T, st store.Store, dir store.ID) []string {
	t.Helper()
	entries, err := readAll(t.Context(), st, dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name)
	}
	return names
}
