package objects

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

// S3 answers a version ID it could not have issued with 400 InvalidArgument
// "Invalid version id specified", naming and echoing the argument (as
// recorded from S3 in versity/versitygw#1698 for versionId and #1811 for
// version-id-marker).
func TestVersionIDsRoundTrip(t *testing.T) {
	for _, v := range []versionID{
		{null: true},
		fileVersion(1),
		fileVersion(store.ID(0x4000_0000_0000_1234)),
		markerVersion(time.Unix(0, 1_765_000_000_123_456_789)),
	} {
		s := v.String()
		back, err := parseVersionID("versionId", s)
		if err != nil || back.null != v.null || back.file != v.file || !back.marker.Equal(v.marker) {
			t.Errorf("parseVersionID(%q) = %+v, %v; want %+v", s, back, err, v)
		}
	}
	for _, bad := range []string{"", "NULL", "v", "v0000000000000000", "V0000000000000001", "v000000000000000A",
		"x0000000000000001", "v00000000000000001", "m8000000000000000", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo"} {
		_, err := parseVersionID("versionId", bad)
		var e *s3err.Error
		if !errors.As(err, &e) || e.Code != "InvalidArgument" || e.Message != "Invalid version id specified" ||
			e.Field("ArgumentName") != "versionId" || e.Field("ArgumentValue") != bad {
			t.Errorf("parseVersionID(%q) = %v, want InvalidArgument naming versionId", bad, err)
		}
	}
}

func TestBucketVersioningState(t *testing.T) {
	l, st := newTestLayer(t)
	ctx := t.Context()
	state, err := l.BucketVersioning(ctx, testBucket)
	if err != nil || state.Status != VersioningUnversioned || len(state.Changes) != 0 {
		t.Fatalf("new bucket: %+v, %v; want unversioned", state, err)
	}
	before := mustPut(t, l, "k", "before")
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatalf("enable: %v", err)
	}
	after := mustPut(t, l, "k", "after")
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatalf("enable again: %v", err)
	}
	if err := l.setBucketVersioning(ctx, testBucket, VersioningSuspended); err != nil {
		t.Fatalf("suspend: %v", err)
	}
	state, err = l.BucketVersioning(ctx, testBucket)
	if err != nil || state.Status != VersioningSuspended || len(state.Changes) != 2 ||
		state.Changes[0].Status != VersioningEnabled || state.Changes[1].Status != VersioningSuspended {
		t.Fatalf("state = %+v, %v; want Enabled then Suspended", state, err)
	}
	// Change times are on the store's clock, between the edges around them.
	bucket, _ := st.Lookup(ctx, st.Root(), testBucket)
	beforeEdge, afterEdge := edgeOf(t, l, bucket.ID, before.FileID), edgeOf(t, l, bucket.ID, after.FileID)
	enabled, _ := state.firstEnabled()
	if !enabled.After(beforeEdge) || !enabled.Before(afterEdge) {
		t.Fatalf("enabled at %v, want between the edges %v and %v", enabled, beforeEdge, afterEdge)
	}
	if state.statusAt(beforeEdge) != VersioningUnversioned || state.statusAt(afterEdge) != VersioningEnabled {
		t.Fatalf("statusAt: %q before, %q after", state.statusAt(beforeEdge), state.statusAt(afterEdge))
	}

	// The bucket keeps versions; its metadata directory does not.
	if keep, err := st.KeepsSnapshots(ctx, bucket.ID); err != nil || !keep {
		t.Fatalf("bucket keeps snapshots = %v, %v", keep, err)
	}
	meta, err := st.Lookup(ctx, bucket.ID, metaDirName)
	if err != nil {
		t.Fatal(err)
	}
	if keep, err := st.KeepsSnapshots(ctx, meta.ID); err != nil || keep {
		t.Fatalf("metadata directory keeps snapshots = %v, %v", keep, err)
	}
	if err := l.setBucketVersioning(ctx, testBucket, "Disabled"); err == nil {
		t.Fatal("a status other than Enabled or Suspended was taken")
	}
}

// edgeOf finds the creation time of the edge of file id among the bucket
// directory's edges, current or snapshot.
func edgeOf(t *testing.T, l *Layer, dir store.ID, id store.ID) time.Time {
	t.Helper()
	var at time.Time
	err := l.st.(store.VersionedDirs).ReadDirVersions(t.Context(), dir, func(v store.Version) error {
		if v.ID == id {
			at = v.CreationTime
		}
		return nil
	})
	if err != nil || at.IsZero() {
		t.Fatalf("edge of file %d: %v", id, err)
	}
	return at
}

// describeVersions renders versions as "null", "v<n>" (file versions,
// numbered by the put that wrote them) and "marker", latest first marked
// with '*'.
func describeVersions(vs []keyVersion, names map[store.ID]string) string {
	var parts []string
	for _, v := range vs {
		var s string
		switch {
		case v.id.null && v.isMarker:
			s = "null-marker"
		case v.id.null:
			s = "null=" + names[v.edge.ID]
		case v.isMarker:
			s = "marker"
		default:
			s = names[v.edge.ID]
		}
		if v.latest {
			s += "*"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func versionsOf(t *testing.T, l *Layer, key string) []keyVersion {
	t.Helper()
	ctx := t.Context()
	bid, err := l.bucketID(ctx, testBucket)
	if err != nil {
		t.Fatal(err)
	}
	state, err := l.BucketVersioning(ctx, testBucket)
	if err != nil {
		t.Fatal(err)
	}
	p, err := pathOfKey(key)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := l.keyVersions(ctx, bid, p, state)
	if err != nil {
		t.Fatalf("keyVersions(%q): %v", key, err)
	}
	return vs
}

func TestKeyVersionsAcrossVersioningStates(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx := t.Context()
	names := map[store.ID]string{}
	put := func(key, body string) {
		names[mustPut(t, l, key, body).FileID] = body
	}
	want := func(key, desc string) {
		t.Helper()
		if got := describeVersions(versionsOf(t, l, key), names); got != desc {
			t.Fatalf("versions of %q = %q, want %q", key, got, desc)
		}
	}

	// Before versioning: one object per key, the future null version.
	put("k", "u1")
	put("k", "u2")
	put("dir/k", "d1")
	want("k", "null=u2*")
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	want("k", "null=u2*")

	put("k", "e1")
	put("k", "e2")
	want("k", "e2* e1 null=u2")
	if err := l.Delete(ctx, testBucket, "k"); err != nil {
		t.Fatal(err)
	}
	want("k", "marker* e2 e1 null=u2")
	put("dir/k", "d2")
	if err := l.Delete(ctx, testBucket, "dir/k"); err != nil {
		t.Fatal(err)
	}
	want("dir/k", "marker* d2 null=d1")
	want("missing", "")
	want("dir/missing/k", "")

	// Under Suspended, each write is the null version, replacing the one
	// before it.
	if err := l.setBucketVersioning(ctx, testBucket, VersioningSuspended); err != nil {
		t.Fatal(err)
	}
	put("k", "s1")
	want("k", "null=s1* marker e2 e1")
	put("k", "s2")
	want("k", "null=s2* marker e2 e1")
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	put("k", "e3")
	want("k", "e3* null=s2 marker e2 e1")

	// Version IDs: a file version is its file, a marker its time.
	vs := versionsOf(t, l, "k")
	if id := vs[0].id.String(); id != fmt.Sprintf("v%016x", uint64(vs[0].edge.ID)) {
		t.Fatalf("file version ID %q", id)
	}
	if id := vs[2].id.String(); !strings.HasPrefix(id, "m") || !vs[2].id.isMarker() {
		t.Fatalf("marker version ID %q", id)
	}
}

// An object whose key becomes a prefix moves to its shadow name; its
// versions follow it, and the move leaves no delete marker.
func TestKeyVersionsFollowTheShadowName(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx := t.Context()
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	names := map[store.ID]string{}
	names[mustPut(t, l, "a", "a1").FileID] = "a1"
	names[mustPut(t, l, "a", "a2").FileID] = "a2"
	mustPut(t, l, "a/b", "b1") // "a" becomes a directory; the object moves aside
	if got := describeVersions(versionsOf(t, l, "a"), names); got != "a2* a1" {
		t.Fatalf("versions of a = %q, want %q", got, "a2* a1")
	}
	names[mustPut(t, l, "a", "a3").FileID] = "a3"
	if got := describeVersions(versionsOf(t, l, "a"), names); got != "a3* a2 a1" {
		t.Fatalf("versions of a = %q, want %q", got, "a3* a2 a1")
	}
}

func readVersion(t *testing.T, l *Layer, key, versionID string) (string, error) {
	t.Helper()
	obj, _, err := l.openVersion(t.Context(), testBucket, key, versionID)
	if err != nil {
		return "", err
	}
	defer obj.Close()
	b := make([]byte, obj.File.Size())
	if _, err := obj.File.ReadAt(b, 0); err != nil && len(b) > 0 {
		t.Fatalf("read %q version %s: %v", key, versionID, err)
	}
	if obj.Info.ETag != md5hex(string(b)) {
		t.Fatalf("%q version %s: ETag %s, want its own record's", key, versionID, obj.Info.ETag)
	}
	return string(b), nil
}

// GET ?versionId= reads exactly that version; a delete marker's version is
// 405 with the marker's time (API_GetObject); a well-formed ID that is not
// a version of the key is NoSuchVersion, a malformed one InvalidArgument
// (versity/versitygw#1698).
func TestOpenVersion(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx := t.Context()
	mustPut(t, l, "k", "null body")
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	mustPut(t, l, "k", "first")
	mustPut(t, l, "k", "second")
	other := mustPut(t, l, "other", "x")
	if err := l.Delete(ctx, testBucket, "k"); err != nil {
		t.Fatal(err)
	}
	vs := versionsOf(t, l, "k") // marker, second, first, null
	if len(vs) != 4 {
		t.Fatalf("%d versions", len(vs))
	}
	for i, want := range map[int]string{1: "second", 2: "first", 3: "null body"} {
		got, err := readVersion(t, l, "k", vs[i].id.String())
		if err != nil || got != want {
			t.Fatalf("version %s = %q, %v; want %q", vs[i].id, got, err, want)
		}
	}
	if got, err := readVersion(t, l, "k", "null"); err != nil || got != "null body" {
		t.Fatalf("version null = %q, %v", got, err)
	}

	_, err := readVersion(t, l, "k", vs[0].id.String())
	var dm *DeleteMarkerError
	if !errors.As(err, &dm) || dm.VersionID != vs[0].id.String() || !dm.LastModified.Equal(vs[0].edge.CreationTime) {
		t.Fatalf("open of the delete marker = %v, want DeleteMarkerError with its time", err)
	}
	for _, id := range []string{fileVersion(other.FileID).String(), markerVersion(time.Unix(0, 1)).String()} {
		if _, err := readVersion(t, l, "k", id); !errors.Is(err, s3err.NoSuchVersion) {
			t.Fatalf("open of %s (not a version of k) = %v, want NoSuchVersion", id, err)
		}
	}
	if _, err := readVersion(t, l, "missing", vs[1].id.String()); !errors.Is(err, s3err.NoSuchVersion) {
		t.Fatalf("open of a missing key's version = %v, want NoSuchVersion", err)
	}
	var e *s3err.Error
	if _, err := readVersion(t, l, "k", "bogus"); !errors.As(err, &e) || e.Code != "InvalidArgument" {
		t.Fatalf("open of a malformed version ID = %v, want InvalidArgument", err)
	}
}

// versionedRecordFileStore offers VersionedDirs but not AttributedFiles: the
// layer keeps metadata in record files, as over TernFS.
type versionedRecordFileStore struct{ store.VersionedDirs }

// In a versioned bucket the record of a replaced or deleted file is its
// version's metadata: retiring it must not remove it. Unversioned buckets
// still lose it at once.
func TestVersionRecordsOutliveReplacement(t *testing.T) {
	st, err := local.Open(fastTempDir(t), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := t.Context()
	l, err := New(ctx, versionedRecordFileStore{st}, st.Root(), Options{RecordRemovalDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{testBucket, "plain"} {
		if err := l.CreateBucket(ctx, b, "owner"); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.setBucketVersioning(ctx, testBucket, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	mustPut(t, l, "k", "first")
	mustPut(t, l, "k", "second")
	if err := l.Delete(ctx, testBucket, "k"); err != nil {
		t.Fatal(err)
	}
	vs := versionsOf(t, l, "k")
	if len(vs) != 3 {
		t.Fatalf("%d versions, want marker and two files", len(vs))
	}
	for i, want := range map[int]string{1: "second", 2: "first"} {
		obj, _, err := l.openVersion(ctx, testBucket, "k", vs[i].id.String())
		if err != nil {
			t.Fatal(err)
		}
		obj.Close()
		if obj.Info.Foreign || obj.Info.ETag != md5hex(want) {
			t.Fatalf("version %s: foreign=%v ETag %s; want its record (ETag of %q)", vs[i].id, obj.Info.Foreign, obj.Info.ETag, want)
		}
	}

	old, err := l.Put(ctx, PutInput{Bucket: "plain", Key: "k", Body: strings.NewReader("old"), Size: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Put(ctx, PutInput{Bucket: "plain", Key: "k", Body: strings.NewReader("new"), Size: 3}); err != nil {
		t.Fatal(err)
	}
	pid, err := l.bucketID(ctx, "plain")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.readRecord(ctx, pid, old.FileID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("record of a replaced file in an unversioned bucket: %v, want removed", err)
	}
}
