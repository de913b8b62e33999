package multipart

import (
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// A Sentinel failover moves the master; the tracker must follow it without
// being reopened, and keep what was written before.
func TestRedisTrackerFollowsSentinelFailover(t *testing.T) {
	s := startRedisSentinel(t, true)
	tr := openRedisTracker(t, s.url)
	ctx := t.Context()
	bucket := "failover"
	u := contractUpload(bucket, "k", time.Now())
	if err := tr.Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.PutPart(ctx, u.ID, contractPart(1, "before")); err != nil {
		t.Fatal(err)
	}
	// Replication is asynchronous: make sure the replica has it all.
	oldMaster := redis.NewClient(&redis.Options{Addr: s.master})
	defer oldMaster.Close()
	if n, err := oldMaster.Wait(ctx, 1, 5*time.Second).Result(); err != nil || n != 1 {
		t.Fatalf("WAIT for the replica = %d, %v", n, err)
	}

	s.failover(t)

	// The client learns of the switch from the Sentinel; until then a write
	// may reach the demoted master and fail (READONLY), never succeed there.
	var lastErr error
	waitFor(t, 10*time.Second, "a write through the tracker after failover", func() (bool, error) {
		_, lastErr = tr.PutPart(ctx, u.ID, contractPart(2, "after"))
		return lastErr == nil, lastErr
	})
	newMaster := redis.NewClient(&redis.Options{Addr: s.master})
	defer newMaster.Close()
	if role, err := newMaster.Do(ctx, "ROLE").Slice(); err != nil || role[0] != "master" {
		t.Fatalf("ROLE of the promoted replica = %v, %v", role, err)
	}
	if n, err := newMaster.HLen(ctx, partsKey(u.ID)).Result(); err != nil || n != 2 {
		t.Fatalf("the new master holds %d parts (%v); want both", n, err)
	}

	parts, _, err := tr.Parts(ctx, u.ID, 0, 0)
	if err != nil || len(parts) != 2 || parts[0].ETag != "before" || parts[1].ETag != "after" {
		t.Fatalf("Parts after failover = %+v, %v", parts, err)
	}
	if page, err := tr.Index(ctx, bucket, "-", 10); err != nil || len(page) != 1 || page[0].ID != u.ID {
		t.Fatalf("Index after failover = %+v, %v", page, err)
	}
	c, err := tr.Claim(ctx, u.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Finish(ctx, u.ID, c.Token, Result{ETag: "e-2"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Get(ctx, u.ID); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("Get after Finish: %v", err)
	}
}
