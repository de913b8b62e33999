package ternfs

import (
	"bytes"
	"context"
	"fmt"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"

	"github.com/terngate/terngate/store/ternfs/client"
)

// DefaultSpanPolicies are what upstream's root defaults intend (the fresh
// cluster's own SPAN policy is broken and caps spans near 2.4 MiB, doc §9):
// RS(10,4) up to ~4.8 MiB, then one entry per 610 pages at (D,4) with D
// growing to 10, so the largest span is 27,484,160 bytes at RS(10,4);
// blocks up to ~2.5 MB on FLASH, larger ones on HDD; 1 MiB stripes.
func DefaultSpanPolicies() *span.SpanPolicies {
	const step = 610 << 12
	p := &span.SpanPolicies{
		Block: wire.BlockPolicy{Entries: []wire.BlockPolicyEntry{
			{StorageClass: wire.StorageFlash, MinSize: 0},
			{StorageClass: wire.StorageHDD, MinSize: step},
		}},
		Stripe: wire.StripePolicy{TargetStripeSize: 1 << 20},
	}
	p.Span.Entries = append(p.Span.Entries, wire.SpanPolicyEntry{MaxSize: 2 * step, Parity: mustParity(10, 4)})
	for d := 2; d <= 10; d++ {
		last := p.Span.Entries[len(p.Span.Entries)-1].MaxSize
		p.Span.Entries = append(p.Span.Entries, wire.SpanPolicyEntry{MaxSize: last + step, Parity: mustParity(d, 4)})
	}
	return p
}

func mustParity(d, p int) wire.Parity {
	parity, err := wire.MakeParity(d, p)
	if err != nil {
		panic(err)
	}
	return parity
}

// appendSpanSize is how Append cuts streams: the policy's largest span,
// rounded down to whole pages so that every span but the last ends on a
// page boundary (the next span's offset must be page-aligned).
func appendSpanSize(p *span.SpanPolicies) (int, error) {
	size := p.MaxSpan() / span.PageSize * span.PageSize
	switch {
	case size <= span.MaxInlineSpan:
		return 0, fmt.Errorf("ternfs: span policy allows spans of at most %d bytes", p.MaxSpan())
	case size > span.MaxSpanSize:
		size = span.MaxSpanSize
	}
	if _, err := span.ComputeSpanLayout(p, size); err != nil {
		return 0, fmt.Errorf("ternfs: span policy: %w", err)
	}
	return int(size), nil
}

// applyPolicies sets pols on dir, keeping its other policies; nothing is
// written when they are already set.
func applyPolicies(ctx context.Context, c *client.Client, dir wire.InodeID, pols ...wire.Policy) error {
	st, err := c.StatDirectory(ctx, dir)
	if err != nil {
		return fmt.Errorf("ternfs: policies of %v: %w", dir, err)
	}
	before, err := wire.Marshal(&st.Info)
	if err != nil {
		return err
	}
	info := st.Info
	info.Entries = append([]wire.DirectoryInfoEntry(nil), st.Info.Entries...)
	for _, pol := range pols {
		if err := info.Set(pol); err != nil {
			return fmt.Errorf("ternfs: policies of %v: %w", dir, err)
		}
	}
	after, err := wire.Marshal(&info)
	if err != nil {
		return err
	}
	if bytes.Equal(before, after) {
		return nil
	}
	if err := c.SetDirectoryInfo(ctx, dir, info); err != nil {
		return fmt.Errorf("ternfs: %w", err)
	}
	return nil
}
