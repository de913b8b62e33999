package objects

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/s3err"
)

func TestObjectLockVersionDelete(t *testing.T) {
	l, _ := newTestLayer(t)
	testObjectLockVersionDelete(t, l)
}

func TestObjectLockVersionDeleteOnTernFS(t *testing.T) {
	l, _ := newTernFSTestLayer(t)
	testObjectLockVersionDelete(t, l)
}

// putLocked writes key with md's lock fields.
func putLocked(t *testing.T, l *Layer, key, body string, md Metadata) ObjectInfo {
	t.Helper()
	info, err := l.Put(t.Context(), PutInput{Bucket: testBucket, Key: key, Body: strings.NewReader(body), Size: int64(len(body)), Metadata: md})
	if err != nil {
		t.Fatalf("put %q: %v", key, err)
	}
	return info
}

// A version under a retention in force or a legal hold cannot be deleted:
// GOVERNANCE only with the bypass, COMPLIANCE and legal hold not at all;
// the refusal is AccessDenied "Access Denied because object protected by
// object lock." (ceph/s3-tests test_object_lock_delete_object_with_retention,
// test_object_lock_delete_object_with_legal_hold_on). A refused delete
// leaves every version in place.
func testObjectLockVersionDelete(t *testing.T, l *Layer) {
	ctx := t.Context()
	if err := l.EnableObjectLock(ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	if state, err := l.BucketVersioning(ctx, testBucket); err != nil || state.Status != VersioningEnabled {
		t.Fatalf("versioning after EnableObjectLock = %+v, %v", state, err)
	}
	later := time.Now().Add(time.Hour).UnixNano()
	bypass := WithGovernanceBypass(ctx)
	deleteOldest := func(ctx context.Context, key string) error {
		t.Helper()
		vs := versionsOf(t, l, key)
		_, err := l.deleteVersion(ctx, testBucket, key, vs[len(vs)-1].id.String())
		return err
	}
	refused := func(ctx context.Context, key string, versions int) {
		t.Helper()
		if err := deleteOldest(ctx, key); !errors.Is(err, s3err.ObjectLocked) {
			t.Fatalf("delete locked version of %q = %v, want %v", key, err, s3err.ObjectLocked)
		}
		if n := len(versionsOf(t, l, key)); n != versions {
			t.Fatalf("%q has %d versions after a refused delete, want %d", key, n, versions)
		}
	}

	putLocked(t, l, "g", "g1", Metadata{LockMode: LockGovernance, LockUntil: later})
	mustPut(t, l, "g", "g2")
	refused(ctx, "g", 2)
	if err := deleteOldest(bypass, "g"); err != nil {
		t.Fatalf("delete GOVERNANCE version with the bypass: %v", err)
	}

	putLocked(t, l, "c", "c1", Metadata{LockMode: LockCompliance, LockUntil: later})
	refused(ctx, "c", 1)
	refused(bypass, "c", 1)
	mustGet(t, l, "c", "c1")

	putLocked(t, l, "h", "h1", Metadata{LegalHold: LegalHoldOn})
	refused(bypass, "h", 1)
	if _, err := l.SetObjectLegalHold(ctx, testBucket, "h", "", LegalHoldOff); err != nil {
		t.Fatal(err)
	}
	if err := deleteOldest(ctx, "h"); err != nil {
		t.Fatalf("delete after the legal hold is lifted: %v", err)
	}

	// A retention that has ended protects nothing.
	putLocked(t, l, "e", "e1", Metadata{LockMode: LockCompliance, LockUntil: time.Now().Add(-time.Second).UnixNano()})
	if err := deleteOldest(ctx, "e"); err != nil {
		t.Fatalf("delete after the retention ended: %v", err)
	}
}

// PutObjectRetention's rules on the version the key holds (ceph/s3-tests
// test_object_lock_put_obj_retention_shorten_period,
// test_object_lock_changing_mode_from_compliance).
func TestSetObjectRetention(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx := t.Context()
	bypass := WithGovernanceBypass(ctx)
	in := func(d time.Duration) time.Time { return time.Now().Add(d).Truncate(time.Millisecond).UTC() }
	set := func(ctx context.Context, key string, r Retention) error {
		_, err := l.SetObjectRetention(ctx, testBucket, key, "", r)
		return err
	}
	mustPut(t, l, "c", "c")
	mustPut(t, l, "g", "g")
	steps := []struct {
		name string
		ctx  context.Context
		key  string
		want Retention
		err  error
	}{
		{"set COMPLIANCE", ctx, "c", Retention{LockCompliance, in(2 * time.Hour)}, nil},
		{"extend COMPLIANCE", ctx, "c", Retention{LockCompliance, in(3 * time.Hour)}, nil},
		{"shorten COMPLIANCE", bypass, "c", Retention{LockCompliance, in(time.Hour)}, s3err.ObjectLocked},
		{"COMPLIANCE to GOVERNANCE", bypass, "c", Retention{LockGovernance, in(4 * time.Hour)}, s3err.ObjectLocked},
		{"remove COMPLIANCE", bypass, "c", Retention{}, s3err.ObjectLocked},
		{"set GOVERNANCE", ctx, "g", Retention{LockGovernance, in(2 * time.Hour)}, nil},
		{"shorten GOVERNANCE", ctx, "g", Retention{LockGovernance, in(time.Hour)}, s3err.ObjectLocked},
		{"GOVERNANCE to COMPLIANCE", ctx, "g", Retention{LockCompliance, in(3 * time.Hour)}, s3err.ObjectLocked},
		{"shorten GOVERNANCE with bypass", bypass, "g", Retention{LockGovernance, in(time.Hour)}, nil},
		{"remove GOVERNANCE", ctx, "g", Retention{}, s3err.ObjectLocked},
		{"remove GOVERNANCE with bypass", bypass, "g", Retention{}, nil},
	}
	for _, s := range steps {
		before := statOrFail(t, l, s.key).Metadata.Retention()
		err := set(s.ctx, s.key, s.want)
		if !errors.Is(err, s.err) || (s.err == nil) != (err == nil) {
			t.Fatalf("%s: %v, want %v", s.name, err, s.err)
		}
		got := statOrFail(t, l, s.key).Metadata.Retention()
		want := s.want
		if s.err != nil {
			want = before
		}
		if got.Mode != want.Mode || !got.Until.Equal(want.Until) {
			t.Fatalf("%s: retention %+v, want %+v", s.name, got, want)
		}
	}
}

func statOrFail(t *testing.T, l *Layer, key string) ObjectInfo {
	t.Helper()
	info, err := l.Stat(t.Context(), testBucket, key)
	if err != nil {
		t.Fatalf("stat %q: %v", key, err)
	}
	return info
}

// A bucket gets an Object Lock configuration only while versioning is
// Enabled; its default retention reaches new versions (ceph/s3-tests
// test_object_lock_put_obj_lock, test_object_lock_put_obj_lock_invalid_bucket).
func TestBucketObjectLockConfiguration(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx := t.Context()
	if _, err := l.BucketObjectLock(ctx, testBucket); !errors.Is(err, s3err.ObjectLockConfigurationNotFound) {
		t.Fatalf("configuration of a bucket without lock: %v", err)
	}
	cfg := ObjectLockConfig{DefaultMode: LockGovernance, DefaultDays: 2}
	if err := l.SetBucketObjectLock(ctx, testBucket, cfg); !errors.Is(err, s3err.InvalidBucketState) {
		t.Fatalf("configuration on an unversioned bucket: %v", err)
	}
	if err := l.EnableObjectLock(ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	if got, err := l.BucketObjectLock(ctx, testBucket); err != nil || got != (ObjectLockConfig{}) {
		t.Fatalf("configuration after EnableObjectLock = %+v, %v", got, err)
	}
	if err := l.SetBucketObjectLock(ctx, testBucket, cfg); err != nil {
		t.Fatal(err)
	}
	if got, err := l.BucketObjectLock(ctx, testBucket); err != nil || got != cfg {
		t.Fatalf("configuration = %+v, %v, want %+v", got, err, cfg)
	}
	var md Metadata
	start := time.Now()
	if err := l.ApplyDefaultRetention(ctx, testBucket, &md); err != nil {
		t.Fatal(err)
	}
	until := time.Unix(0, md.LockUntil)
	if md.LockMode != LockGovernance || until.Before(start.AddDate(0, 0, 2)) || until.After(time.Now().AddDate(0, 0, 2)) {
		t.Fatalf("default retention = %s until %v", md.LockMode, until)
	}
	own := Metadata{LockMode: LockCompliance, LockUntil: 42}
	if err := l.ApplyDefaultRetention(ctx, testBucket, &own); err != nil || own.LockMode != LockCompliance || own.LockUntil != 42 {
		t.Fatalf("the default replaced a version's own retention: %+v, %v", own, err)
	}
}

// A lock bucket stays Enabled (ceph/s3-tests
// test_object_lock_suspend_versioning), and a delete without a version
// only adds a delete marker: the locked version stays, readable.
func TestObjectLockKeepsVersions(t *testing.T) {
	l, _ := newTestLayer(t)
	testObjectLockKeepsVersions(t, l)
}

func TestObjectLockKeepsVersionsOnTernFS(t *testing.T) {
	l, _ := newTernFSTestLayer(t)
	testObjectLockKeepsVersions(t, l)
}

func testObjectLockKeepsVersions(t *testing.T, l *Layer) {
	ctx := t.Context()
	if err := l.EnableObjectLock(ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	err := l.setBucketVersioning(ctx, testBucket, VersioningSuspended)
	if !errors.Is(err, s3err.InvalidBucketState) || s3err.As(err).Message != errLockKeepsVersioning.Message {
		t.Fatalf("suspending versioning of a lock bucket: %v", err)
	}
	if state, err := l.BucketVersioning(ctx, testBucket); err != nil || state.Status != VersioningEnabled {
		t.Fatalf("versioning after the refused suspend: %+v, %v", state, err)
	}
	putLocked(t, l, "k", "locked", Metadata{LockMode: LockCompliance, LockUntil: time.Now().Add(time.Hour).UnixNano()})
	if err := l.Delete(ctx, testBucket, "k"); err != nil {
		t.Fatalf("delete without a version: %v", err)
	}
	vs := versionsOf(t, l, "k")
	if len(vs) != 2 || !vs[0].isMarker || vs[1].isMarker {
		t.Fatalf("versions after a delete: %+v, want a delete marker over the locked version", vs)
	}
	if _, err := l.deleteVersion(ctx, testBucket, "k", vs[1].id.String()); !errors.Is(err, s3err.ObjectLocked) {
		t.Fatalf("delete of the locked version under a marker: %v", err)
	}
}

// Retention and legal hold on a version named by ID (?versionId=): an
// older version's record changes in place and protects it; the latest's
// is the current object's; a delete marker or an unknown ID is refused
// (ceph/s3-tests test_object_lock_put_obj_retention_version_id).
func TestObjectLockByVersionID(t *testing.T) {
	l, _ := newTestLayer(t)
	testObjectLockByVersionID(t, l)
}

func TestObjectLockByVersionIDOnTernFS(t *testing.T) {
	l, _ := newTernFSTestLayer(t)
	testObjectLockByVersionID(t, l)
}

func testObjectLockByVersionID(t *testing.T, l *Layer) {
	ctx := t.Context()
	if err := l.EnableObjectLock(ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	mustPut(t, l, "k", "one")
	mustPut(t, l, "k", "two")
	vs := versionsOf(t, l, "k")
	older, latest := vs[1].id.String(), vs[0].id.String()
	until := time.Now().Add(time.Hour).Truncate(time.Millisecond).UTC()
	if _, err := l.SetObjectRetention(ctx, testBucket, "k", older, Retention{LockCompliance, until}); err != nil {
		t.Fatalf("retention of the older version: %v", err)
	}
	md, err := l.VersionMetadata(ctx, testBucket, "k", older)
	if err != nil || md.Retention() != (Retention{LockCompliance, until}) {
		t.Fatalf("older version's retention: %+v, %v", md.Retention(), err)
	}
	if cur := statOrFail(t, l, "k"); cur.Metadata.LockMode != "" {
		t.Fatalf("the current object took the older version's retention: %+v", cur.Metadata)
	}
	mustGet(t, l, "k", "two")
	if _, err := l.SetObjectLegalHold(ctx, testBucket, "k", latest, LegalHoldOn); err != nil {
		t.Fatalf("legal hold of the latest version: %v", err)
	}
	if cur := statOrFail(t, l, "k"); cur.Metadata.LegalHold != LegalHoldOn {
		t.Fatalf("legal hold by the latest's ID did not reach the current object: %+v", cur.Metadata)
	}
	if _, err := l.deleteVersion(ctx, testBucket, "k", older); !errors.Is(err, s3err.ObjectLocked) {
		t.Fatalf("delete of the older version under retention: %v", err)
	}
	if _, err := l.SetObjectRetention(ctx, testBucket, "k", older, Retention{LockCompliance, until.Add(-time.Minute)}); !errors.Is(err, s3err.ObjectLocked) {
		t.Fatalf("shortening the older version's COMPLIANCE: %v", err)
	}

	if _, err := l.VersionMetadata(ctx, testBucket, "k", fileVersion(1<<40).String()); !errors.Is(err, s3err.NoSuchVersion) {
		t.Fatalf("unknown version: %v", err)
	}
	var e *s3err.Error
	if _, err := l.SetObjectLegalHold(ctx, testBucket, "k", "bogus", LegalHoldOn); !errors.As(err, &e) || e.Code != "InvalidArgument" {
		t.Fatalf("malformed version ID: %v", err)
	}
	if err := l.Delete(ctx, testBucket, "k"); err != nil {
		t.Fatal(err)
	}
	marker := versionsOf(t, l, "k")[0]
	if _, err := l.SetObjectLegalHold(ctx, testBucket, "k", marker.id.String(), LegalHoldOn); !errors.As(err, &e) || e.Code != "MethodNotAllowed" {
		t.Fatalf("legal hold on a delete marker: %v", err)
	}
}

// Lifecycle never removes a locked version and goes on past it: a bucket
// whose first key's noncurrent version is under COMPLIANCE retention and
// whose second key's is not loses only the second (user guide, "How S3
// Object Lock works": "lifecycle ... doesn't override" a retention period
// or legal hold).
func TestObjectLockStopsLifecycle(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx := t.Context()
	if err := l.EnableObjectLock(ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	putLocked(t, l, "a", "a1", Metadata{LockMode: LockCompliance, LockUntil: time.Now().Add(time.Hour).UnixNano()})
	mustPut(t, l, "a", "a2")
	mustPut(t, l, "b", "b1")
	mustPut(t, l, "b", "b2")
	n, err := l.ExpireVersions(ctx, testBucket, "", func(c ExpiryCandidate) bool { return !c.Latest })
	if err != nil || n != 1 {
		t.Fatalf("ExpireVersions = %d, %v; want the unlocked noncurrent version removed and no error", n, err)
	}
	if vs := versionsOf(t, l, "a"); len(vs) != 2 {
		t.Fatalf("the locked key has %d versions, want both", len(vs))
	}
	if vs := versionsOf(t, l, "b"); len(vs) != 1 {
		t.Fatalf("the unlocked key has %d versions, want its current one", len(vs))
	}
}
