package ternfs

import (
	"context"
	"testing"
)

func TestResolveSpanPoliciesInherits(t *testing.T) {
	child := MakeInodeID(InodeDirectory, 0, 5)
	var rootInfo, childInfo DirectoryInfo
	want := smallPolicies()
	for _, p := range []Policy{&want.Span, &want.Block, &want.Stripe} {
		rootInfo.Set(p)
	}
	childStripe := &StripePolicy{TargetStripeSize: 4096}
	childInfo.Set(childStripe)
	shard := newFakeUDPPeer(t, ShardRequestMagic, func(p *fakeUDPPeer, id uint64, kind uint8, body []byte) []byte {
		var req StatDirectoryReq
		Unmarshal(body, &req)
		if req.ID == child {
			return shardReply(t, id, &StatDirectoryResp{Owner: RootDirectory, Info: childInfo})
		}
		return shardReply(t, id, &StatDirectoryResp{Info: rootInfo})
	})
	c := newFakeCluster(t, addrs(shard), addrs(shard)).client(t)
	got, err := c.ResolveSpanPolicies(context.Background(), child)
	if err != nil {
		t.Fatal(err)
	}
	if got.Stripe.TargetStripeSize != 4096 || len(got.Span.Entries) != 2 || len(got.Block.Entries) != 1 {
		t.Fatalf("got %+v", got)
	}
}
