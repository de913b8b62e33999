package ternfs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

// lookupShard answers Lookup with a target derived from the name, after
// dropping the first `drops` attempts of every request id.
func lookupShard(t *testing.T, drops int) func(*fakeUDPPeer, uint64, uint8, []byte) []byte {
	return func(p *fakeUDPPeer, id uint64, kind uint8, body []byte) []byte {
		if p.attempts(id) <= drops {
			return nil
		}
		var req LookupReq
		if ShardKind(kind) != KindLookup || Unmarshal(body, &req) != nil {
			return AppendErrorDatagram(nil, ShardResponseMagic, id, ErrMalformedRequest)
		}
		if req.Name == "missing" {
			return AppendErrorDatagram(nil, ShardResponseMagic, id, ErrNameNotFound)
		}
		var n uint64
		fmt.Sscanf(req.Name, "n%d", &n)
		return shardReply(t, id, &LookupResp{TargetID: MakeInodeID(InodeFile, 0, n), CreationTime: TernTime(n)})
	}
}

func addrs(peers ...*fakeUDPPeer) AddrsInfo {
	var a AddrsInfo
	a.Addr1 = peers[0].ipPort()
	if len(peers) > 1 {
		a.Addr2 = peers[1].ipPort()
	}
	return a
}

func TestShardRequestAndErrorMapping(t *testing.T) {
	shard := newFakeUDPPeer(t, ShardRequestMagic, lookupShard(t, 0))
	c := newFakeCluster(t, addrs(shard), addrs(shard)).client(t)
	var resp LookupResp
	if err := c.ShardRequest(context.Background(), 0, &LookupReq{DirID: RootDirectory, Name: "n42"}, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.TargetID != MakeInodeID(InodeFile, 0, 42) {
		t.Fatalf("got %+v", resp)
	}
	err := c.ShardRequest(context.Background(), 0, &LookupReq{DirID: RootDirectory, Name: "missing"}, &resp)
	if !errors.Is(err, store.ErrNotFound) || !errors.Is(err, ErrNameNotFound) {
		t.Fatalf("err %v: want NAME_NOT_FOUND and store.ErrNotFound", err)
	}
}

func TestShardRetryResendsSameIDFromSameSocketWithGrowingTimeouts(t *testing.T) {
	shard := newFakeUDPPeer(t, ShardRequestMagic, lookupShard(t, 3))
	c := newFakeCluster(t, addrs(shard), addrs(shard)).client(t)
	var resp LookupResp
	if err := c.ShardRequest(context.Background(), 0, &LookupReq{DirID: RootDirectory, Name: "n7"}, &resp); err != nil {
		t.Fatal(err)
	}
	ids := shard.requestIDs()
	if len(ids) != 1 {
		t.Fatalf("%d request ids for one call; a retry must reuse the id", len(ids))
	}
	shard.mu.Lock()
	defer shard.mu.Unlock()
	srcs, at := shard.seen[ids[0]], shard.at[ids[0]]
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
	silent := newFakeUDPPeer(t, ShardRequestMagic, func(*fakeUDPPeer, uint64, uint8, []byte) []byte { return nil })
	live := newFakeUDPPeer(t, ShardRequestMagic, lookupShard(t, 0))
	c := newFakeCluster(t, addrs(silent, live), addrs(silent)).client(t)
	var resp LookupResp
	if err := c.ShardRequest(context.Background(), 0, &LookupReq{DirID: RootDirectory, Name: "n1"}, &resp); err != nil {
		t.Fatal(err)
	}
	if len(silent.requestIDs()) != 1 || len(live.requestIDs()) != 1 || silent.requestIDs()[0] != live.requestIDs()[0] {
		t.Fatalf("want the first attempt on Addr1 and the retry, same id, on Addr2")
	}
}

func TestShardConcurrentRequestsMatchedByID(t *testing.T) {
	var n atomic.Int64
	shard := newFakeUDPPeer(t, ShardRequestMagic, func(p *fakeUDPPeer, id uint64, kind uint8, body []byte) []byte {
		// Answer out of order.
		time.Sleep(time.Duration(n.Add(7)%13) * time.Millisecond)
		return lookupShard(t, 0)(p, id, kind, body)
	})
	c := newFakeCluster(t, addrs(shard), addrs(shard)).client(t)
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var resp LookupResp
			if err := c.ShardRequest(context.Background(), ShardID(i), &LookupReq{DirID: RootDirectory, Name: fmt.Sprintf("n%d", i)}, &resp); err != nil {
				t.Error(err)
				return
			}
			if resp.CreationTime != TernTime(i) {
				t.Errorf("request %d got the answer to %d", i, resp.CreationTime)
			}
		}()
	}
	wg.Wait()
	if len(shard.requestIDs()) != 64 {
		t.Fatalf("%d distinct request ids for 64 calls", len(shard.requestIDs()))
	}
}

func TestShardTimeoutRefreshesRegistryAndFollowsNewLeader(t *testing.T) {
	old := newFakeUDPPeer(t, ShardRequestMagic, func(*fakeUDPPeer, uint64, uint8, []byte) []byte { return nil })
	fc := newFakeCluster(t, addrs(old), addrs(old))
	c := fc.client(t)

	// Nobody answers: TIMEOUT after the overall deadline, and the
	// registry is asked again meanwhile.
	before := fc.registry.requests.Load()
	start := time.Now()
	err := c.ShardRequest(context.Background(), 0, &LookupReq{DirID: RootDirectory, Name: "n1"}, &LookupResp{})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err %v, want TIMEOUT", err)
	}
	if el := time.Since(start); el < 550*time.Millisecond || el > 2*time.Second {
		t.Fatalf("gave up after %v, overall is 600 ms", el)
	}
	if fc.registry.requests.Load() == before {
		t.Fatal("timeouts did not trigger a registry refresh")
	}

	// The leader moves; the next call finds it through the refresh.
	leader := newFakeUDPPeer(t, ShardRequestMagic, lookupShard(t, 0))
	fc.setShard(addrs(leader))
	var resp LookupResp
	if err := c.ShardRequest(context.Background(), 0, &LookupReq{DirID: RootDirectory, Name: "n5"}, &resp); err != nil {
		t.Fatal(err)
	}
	if len(old.requestIDs()) < 2 || len(leader.requestIDs()) != 1 {
		t.Fatalf("old leader saw %d calls, new %d", len(old.requestIDs()), len(leader.requestIDs()))
	}
}

func TestShardRequestHonoursContext(t *testing.T) {
	silent := newFakeUDPPeer(t, ShardRequestMagic, func(*fakeUDPPeer, uint64, uint8, []byte) []byte { return nil })
	c := newFakeCluster(t, addrs(silent), addrs(silent)).client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := c.ShardRequest(ctx, 0, &LookupReq{DirID: RootDirectory, Name: "n1"}, &LookupResp{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
}

// unlinkShard applies SoftUnlinkFile on the first attempt but loses the
// answer; the retry finds the edge gone (EDGE_NOT_FOUND). FullReadDir shows
// what the successful unlink left.
func unlinkShard(t *testing.T, target InodeID, created TernTime, leftover []Edge) func(*fakeUDPPeer, uint64, uint8, []byte) []byte {
	return func(p *fakeUDPPeer, id uint64, kind uint8, body []byte) []byte {
		switch ShardKind(kind) {
		case KindSoftUnlinkFile:
			if p.attempts(id) == 1 {
				return nil
			}
			return AppendErrorDatagram(nil, ShardResponseMagic, id, ErrEdgeNotFound)
		case KindFullReadDir:
			return shardReply(t, id, &FullReadDirResp{Results: leftover})
		}
		return AppendErrorDatagram(nil, ShardResponseMagic, id, ErrUnrecognizedRequest)
	}
}

func TestRetriedUnlinkEdgeNotFoundMeansSuccess(t *testing.T) {
	target := MakeInodeID(InodeFile, 0, 9)
	req := &SoftUnlinkFileReq{OwnerID: RootDirectory, FileID: target, Name: "f", CreationTime: 77}
	done := []Edge{
		{Current: false, TargetID: MakeOwnedInodeID(NullInode, false), Name: "f", CreationTime: 80},
		{Current: false, TargetID: MakeOwnedInodeID(target, true), Name: "f", CreationTime: 77},
	}
	shard := newFakeUDPPeer(t, ShardRequestMagic, unlinkShard(t, target, 77, done))
	c := newFakeCluster(t, addrs(shard), addrs(shard)).client(t)
	if err := c.ShardRequest(context.Background(), 0, req, &SoftUnlinkFileResp{}); err != nil {
		t.Fatalf("retried unlink whose first attempt succeeded: %v", err)
	}

	// Someone else's edge: the error stands.
	other := []Edge{done[0], {TargetID: MakeOwnedInodeID(MakeInodeID(InodeFile, 0, 10), true), Name: "f", CreationTime: 77}}
	shard2 := newFakeUDPPeer(t, ShardRequestMagic, unlinkShard(t, target, 77, other))
	c2 := newFakeCluster(t, addrs(shard2), addrs(shard2)).client(t)
	err := c2.ShardRequest(context.Background(), 0, req, &SoftUnlinkFileResp{})
	if !errors.Is(err, ErrEdgeNotFound) {
		t.Fatalf("err %v, want EDGE_NOT_FOUND", err)
	}
}

func TestFirstAttemptEdgeNotFoundIsAnError(t *testing.T) {
	shard := newFakeUDPPeer(t, ShardRequestMagic, func(p *fakeUDPPeer, id uint64, kind uint8, body []byte) []byte {
		return AppendErrorDatagram(nil, ShardResponseMagic, id, ErrEdgeNotFound)
	})
	c := newFakeCluster(t, addrs(shard), addrs(shard)).client(t)
	err := c.ShardRequest(context.Background(), 0, &SoftUnlinkFileReq{Name: "f"}, &SoftUnlinkFileResp{})
	if !errors.Is(err, ErrEdgeNotFound) || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("err %v", err)
	}
}

func TestCDCRequestRetries(t *testing.T) {
	cdc := newFakeUDPPeer(t, CDCRequestMagic, func(p *fakeUDPPeer, id uint64, kind uint8, body []byte) []byte {
		if p.attempts(id) < 3 {
			return nil
		}
		out, _ := AppendCDCResponse(nil, id, &MakeDirectoryResp{ID: MakeInodeID(InodeDirectory, 3, 1)})
		return out
	})
	shard := newFakeUDPPeer(t, ShardRequestMagic, lookupShard(t, 0))
	c := newFakeCluster(t, addrs(shard), addrs(cdc)).client(t)
	var resp MakeDirectoryResp
	if err := c.CDCRequest(context.Background(), &MakeDirectoryReq{OwnerID: RootDirectory, Name: "d"}, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.ID.Shard() != 3 || len(cdc.requestIDs()) != 1 {
		t.Fatalf("resp %+v ids %v", resp, cdc.requestIDs())
	}
}
