package objects

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terngate/terngate/internal/redistest"
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
	paused, wake := make(chan struct{}), make(chan struct{})
	var once sync.Once
	a.layer.beforeCommit = func() { once.Do(func() { close(paused); <-wake }) }
	block := &PublicAccessBlock{BlockPublicAcls: true}
	aDone := make(chan error, 1)
	go func() { aDone <- a.layer.SetBucketPublicAccessBlock(ctx, testBucket, block) }()
	waitPaused(t, paused, aDone)

	const policy = `{"Version":"2012-10-17","Statement":[]}`
	bDone := make(chan error, 1)
	go func() { bDone <- b.layer.SetBucketPolicy(ctx, testBucket, []byte(policy), nil) }()
	select {
	case err := <-bDone:
		t.Fatalf("the second gateway's update ended (%v) while the first held the bucket", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(wake)
	if err := <-aDone; err != nil {
		t.Fatalf("the first gateway's update: %v", err)
	}
	select {
	case err := <-bDone:
		if err != nil {
			t.Fatalf("the second gateway's update: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second gateway's update did not end after the first's")
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
	paused, wake := make(chan struct{}), make(chan struct{})
	var once sync.Once
	a.layer.beforeCommit = func() { once.Do(func() { close(paused); <-wake }) }
	aDone := make(chan error, 1)
	go func() { aDone <- a.layer.SetBucketVersioning(ctx, testBucket, VersioningEnabled) }()
	waitPaused(t, paused, aDone)

	bDone := make(chan error, 1)
	go func() { bDone <- b.layer.SetBucketVersioning(ctx, testBucket, VersioningSuspended) }()
	select {
	case err := <-bDone:
		t.Fatalf("the second gateway's change ended (%v) while the first held the bucket", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(wake)
	if err := <-aDone; err != nil {
		t.Fatalf("the first gateway's change: %v", err)
	}
	if err := <-bDone; err != nil {
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
