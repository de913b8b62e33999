package ternfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/objects"

	"github.com/terngate/terngate/store/ternfs/wire"
)

func TestResolvePathWantsAbsolutePaths(t *testing.T) {
	var s Store // refused before any request
	for _, p := range []string{"", "data/photos", "./data"} {
		if _, err := s.ResolvePath(t.Context(), p); !errors.Is(err, store.ErrInvalidName) {
			t.Errorf("ResolvePath(%q): %v, want ErrInvalidName", p, err)
		}
	}
}

// userTree is a directory of the cluster outside any store root, holding
// files written the way users write them (terncli cp-into when
// TERNFS_TERNCLI names it, else our client without gateway metadata).
type userTree struct {
	path  string // absolute cluster path
	id    store.ID
	files map[string][]byte // key → bytes
}

func makeUserTree(t *testing.T, ctx context.Context, s *Store) userTree {
	t.Helper()
	base := fmt.Sprintf("/terngate-map-it/%d", time.Now().UnixNano())
	dir, err := s.makeRoot(ctx, base+"/photos")
	if err != nil {
		t.Fatalf("make %s/photos: %v", base, err)
	}
	if _, err := s.client.MakeDirectory(ctx, dir, "2024"); err != nil {
		t.Fatal(err)
	}
	tree := userTree{path: base + "/photos", id: store.ID(dir), files: map[string][]byte{
		"b.txt":       storeTestBytes(3000, 31),
		"a.txt":       storeTestBytes(10, 32),
		"Z.txt":       storeTestBytes(5<<20+123, 33),
		"2024/c.txt":  storeTestBytes(100, 34),
		"caf\u00e9":   storeTestBytes(1, 35),
		"a b/with sp": nil, // made below the same way; empty file
	}}
	if _, err := s.client.MakeDirectory(ctx, dir, "a b"); err != nil {
		t.Fatal(err)
	}
	terncli := os.Getenv("TERNFS_TERNCLI")
	if terncli == "" {
		t.Log("TERNFS_TERNCLI not set: the user's files are written by our client (still without gateway metadata)")
	}
	tmp := t.TempDir()
	for key, data := range tree.files {
		if terncli != "" {
			in := filepath.Join(tmp, "f")
			if err := os.WriteFile(in, data, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(ctx, terncli, "-registry", strings.Split(os.Getenv("TERNFS_REGISTRY"), ",")[0], "cp-into", "-i", in, "-o", tree.path+"/"+key)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("terncli cp-into %s: %v\n%s", key, err, out)
			}
			continue
		}
		parent, name := tree.id, key
		if i := strings.LastIndexByte(key, '/'); i >= 0 {
			e, err := s.Lookup(ctx, tree.id, key[:i])
			if err != nil {
				t.Fatal(err)
			}
			parent, name = e.ID, key[i+1:]
		}
		tr := mustWrite(t, ctx, s, parent, "user file", data)
		if _, err := s.LinkFile(ctx, tr, parent, name); err != nil {
			t.Fatalf("link %s: %v", key, err)
		}
	}
	return tree
}

func TestResolvePathIntegration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	tree := makeUserTree(t, ctx, s)

	e, err := s.ResolvePath(ctx, tree.path)
	if err != nil || e.ID != tree.id || !e.Dir || e.Name != "photos" || e.CreationTime.IsZero() {
		t.Fatalf("ResolvePath(%s): %+v %v, want directory %v", tree.path, e, err, tree.id)
	}
	if again, err := s.ResolvePath(ctx, "//"+strings.TrimPrefix(tree.path, "/")+"/"); err != nil || again.ID != tree.id {
		t.Errorf("ResolvePath with extra slashes: %+v %v", again, err)
	}
	if root, err := s.ResolvePath(ctx, "/"); err != nil || root.ID != store.ID(wire.RootDirectory) || !root.Dir {
		t.Errorf("ResolvePath(/): %+v %v", root, err)
	}
	if _, err := s.ResolvePath(ctx, tree.path+"/nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing directory: %v, want ErrNotFound", err)
	}
	if _, err := s.ResolvePath(ctx, tree.path+"/b.txt"); !errors.Is(err, store.ErrNotDirectory) {
		t.Errorf("a file: %v, want ErrNotDirectory", err)
	}
	if _, err := s.ResolvePath(ctx, tree.path+"/b.txt/below"); !errors.Is(err, store.ErrNotDirectory) {
		t.Errorf("below a file: %v, want ErrNotDirectory", err)
	}
	// Nothing was created on the way.
	if _, err := s.ResolvePath(ctx, tree.path+"/nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ResolvePath created what it looked for: %v", err)
	}
}

// TestMappedBucketIntegration serves a directory users filled outside the
// gateway as a bucket through store/objects.
func TestMappedBucketIntegration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	tree := makeUserTree(t, ctx, s)
	l, err := objects.New(ctx, s, s.Root(), objects.Options{
		MappedBuckets: []objects.MappedBucket{{Name: "photos", Path: tree.path, Owner: "admin"}},
		ResolvePath:   s.ResolvePath,
	})
	if err != nil {
		t.Fatalf("layer: %v", err)
	}
	if err := l.CreateBucket(ctx, "mine", "alice"); err != nil {
		t.Fatal(err)
	}
	buckets, err := l.ListBuckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range buckets {
		names = append(names, b.Name+":"+b.Owner)
	}
	if want := []string{"mine:alice", "photos:admin"}; !slices.Equal(names, want) {
		t.Fatalf("buckets %q, want %q", names, want)
	}
	if _, err := l.HeadBucket(ctx, "photos"); err != nil {
		t.Fatalf("HeadBucket: %v", err)
	}

	page, err := l.List(ctx, objects.ListInput{Bucket: "photos", MaxKeys: 1000})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	var keys []string
	for _, o := range page.Objects {
		keys = append(keys, o.Key)
		if o.Size != int64(len(tree.files[o.Key])) || !o.Foreign || !strings.Contains(o.ETag, "-") {
			t.Errorf("%s: size %d foreign %v ETag %q, want %d bytes and a synthetic ETag", o.Key, o.Size, o.Foreign, o.ETag, len(tree.files[o.Key]))
		}
	}
	if want := []string{"2024/c.txt", "Z.txt", "a b/with sp", "a.txt", "b.txt", "caf\u00e9"}; !slices.Equal(keys, want) {
		t.Fatalf("keys %q, want %q (byte order)", keys, want)
	}
	for key, data := range tree.files {
		obj, err := l.Open(ctx, "photos", key)
		if err != nil {
			t.Fatalf("open %s: %v", key, err)
		}
		got := make([]byte, obj.File.Size())
		_, err = obj.File.ReadAt(got, 0)
		obj.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read %s: %v (equal %v)", key, err, bytes.Equal(got, data))
		}
	}

	// Writes land in the user's directory, where TernFS clients see them.
	fresh := storeTestBytes(12<<20+7, 36)
	info, err := l.Put(ctx, objects.PutInput{Bucket: "photos", Key: "2024/new.bin", Body: bytes.NewReader(fresh), Size: int64(len(fresh))})
	if err != nil {
		t.Fatalf("put: %v", err)
	}
	if e, err := s.ResolvePath(ctx, tree.path+"/2024"); err != nil {
		t.Fatal(err)
	} else if f, err := s.Lookup(ctx, e.ID, "new.bin"); err != nil || f.ID != info.FileID {
		t.Fatalf("new.bin in the user's directory: %+v %v", f, err)
	}
	if bin := os.Getenv("TERNFS_TERNCLI"); bin != "" {
		out := filepath.Join(t.TempDir(), "new.bin")
		cmd := exec.CommandContext(ctx, bin, "-registry", strings.Split(os.Getenv("TERNFS_REGISTRY"), ",")[0], "cp-outof", "-i", tree.path+"/2024/new.bin", "-o", out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terncli cp-outof: %v\n%s", err, b)
		}
		if b, err := os.ReadFile(out); err != nil || !bytes.Equal(b, fresh) {
			t.Fatalf("terncli read of our object: %v (equal %v)", err, bytes.Equal(b, fresh))
		}
	}
	if err := l.Delete(ctx, "photos", "b.txt"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := s.Lookup(ctx, tree.id, "b.txt"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("b.txt after DeleteObject: %v", err)
	}

	// DeleteBucket never removes the user's directory, even when empty.
	for key := range tree.files {
		if err := l.Delete(ctx, "photos", key); err != nil {
			t.Fatalf("delete %s: %v", key, err)
		}
	}
	if err := l.Delete(ctx, "photos", "2024/new.bin"); err != nil {
		t.Fatal(err)
	}
	err = l.DeleteBucket(ctx, "photos")
	if !errors.Is(err, s3err.MethodNotAllowed) {
		t.Fatalf("DeleteBucket of a mapped bucket: %v, want MethodNotAllowed", err)
	}
	if e, err := s.ResolvePath(ctx, tree.path); err != nil || e.ID != tree.id {
		t.Fatalf("the user's directory after DeleteBucket: %+v %v", e, err)
	}
}
