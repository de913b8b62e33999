package client

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/internal/ternfstest"
)

func fastRegistryConfig(addrs ...string) RegistryConfig {
	return RegistryConfig{
		Addrs:          addrs,
		AttemptTimeout: 150 * time.Millisecond,
		Reconnect:      Timeouts{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond, Overall: time.Second, Growth: 1.5},
	}
}

func infoHandler(t *testing.T) func(wire.RegistryKind, []byte) []byte {
	return func(kind wire.RegistryKind, body []byte) []byte {
		if kind != wire.KindInfo {
			return wire.AppendRegistryError(nil, wire.ErrUnrecognizedRequest)
		}
		return ternfstest.MustRegistryResponse(t, &wire.InfoResp{NumBlockServices: 7})
	}
}

func TestRegistryRotatesPastSilentFollowerAndRemembersLeader(t *testing.T) {
	follower := ternfstest.NewRegistry(t, false, infoHandler(t))
	leader := ternfstest.NewRegistry(t, true, infoHandler(t))
	reg, err := NewRegistryClient(fastRegistryConfig(follower.Addr(), leader.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 3 {
		var resp wire.InfoResp
		if err := reg.Request(ctx, &wire.InfoReq{}, &resp); err != nil {
			t.Fatal(err)
		}
		if resp.NumBlockServices != 7 {
			t.Fatalf("got %+v", resp)
		}
	}
	if got := follower.Requests.Load(); got != 1 {
		t.Fatalf("follower saw %d requests; after the first rotation the leader should be asked first", got)
	}
	if reg.Leader() != leader.Addr() {
		t.Fatalf("leader %s, want %s", reg.Leader(), leader.Addr())
	}

	// Leadership moves: the old leader goes silent, the client finds the
	// new one.
	leader.Leader.Store(false)
	follower.Leader.Store(true)
	var resp wire.InfoResp
	if err := reg.Request(ctx, &wire.InfoReq{}, &resp); err != nil {
		t.Fatal(err)
	}
	if reg.Leader() != follower.Addr() {
		t.Fatalf("leader %s after failover, want %s", reg.Leader(), follower.Addr())
	}
}

func TestRegistryRotatesPastRefusedAddress(t *testing.T) {
	leader := ternfstest.NewRegistry(t, true, infoHandler(t))
	dead := ternfstest.NewRegistry(t, true, infoHandler(t))
	deadAddr := dead.Addr()
	dead.Close()
	reg, _ := NewRegistryClient(fastRegistryConfig(deadAddr, leader.Addr()))
	var resp wire.InfoResp
	if err := reg.Request(context.Background(), &wire.InfoReq{}, &resp); err != nil {
		t.Fatal(err)
	}
}

func TestRegistryAnswerErrorIsReturnedWithoutRotation(t *testing.T) {
	leader := ternfstest.NewRegistry(t, true, func(wire.RegistryKind, []byte) []byte {
		return wire.AppendRegistryError(nil, wire.ErrNameNotFound)
	})
	other := ternfstest.NewRegistry(t, true, infoHandler(t))
	reg, _ := NewRegistryClient(fastRegistryConfig(leader.Addr(), other.Addr()))
	err := reg.Request(context.Background(), &wire.InfoReq{}, &wire.InfoResp{})
	if !errors.Is(err, wire.ErrNameNotFound) || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("err %v, want NAME_NOT_FOUND mapping to store.ErrNotFound", err)
	}
	if other.Requests.Load() != 0 {
		t.Fatal("a real answer must not send the request to another replica")
	}
}

func TestRegistryGivesUpWhenNoReplicaAnswers(t *testing.T) {
	a := ternfstest.NewRegistry(t, false, infoHandler(t))
	b := ternfstest.NewRegistry(t, false, infoHandler(t))
	cfg := fastRegistryConfig(a.Addr(), b.Addr())
	cfg.AttemptTimeout = 80 * time.Millisecond
	cfg.Reconnect.Overall = 400 * time.Millisecond
	reg, _ := NewRegistryClient(cfg)
	start := time.Now()
	err := reg.Request(context.Background(), &wire.InfoReq{}, &wire.InfoResp{})
	if err == nil {
		t.Fatal("expected failure")
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("gave up after %v", el)
	}
	if a.Requests.Load() < 2 || b.Requests.Load() < 2 {
		t.Fatalf("expected several rounds, got %d and %d requests", a.Requests.Load(), b.Requests.Load())
	}
}

func TestRegistryHonoursContextCancellation(t *testing.T) {
	a := ternfstest.NewRegistry(t, false, infoHandler(t))
	cfg := fastRegistryConfig(a.Addr())
	cfg.AttemptTimeout = 10 * time.Second
	reg, _ := NewRegistryClient(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := reg.Request(ctx, &wire.InfoReq{}, &wire.InfoResp{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("cancellation took %v", el)
	}
}

// clusterRegistry answers the three calls a ClusterView makes.
type clusterRegistry struct {
	t            *testing.T
	shardPort    uint16
	cdcPort      uint16
	changedSince chan wire.TernTime
}

func (c *clusterRegistry) handle(kind wire.RegistryKind, body []byte) []byte {
	switch kind {
	case wire.KindLocalShards:
		shards := make([]wire.ShardInfo, 256)
		for i := range shards {
			shards[i].Addrs.Addr1 = wire.IPPort{IP: [4]byte{127, 0, 0, 1}, Port: c.shardPort + uint16(i)}
		}
		return ternfstest.MustRegistryResponse(c.t, &wire.LocalShardsResp{Shards: shards})
	case wire.KindLocalCDC:
		return ternfstest.MustRegistryResponse(c.t, &wire.LocalCDCResp{Addrs: wire.AddrsInfo{Addr1: wire.IPPort{IP: [4]byte{127, 0, 0, 1}, Port: c.cdcPort}}})
	case wire.KindLocalChangedBlockServices:
		var req wire.LocalChangedBlockServicesReq
		if err := wire.Unmarshal(body, &req); err != nil {
			c.t.Error(err)
		}
		select {
		case c.changedSince <- req.ChangedSince:
		default:
		}
		return ternfstest.MustRegistryResponse(c.t, &wire.LocalChangedBlockServicesResp{
			LastChange:    req.ChangedSince + 10,
			BlockServices: []wire.BlockService{{ID: wire.BlockServiceID(100 + req.ChangedSince), Flags: wire.BlockServiceNoWrite}},
		})
	}
	return wire.AppendRegistryError(nil, wire.ErrUnrecognizedRequest)
}

func TestClusterViewRefreshAndIncrementalBlockServices(t *testing.T) {
	cr := &clusterRegistry{t: t, shardPort: 1000, cdcPort: 900, changedSince: make(chan wire.TernTime, 10)}
	leader := ternfstest.NewRegistry(t, true, cr.handle)
	reg, _ := NewRegistryClient(fastRegistryConfig(leader.Addr()))
	view := NewClusterView(reg, time.Hour, 50*time.Millisecond)
	ctx := context.Background()
	if _, err := view.ShardAddrs(3); err == nil {
		t.Fatal("empty view should know no shard")
	}
	if err := view.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := view.ShardAddrs(3)
	if err != nil || a.Addr1.Port != 1003 {
		t.Fatalf("shard 3: %+v %v", a, err)
	}
	if c, err := view.CDCAddrs(); err != nil || c.Addr1.Port != 900 {
		t.Fatalf("cdc: %+v %v", c, err)
	}
	if err := view.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := []wire.TernTime{<-cr.changedSince, <-cr.changedSince}; got[0] != 0 || got[1] != 10 {
		t.Fatalf("ChangedSince sequence %v, want [0 10]", got)
	}
	for _, id := range []wire.BlockServiceID{100, 110} {
		if bs, ok := view.BlockService(id); !ok || bs.Flags.CanWrite() {
			t.Fatalf("block service %d: %+v %v", id, bs, ok)
		}
	}
}

func TestClusterViewRefreshSoonIsRateLimited(t *testing.T) {
	cr := &clusterRegistry{t: t, shardPort: 1000, cdcPort: 900, changedSince: make(chan wire.TernTime, 100)}
	leader := ternfstest.NewRegistry(t, true, cr.handle)
	reg, _ := NewRegistryClient(fastRegistryConfig(leader.Addr()))
	view := NewClusterView(reg, time.Hour, 200*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := view.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	go view.Run(ctx, func(err error) { t.Error(err) })
	deadline := time.Now().Add(500 * time.Millisecond)
	for time.Now().Before(deadline) {
		view.RefreshSoon()
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	// One refresh at start, then at most one per 200 ms: 3 calls of each
	// kind (3 frames per refresh) in 500 ms at most, plus the first.
	if n := leader.Requests.Load(); n < 6 || n > 4*3 {
		t.Fatalf("%d registry requests in 500 ms of RefreshSoon storms", n)
	}
}
