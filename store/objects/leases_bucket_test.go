package objects

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terngate/terngate/internal/redistest"
	"github.com/terngate/terngate/s3err"
)

// TestLeasedBucketConfigUpdatesKeepEachOther: two gateways change different
// parts of one bucket's configuration at once; each reads the bucket record,
// changes its part and writes the record back. The first is paused right
// before its write. The second waits for the bucket's lease instead of
// writing meanwhile, so the first's write, made from what it read, does not
// undo the second's: the record ends with both the public access block and
// the policy. With only in-process locks the policy was lost.
func TestLeasedBucketConfigUpdatesKeepEachOther(t *testing.T) {
	reps, _ := newReplicas(t, redistest.Start(t), 2, 2*time.Second)
	a, b := reps[0], reps[1]
	ctx := t.Context()
	block := &PublicAccessBlock{BlockPublicAcls: true}
	const policy = `{"Version":"2012-10-17","Statement":[]}`
	err := secondWaitsForFirst(t, a.layer,
		func() error { return a.layer.SetBucketPublicAccessBlock(ctx, testBucket, block) },
		func() error { return b.layer.SetBucketPolicy(ctx, testBucket, []byte(policy), nil) })
	if err != nil {
		t.Fatalf("the second gateway's change: %v", err)
	}
	for _, r := range reps {
		info, err := r.layer.HeadBucket(ctx, testBucket)
		if err != nil {
			t.Fatal(err)
		}
		if string(info.Policy) != policy || info.PublicAccessBlock == nil || !info.PublicAccessBlock.BlockPublicAcls {
			t.Fatalf("bucket after both updates: policy %q, block %+v; want both", info.Policy, info.PublicAccessBlock)
		}
	}
}

// TestLeasedVersioningChangesKeepTheirHistory: two gateways change one
// bucket's versioning at once, the first paused right before it writes.
// Each change reads the versioning document and writes it back with its
// change added to the history; the second waits for the bucket's lease
// for its whole change, so it reads the first's document: the history
// keeps Enabled before Suspended (without it, the second wrote a history
// that never said Enabled, and versions written under Enabled would have
// been taken for null versions).
func TestLeasedVersioningChangesKeepTheirHistory(t *testing.T) {
	reps, _ := newReplicas(t, redistest.Start(t), 2, 2*time.Second)
	a, b := reps[0], reps[1]
	ctx := t.Context()
	err := secondWaitsForFirst(t, a.layer,
		func() error { return a.layer.SetBucketVersioning(ctx, testBucket, VersioningEnabled) },
		func() error { return b.layer.SetBucketVersioning(ctx, testBucket, VersioningSuspended) })
	if err != nil {
		t.Fatalf("the second gateway's change: %v", err)
	}
	state, err := b.layer.BucketVersioning(ctx, testBucket)
	if err != nil {
		t.Fatal(err)
	}
	var history []string
	for _, c := range state.Changes {
		history = append(history, c.Status)
	}
	if got := strings.Join(history, ","); state.Status != VersioningSuspended || got != "Enabled,Suspended" {
		t.Fatalf("versioning after both changes: %s, history %s; want Suspended, Enabled,Suspended", state.Status, got)
	}
	if info, err := a.layer.HeadBucket(ctx, testBucket); err != nil || info.Versioning != VersioningSuspended {
		t.Fatalf("bucket record says %q (%v), want Suspended", info.Versioning, err)
	}
}

// secondWaitsForFirst runs first, through layer, until its first commit and
// pauses it there; then runs second (through another gateway's layer),
// which must not end while first holds the bucket; then lets first go on,
// which must succeed, and returns second's outcome.
func secondWaitsForFirst(t *testing.T, layer *Layer, first, second func() error) error {
	t.Helper()
	paused, wake := make(chan struct{}), make(chan struct{})
	var once sync.Once
	layer.beforeCommit = func() { once.Do(func() { close(paused); <-wake }) }
	firstDone := make(chan error, 1)
	go func() { firstDone <- first() }()
	waitPaused(t, paused, firstDone)
	secondDone := make(chan error, 1)
	go func() { secondDone <- second() }()
	select {
	case err := <-secondDone:
		close(wake)
		t.Fatalf("the second gateway's change ended (%v) while the first held the bucket", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(wake)
	if err := <-firstDone; err != nil {
		t.Fatalf("the first gateway's change: %v", err)
	}
	select {
	case err := <-secondDone:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the second gateway's change did not end after the first's")
	}
	return nil
}

// TestLeasedObjectLockRefusesConcurrentSuspend: while one gateway turns
// Object Lock on for a bucket (versioning Enabled, then the lock, under one
// hold of the bucket), another's Suspend waits, and then is refused as on
// a locked bucket: it cannot land between the two steps and leave a
// locked bucket Suspended. (With a hold per step the Suspend could, had it
// won the lease between them; the test cannot force that interleaving, so
// it checks the outcome.)
func TestLeasedObjectLockRefusesConcurrentSuspend(t *testing.T) {
	reps, _ := newReplicas(t, redistest.Start(t), 2, 2*time.Second)
	a, b := reps[0], reps[1]
	ctx := t.Context()
	err := secondWaitsForFirst(t, a.layer,
		func() error { return a.layer.EnableObjectLock(ctx, testBucket) },
		func() error { return b.layer.SetBucketVersioning(ctx, testBucket, VersioningSuspended) })
	if !errors.Is(err, s3err.InvalidBucketState) {
		t.Fatalf("Suspend during EnableObjectLock: %v, want InvalidBucketState", err)
	}
	info, err := b.layer.HeadBucket(ctx, testBucket)
	if err != nil || info.ObjectLock == nil || info.Versioning != VersioningEnabled {
		t.Fatalf("bucket after both: lock %+v, versioning %q (%v); want locked and Enabled", info.ObjectLock, info.Versioning, err)
	}
}
