package objects

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/ternfs"
)

// The objects layer's versioning code over a real TernFS cluster
// (TERNFS_REGISTRY; skipped, saying so, without one): versions come from
// snapshot edges, and the records of replaced and deleted files stay as
// their versions' metadata.
func TestVersionsOnTernFS(t *testing.T) {
	regs := os.Getenv("TERNFS_REGISTRY")
	if regs == "" {
		t.Skip("TERNFS_REGISTRY not set (host:port[,...]): this test needs a running TernFS cluster")
	}
	ctx := t.Context()
	root := fmt.Sprintf("/terngate-objects-test/versions-%d", time.Now().UnixNano())
	retention := time.Hour
	st, err := ternfs.Open(ctx, ternfs.Options{Registry: strings.Split(regs, ","), Root: root, SnapshotRetention: &retention})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	l, err := New(ctx, st, st.Root(), Options{RecordRemovalDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CreateBucket(ctx, testBucket, "owner"); err != nil {
		t.Fatal(err)
	}
	names := map[store.ID]string{}
	put := func(body string) { names[mustPut(t, l, "k", body).FileID] = body }
	want := func(desc string) {
		t.Helper()
		if got := describeVersions(versionsOf(t, l, "k"), names); got != desc {
			t.Fatalf("versions of k = %q, want %q", got, desc)
		}
	}

	put("unversioned")
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	bid, err := l.bucketID(ctx, testBucket)
	if err != nil {
		t.Fatal(err)
	}
	if keep, err := st.KeepsSnapshots(ctx, bid); err != nil || !keep {
		t.Fatalf("bucket keeps snapshots = %v, %v", keep, err)
	}
	put("first")
	put("second")
	if err := l.Delete(ctx, testBucket, "k"); err != nil {
		t.Fatal(err)
	}
	want("marker* second first null=unversioned")

	vs := versionsOf(t, l, "k")
	for i, body := range map[int]string{1: "second", 2: "first", 3: "unversioned"} {
		obj, _, err := l.openVersion(ctx, testBucket, "k", vs[i].id.String())
		if err != nil {
			t.Fatalf("open version %s: %v", vs[i].id, err)
		}
		obj.Close()
		if obj.Info.Foreign || obj.Info.ETag != md5hex(body) {
			t.Fatalf("version %s: foreign=%v ETag %s; want the record of %q", vs[i].id, obj.Info.Foreign, obj.Info.ETag, body)
		}
	}
}
