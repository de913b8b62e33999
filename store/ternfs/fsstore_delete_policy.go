package ternfs

import (
	"fmt"
	"time"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"
)

// Deletes and overwrites are soft in TernFS: the old file stays behind as a
// snapshot edge until its directory's SNAPSHOT policy lets the garbage
// collector hard-unlink it and free its blocks (30 days under a fresh
// cluster's root, doc §2). The store frees space by setting a short SNAPSHOT
// policy on its root, inherited by every bucket, rather than hard-unlinking
// the snapshot edge at delete time: a hard unlink makes the file transient
// with its deadline passed, so the collector may erase its blocks under a
// reader that opened it a moment before (here or on another gateway), while
// the policy guarantees every reader the retention. The collector adds its
// own floor: it leaves edges younger than its minimum edge age (terngc
// -collect-directories-min-edge-age, 1 h by default) and block services
// erase no block younger than an hour.

// snapshotPolicy keeps replaced and deleted files for retention, however
// many versions of a name there are.
func snapshotPolicy(retention time.Duration) *wire.SnapshotPolicy {
	p := &wire.SnapshotPolicy{}
	p.SetDeleteAfter(retention)
	return p
}

// rootPolicies lists the policies Open sets on the store's root: the span
// policies, and the SNAPSHOT policy when a retention is given.
func rootPolicies(span *span.SpanPolicies, retention *time.Duration) ([]wire.Policy, error) {
	pols := []wire.Policy{&span.Span, &span.Block, &span.Stripe}
	if retention == nil {
		return pols, nil
	}
	if *retention < 0 {
		return nil, fmt.Errorf("ternfs: snapshot retention %v is negative", *retention)
	}
	return append(pols, snapshotPolicy(*retention)), nil
}
