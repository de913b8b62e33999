package ternfs

import (
	"context"
	"testing"
	"time"

	"github.com/terngate/terngate/store/ternfs/client"
	"github.com/terngate/terngate/store/ternfs/internal/ternfstest"
	"github.com/terngate/terngate/store/ternfs/span"
	"github.com/terngate/terngate/store/ternfs/wire"
)

// The adapter's tests drive a Store over the same fakes as the client's
// own tests; this rig is the client's (client/span_rig_test.go and
// fake_client_test.go), which a test of another package cannot import.

func smallPolicies() *span.SpanPolicies {
	mk := func(d, q int) wire.Parity { x, _ := wire.MakeParity(d, q); return x }
	return &span.SpanPolicies{
		Span:   wire.SpanPolicy{Entries: []wire.SpanPolicyEntry{{MaxSize: 8192, Parity: mk(1, 2)}, {MaxSize: 1 << 20, Parity: mk(4, 2)}}},
		Block:  wire.BlockPolicy{Entries: []wire.BlockPolicyEntry{{StorageClass: wire.StorageFlash}}},
		Stripe: wire.StripePolicy{TargetStripeSize: 16 << 10},
	}
}

type spanRig struct {
	c        *client.Client
	shard    *ternfstest.SpanShard
	services []*ternfstest.BlockService
}

func newSpanRig(t *testing.T) *spanRig {
	var services []*ternfstest.BlockService
	for i := range 7 {
		services = append(services, ternfstest.NewBlockService(t, wire.BlockServiceID(100+i)))
	}
	shard := ternfstest.NewSpanShard(t, services)
	peer := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, shard.Handle)
	cfg := fastConfig(ternfstest.NewCluster(t, ternfstest.Addrs(peer), ternfstest.Addrs(peer)))
	// No span test waits for a shard timeout, and under load (many
	// appenders computing parity on two shared cores) the fake shard can
	// take longer than fastConfig's 600 ms to answer: be patient with it.
	cfg.ShardTimeouts.Overall = 10 * time.Second
	c, err := client.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &spanRig{c: c, shard: shard, services: services}
}

func (r *spanRig) newFile(t *testing.T) (wire.InodeID, wire.Cookie) {
	var resp wire.ConstructFileResp
	if err := r.c.ShardRequest(context.Background(), 0, &wire.ConstructFileReq{Type: wire.InodeFile, Note: "test"}, &resp); err != nil {
		t.Fatal(err)
	}
	return resp.ID, resp.Cookie
}

func (r *spanRig) writeFile(t *testing.T, parts ...[]byte) (wire.InodeID, []byte) {
	t.Helper()
	id, cookie := r.newFile(t)
	var all []byte
	for _, p := range parts {
		if err := r.c.WriteSpan(context.Background(), id, cookie, uint64(len(all)), p, smallPolicies()); err != nil {
			t.Fatal(err)
		}
		all = append(all, p...)
	}
	return id, all
}

// fastConfig shrinks upstream's timeouts so retry tests run in
// milliseconds, keeping their shape (×1.5 growth, jitter, overall cap).
func fastConfig(fc *ternfstest.Cluster) client.Config {
	return client.Config{
		Registry: client.RegistryConfig{
			Addrs:          []string{fc.Registry.Addr()},
			AttemptTimeout: 150 * time.Millisecond,
			Reconnect:      client.Timeouts{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond, Overall: time.Second, Growth: 1.5},
		},
		ShardTimeouts:      client.Timeouts{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond, Overall: 600 * time.Millisecond, Growth: 1.5, Jitter: 0.1},
		CDCTimeouts:        client.Timeouts{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond, Overall: 600 * time.Millisecond, Growth: 1.5, Jitter: 0.1},
		BlockTimeouts:      client.Timeouts{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond, Overall: 500 * time.Millisecond, Growth: 1.5, Jitter: 0.1},
		MinRefreshInterval: 20 * time.Millisecond,
	}
}

func fakeClient(t *testing.T, fc *ternfstest.Cluster) *client.Client {
	t.Helper()
	c, err := client.NewClient(context.Background(), fastConfig(fc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
