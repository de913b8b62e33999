package ternfs

import (
	"testing"
	"time"

	"github.com/terngate/terngate/store/ternfs/wire"
)

func TestRootPoliciesCarryTheSnapshotRetention(t *testing.T) {
	span := DefaultSpanPolicies()
	pols, err := rootPolicies(span, nil)
	if err != nil || len(pols) != 3 {
		t.Fatalf("without a retention: %d policies, %v; want the 3 span policies", len(pols), err)
	}
	for _, retention := range []time.Duration{0, time.Hour, 30 * 24 * time.Hour} {
		pols, err := rootPolicies(span, &retention)
		if err != nil || len(pols) != 4 {
			t.Fatalf("retention %v: %d policies, %v", retention, len(pols), err)
		}
		var info wire.DirectoryInfo
		for _, p := range pols {
			if err := info.Set(p); err != nil {
				t.Fatal(err)
			}
		}
		var snap wire.SnapshotPolicy
		if found, err := info.Lookup(&snap); err != nil || !found {
			t.Fatalf("retention %v: SNAPSHOT policy %v %v", retention, found, err)
		}
		if d, active := snap.DeleteAfter(); !active || d != retention {
			t.Errorf("retention %v: delete after %v (active %v)", retention, d, active)
		}
		if snap.DeleteAfterVersions>>15 != 0 {
			t.Errorf("retention %v: a version limit is active: %#x", retention, snap.DeleteAfterVersions)
		}
		// The wire body: u64 nanoseconds with the active bit, u16 versions.
		body, _ := wire.Marshal(&snap)
		if len(body) != 10 || body[7]&0x80 == 0 {
			t.Errorf("retention %v: body % x", retention, body)
		}
	}
	negative := -time.Second
	if _, err := rootPolicies(span, &negative); err == nil {
		t.Error("a negative retention was accepted")
	}
}
