package client

import (
	"context"
	"fmt"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"
)

// ResolveSpanPolicies finds the SPAN, BLOCK and STRIPE policies that apply
// in dir: a directory inherits each policy it does not set from its owner,
// and the root sets all of them.
func (c *Client) ResolveSpanPolicies(ctx context.Context, dir wire.InodeID) (*span.SpanPolicies, error) {
	p := &span.SpanPolicies{}
	need := []wire.Policy{&p.Span, &p.Block, &p.Stripe}
	for cur, hops := dir, 0; len(need) > 0; hops++ {
		if cur == wire.NullInode || hops > 1024 {
			return nil, fmt.Errorf("resolve policies of %v: %d policies unset up to the root", dir, len(need))
		}
		var st wire.StatDirectoryResp
		if err := c.ShardRequest(ctx, cur.Shard(), &wire.StatDirectoryReq{ID: cur}, &st); err != nil {
			return nil, fmt.Errorf("resolve policies of %v: %w", dir, err)
		}
		var rest []wire.Policy
		for _, pol := range need {
			found, err := st.Info.Lookup(pol)
			if err != nil {
				return nil, fmt.Errorf("resolve policies of %v at %v: %w", dir, cur, err)
			}
			if !found {
				rest = append(rest, pol)
			}
		}
		need = rest
		if cur == wire.RootDirectory {
			break
		}
		cur = st.Owner
	}
	if len(need) > 0 {
		return nil, fmt.Errorf("resolve policies of %v: root lacks %d policies", dir, len(need))
	}
	return p, nil
}
