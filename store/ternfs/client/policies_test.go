package client

import (
	"context"
	"testing"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/internal/ternfstest"
)

func TestResolveSpanPoliciesInherits(t *testing.T) {
	child := wire.MakeInodeID(wire.InodeDirectory, 0, 5)
	var rootInfo, childInfo wire.DirectoryInfo
	want := smallPolicies()
	for _, p := range []wire.Policy{&want.Span, &want.Block, &want.Stripe} {
		rootInfo.Set(p)
	}
	childStripe := &wire.StripePolicy{TargetStripeSize: 4096}
	childInfo.Set(childStripe)
	shard := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, func(p *ternfstest.UDPPeer, id uint64, kind uint8, body []byte) []byte {
		var req wire.StatDirectoryReq
		wire.Unmarshal(body, &req)
		if req.ID == child {
			return ternfstest.ShardReply(t, id, &wire.StatDirectoryResp{Owner: wire.RootDirectory, Info: childInfo})
		}
		return ternfstest.ShardReply(t, id, &wire.StatDirectoryResp{Info: rootInfo})
	})
	c := fakeClient(t, ternfstest.NewCluster(t, ternfstest.Addrs(shard), ternfstest.Addrs(shard)))
	got, err := c.ResolveSpanPolicies(context.Background(), child)
	if err != nil {
		t.Fatal(err)
	}
	if got.Stripe.TargetStripeSize != 4096 || len(got.Span.Entries) != 2 || len(got.Block.Entries) != 1 {
		t.Fatalf("got %+v", got)
	}
}
