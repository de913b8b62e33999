package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/internal/ternfstest"
)

// lookupShard answers Lookup with a target derived from the name, after
// dropping the first `drops` attempts of every request id.
func lookupShard(t *testing.T, drops int) func(*ternfstest.UDPPeer, uint64, uint8, []byte) []byte {
	return func(p *ternfstest.UDPPeer, id uint64, kind uint8, body []byte) []byte {
		if p.Attempts(id) <= drops {
			return nil
		}
		var req wire.LookupReq
		if wire.ShardKind(kind) != wire.KindLookup || wire.Unmarshal(body, &req) != nil {
			return wire.AppendErrorDatagram(nil, wire.ShardResponseMagic, id, wire.ErrMalformedRequest)
		}
		if req.Name == "missing" {
			return wire.AppendErrorDatagram(nil, wire.ShardResponseMagic, id, wire.ErrNameNotFound)
		}
		var n uint64
		fmt.Sscanf(req.Name, "n%d", &n)
		return ternfstest.ShardReply(t, id, &wire.LookupResp{TargetID: wire.MakeInodeID(wire.InodeFile, 0, n), CreationTime: wire.TernTime(n)})
	}
}

func TestShardRequestAndErrorMapping(t *testing.T) {
	shard := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, lookupShard(t, 0))
	c := fakeClient(t, ternfstest.NewCluster(t, ternfstest.Addrs(shard), ternfstest.Addrs(shard)))
	var resp wire.LookupResp
	if err := c.ShardRequest(context.Background(), 0, &wire.LookupReq{DirID: wire.RootDirectory, Name: "n42"}, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.TargetID != wire.MakeInodeID(wire.InodeFile, 0, 42) {
		t.Fatalf("got %+v", resp)
	}
	err := c.ShardRequest(context.Background(), 0, &wire.LookupReq{DirID: wire.RootDirectory, Name: "missing"}, &resp)
	if !errors.Is(err, store.ErrNotFound) || !errors.Is(err, wire.ErrNameNotFound) {
		t.Fatalf("err %v: want NAME_NOT_FOUND and store.ErrNotFound", err)
	}
}

func TestShardRetryResendsSameIDFromSameSocketWithGrowingTimeouts(t *testing.T) {
	shard := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, lookupShard(t, 3))
	c := fakeClient(t, ternfstest.NewCluster(t, ternfstest.Addrs(shard), ternfstest.Addrs(shard)))
	var resp wire.LookupResp
	if err := c.ShardRequest(context.Background(), 0, &wire.LookupReq{DirID: wire.RootDirectory, Name: "n7"}, &resp); err != nil {
		t.Fatal(err)
	}
	ids := shard.RequestIDs()
	if len(ids) != 1 {
		t.Fatalf("%d request ids for one call; a retry must reuse the id", len(ids))
	}
	shard.Mu.Lock()
	defer shard.Mu.Unlock()
	srcs, at := shard.Seen[ids[0]], shard.At[ids[0]]
	if len(srcs) != 4 {
		t.Fatalf("%d attempts, want 4", len(srcs))
	}
	for _, s := range srcs[1:] {
		if s != srcs[0] {
			t.Fatalf("retry came from %v, first attempt from %v", s, srcs[0])
		}
	}
	// Gaps: ~20 ms, ~30 ms, ~45 ms.
	g1, g3 := at[1].Sub(at[0]), at[3].Sub(at[2])
	if g1 < 15*time.Millisecond || g3 < g1 {
		t.Fatalf("gaps %v then %v: want ≥ initial and growing", g1, g3)
	}
}

func TestShardRetryAlternatesAddresses(t *testing.T) {
	silent := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, func(*ternfstest.UDPPeer, uint64, uint8, []byte) []byte { return nil })
	live := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, lookupShard(t, 0))
	c := fakeClient(t, ternfstest.NewCluster(t, ternfstest.Addrs(silent, live), ternfstest.Addrs(silent)))
	var resp wire.LookupResp
	if err := c.ShardRequest(context.Background(), 0, &wire.LookupReq{DirID: wire.RootDirectory, Name: "n1"}, &resp); err != nil {
		t.Fatal(err)
	}
	if len(silent.RequestIDs()) != 1 || len(live.RequestIDs()) != 1 || silent.RequestIDs()[0] != live.RequestIDs()[0] {
		t.Fatalf("want the first attempt on Addr1 and the retry, same id, on Addr2")
	}
}

func TestShardConcurrentRequestsMatchedByID(t *testing.T) {
	var n atomic.Int64
	shard := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, func(p *ternfstest.UDPPeer, id uint64, kind uint8, body []byte) []byte {
		// Answer out of order.
		time.Sleep(time.Duration(n.Add(7)%13) * time.Millisecond)
		return lookupShard(t, 0)(p, id, kind, body)
	})
	c := fakeClient(t, ternfstest.NewCluster(t, ternfstest.Addrs(shard), ternfstest.Addrs(shard)))
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var resp wire.LookupResp
			if err := c.ShardRequest(context.Background(), wire.ShardID(i), &wire.LookupReq{DirID: wire.RootDirectory, Name: fmt.Sprintf("n%d", i)}, &resp); err != nil {
				t.Error(err)
				return
			}
			if resp.CreationTime != wire.TernTime(i) {
				t.Errorf("request %d got the answer to %d", i, resp.CreationTime)
			}
		}()
	}
	wg.Wait()
	if len(shard.RequestIDs()) != 64 {
		t.Fatalf("%d distinct request ids for 64 calls", len(shard.RequestIDs()))
	}
}

func TestShardTimeoutRefreshesRegistryAndFollowsNewLeader(t *testing.T) {
	old := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, func(*ternfstest.UDPPeer, uint64, uint8, []byte) []byte { return nil })
	fc := ternfstest.NewCluster(t, ternfstest.Addrs(old), ternfstest.Addrs(old))
	c := fakeClient(t, fc)

	// Nobody answers: TIMEOUT after the overall deadline, and the
	// registry is asked again meanwhile.
	before := fc.Registry.Requests.Load()
	start := time.Now()
	err := c.ShardRequest(context.Background(), 0, &wire.LookupReq{DirID: wire.RootDirectory, Name: "n1"}, &wire.LookupResp{})
	if !errors.Is(err, wire.ErrTimeout) {
		t.Fatalf("err %v, want TIMEOUT", err)
	}
	if el := time.Since(start); el < 550*time.Millisecond || el > 2*time.Second {
		t.Fatalf("gave up after %v, overall is 600 ms", el)
	}
	if fc.Registry.Requests.Load() == before {
		t.Fatal("timeouts did not trigger a registry refresh")
	}

	// The leader moves; the next call finds it through the refresh.
	leader := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, lookupShard(t, 0))
	fc.SetShard(ternfstest.Addrs(leader))
	var resp wire.LookupResp
	if err := c.ShardRequest(context.Background(), 0, &wire.LookupReq{DirID: wire.RootDirectory, Name: "n5"}, &resp); err != nil {
		t.Fatal(err)
	}
	if len(old.RequestIDs()) < 2 || len(leader.RequestIDs()) != 1 {
		t.Fatalf("old leader saw %d calls, new %d", len(old.RequestIDs()), len(leader.RequestIDs()))
	}
}

func TestShardRequestHonoursContext(t *testing.T) {
	silent := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, func(*ternfstest.UDPPeer, uint64, uint8, []byte) []byte { return nil })
	c := fakeClient(t, ternfstest.NewCluster(t, ternfstest.Addrs(silent), ternfstest.Addrs(silent)))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := c.ShardRequest(ctx, 0, &wire.LookupReq{DirID: wire.RootDirectory, Name: "n1"}, &wire.LookupResp{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
}

// unlinkShard applies SoftUnlinkFile on the first attempt but loses the
// answer; the retry finds the edge gone (EDGE_NOT_FOUND). FullReadDir shows
// what the successful unlink left.
func unlinkShard(t *testing.T, target wire.InodeID, created wire.TernTime, leftover []wire.Edge) func(*ternfstest.UDPPeer, uint64, uint8, []byte) []byte {
	return func(p *ternfstest.UDPPeer, id uint64, kind uint8, body []byte) []byte {
		switch wire.ShardKind(kind) {
		case wire.KindSoftUnlinkFile:
			if p.Attempts(id) == 1 {
				return nil
			}
			return wire.AppendErrorDatagram(nil, wire.ShardResponseMagic, id, wire.ErrEdgeNotFound)
		case wire.KindFullReadDir:
			return ternfstest.ShardReply(t, id, &wire.FullReadDirResp{Results: leftover})
		}
		return wire.AppendErrorDatagram(nil, wire.ShardResponseMagic, id, wire.ErrUnrecognizedRequest)
	}
}

func TestRetriedUnlinkEdgeNotFoundMeansSuccess(t *testing.T) {
	target := wire.MakeInodeID(wire.InodeFile, 0, 9)
	req := &wire.SoftUnlinkFileReq{OwnerID: wire.RootDirectory, FileID: target, Name: "f", CreationTime: 77}
	done := []wire.Edge{
		{Current: false, TargetID: wire.MakeOwnedInodeID(wire.NullInode, false), Name: "f", CreationTime: 80},
		{Current: false, TargetID: wire.MakeOwnedInodeID(target, true), Name: "f", CreationTime: 77},
	}
	shard := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, unlinkShard(t, target, 77, done))
	c := fakeClient(t, ternfstest.NewCluster(t, ternfstest.Addrs(shard), ternfstest.Addrs(shard)))
	if err := c.ShardRequest(context.Background(), 0, req, &wire.SoftUnlinkFileResp{}); err != nil {
		t.Fatalf("retried unlink whose first attempt succeeded: %v", err)
	}

	// Someone else's edge: the error stands.
	other := []wire.Edge{done[0], {TargetID: wire.MakeOwnedInodeID(wire.MakeInodeID(wire.InodeFile, 0, 10), true), Name: "f", CreationTime: 77}}
	shard2 := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, unlinkShard(t, target, 77, other))
	c2 := fakeClient(t, ternfstest.NewCluster(t, ternfstest.Addrs(shard2), ternfstest.Addrs(shard2)))
	err := c2.ShardRequest(context.Background(), 0, req, &wire.SoftUnlinkFileResp{})
	if !errors.Is(err, wire.ErrEdgeNotFound) {
		t.Fatalf("err %v, want EDGE_NOT_FOUND", err)
	}
}

func TestFirstAttemptEdgeNotFoundIsAnError(t *testing.T) {
	shard := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, func(p *ternfstest.UDPPeer, id uint64, kind uint8, body []byte) []byte {
		return wire.AppendErrorDatagram(nil, wire.ShardResponseMagic, id, wire.ErrEdgeNotFound)
	})
	c := fakeClient(t, ternfstest.NewCluster(t, ternfstest.Addrs(shard), ternfstest.Addrs(shard)))
	err := c.ShardRequest(context.Background(), 0, &wire.SoftUnlinkFileReq{Name: "f"}, &wire.SoftUnlinkFileResp{})
	if !errors.Is(err, wire.ErrEdgeNotFound) || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("err %v", err)
	}
}

func TestCDCRequestRetries(t *testing.T) {
	cdc := ternfstest.NewUDPPeer(t, wire.CDCRequestMagic, func(p *ternfstest.UDPPeer, id uint64, kind uint8, body []byte) []byte {
		if p.Attempts(id) < 3 {
			return nil
		}
		out, _ := wire.AppendCDCResponse(nil, id, &wire.MakeDirectoryResp{ID: wire.MakeInodeID(wire.InodeDirectory, 3, 1)})
		return out
	})
	shard := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, lookupShard(t, 0))
	c := fakeClient(t, ternfstest.NewCluster(t, ternfstest.Addrs(shard), ternfstest.Addrs(cdc)))
	var resp wire.MakeDirectoryResp
	if err := c.CDCRequest(context.Background(), &wire.MakeDirectoryReq{OwnerID: wire.RootDirectory, Name: "d"}, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.ID.Shard() != 3 || len(cdc.RequestIDs()) != 1 {
		t.Fatalf("resp %+v ids %v", resp, cdc.RequestIDs())
	}
}
