package client

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"
)

// SpanRef is a span of a file with the block service of each of its
// blocks resolved (LocalFileSpans indexes a per-page service table).
type SpanRef struct {
	wire.FetchedSpan
	Services []wire.BlockService // per block; empty for inline spans
}

// FileSpans lists all spans of a file (linked or transient), in order.
func (c *Client) FileSpans(ctx context.Context, file wire.InodeID) ([]SpanRef, error) {
	var out []SpanRef
	var offset uint64
	for {
		// Limit 0: a page cut by a limit would report NextOffset 0 too.
		var resp wire.LocalFileSpansResp
		if err := c.ShardRequest(ctx, file.Shard(), &wire.LocalFileSpansReq{FileID: file, ByteOffset: offset}, &resp); err != nil {
			return nil, fmt.Errorf("spans of %v from %d: %w", file, offset, err)
		}
		for _, s := range resp.Spans {
			ref := SpanRef{FetchedSpan: s}
			if s.StorageClass != wire.StorageInline {
				for _, b := range s.Blocks.Blocks {
					if int(b.BlockServiceIx) >= len(resp.BlockServices) {
						return nil, fmt.Errorf("spans of %v: %w: block service index %d of %d", file, wire.ErrMalformed, b.BlockServiceIx, len(resp.BlockServices))
					}
					ref.Services = append(ref.Services, resp.BlockServices[b.BlockServiceIx])
				}
			}
			out = append(out, ref)
		}
		if resp.NextOffset == 0 || len(resp.Spans) == 0 {
			return out, nil
		}
		if resp.NextOffset <= offset {
			return nil, fmt.Errorf("spans of %v: %w: next offset %d after %d", file, wire.ErrMalformed, resp.NextOffset, offset)
		}
		offset = resp.NextOffset
	}
}

// ReadFile reads a whole file.
func (c *Client) ReadFile(ctx context.Context, file wire.InodeID) ([]byte, error) {
	spans, err := c.FileSpans(ctx, file)
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, s := range spans {
		if uint64(len(out)) != s.ByteOffset {
			return nil, fmt.Errorf("read %v: %w: span at %d after %d bytes", file, wire.ErrMalformed, s.ByteOffset, len(out))
		}
		b, err := c.ReadSpan(ctx, file, s)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// ErrSpanCrc reports span or stripe data that does not match its CRC.
var ErrSpanCrc = errors.New("ternfs: span data does not match its CRC")

// ReadSpan returns a span's logical bytes, checked against every stripe's
// CRC and the span's.
func (c *Client) ReadSpan(ctx context.Context, file wire.InodeID, s SpanRef) ([]byte, error) {
	out := make([]byte, s.Size)
	if err := c.ReadSpanRange(ctx, file, s, 0, out); err != nil {
		return nil, err
	}
	if span.CrcOf(out) != s.Crc {
		return nil, fmt.Errorf("span at %d of %v: %w", s.ByteOffset, file, ErrSpanCrc)
	}
	return out, nil
}

// ReadSpanRange fills dst with the span's bytes from off on, fetching only
// the pages of the data blocks that hold them (every page is checked
// against the CRC the block service keeps for it, and every whole stripe
// read against the stripe's CRC). When a data block cannot be had, the
// stripes the range touches are rebuilt from any D blocks, parity
// included, a piece at a time, and checked against their CRCs.
func (c *Client) ReadSpanRange(ctx context.Context, file wire.InodeID, s SpanRef, off uint32, dst []byte) error {
	if err := c.readSpanRange(ctx, file, s, int(off), dst); err != nil {
		return fmt.Errorf("span at %d of %v, bytes %d+%d: %w", s.ByteOffset, file, off, len(dst), err)
	}
	return nil
}

func (c *Client) readSpanRange(ctx context.Context, file wire.InodeID, s SpanRef, off int, dst []byte) error {
	if off+len(dst) > int(s.Size) {
		return fmt.Errorf("range past the span's %d bytes", s.Size)
	}
	if s.StorageClass == wire.StorageInline {
		body := make([]byte, s.Size) // at most 255 bytes
		copy(body, s.Inline)
		if span.CrcOf(body) != s.Crc {
			return ErrSpanCrc
		}
		copy(dst, body[off:])
		return nil
	}
	g, err := geometryOf(s)
	if err != nil {
		return err
	}
	// A span may end in zeros its blocks do not store.
	lo, hi := off, min(off+len(dst), g.stored)
	if hi < off+len(dst) {
		clear(dst[max(0, g.stored-off):])
	}
	if lo >= hi {
		return nil
	}
	rr := &rangeRead{c: c, file: file, span: s, g: g, lo: lo, hi: hi, dst: dst[:hi-lo]}
	bad, err := rr.readDataBlocks(ctx)
	switch {
	case err == nil:
		return rr.checkWholeStripes()
	case ctx.Err() != nil:
		return ctx.Err()
	}
	if rerr := rr.rebuild(ctx, bad); rerr != nil {
		return fmt.Errorf("%w (after %w)", rerr, err)
	}
	return nil
}

// spanGeometry places a block span's logical bytes in its blocks: stripe
// st holds bytes [st·stripe, (st+1)·stripe), data block d its cell d.
type spanGeometry struct {
	D, B, S int
	cell    int // bytes per cell, a multiple of the page size
	stripe  int // logical bytes per stripe: D cells
	stored  int // logical bytes the blocks hold: S stripes
}

func geometryOf(s SpanRef) (spanGeometry, error) {
	b := s.Blocks
	g := spanGeometry{D: b.Parity.DataBlocks(), B: b.Parity.Blocks(), S: int(b.Stripes), cell: int(b.CellSize)}
	g.stripe = g.D * g.cell
	g.stored = g.S * g.stripe
	if len(b.Blocks) != g.B || len(s.Services) != g.B || len(b.StripesCrc) != g.S || g.D == 0 || g.cell%span.PageSize != 0 {
		return g, fmt.Errorf("%w: %d blocks, %d stripe CRCs, cells of %d bytes for parity %v × %d stripes", wire.ErrMalformed, len(b.Blocks), len(b.StripesCrc), g.cell, b.Parity, g.S)
	}
	return g, nil
}

// blockRange is the page-aligned part [start, end) of data block d that
// holds logical bytes of [lo, hi); ok is false when it holds none. Cells
// of consecutive stripes follow each other in a block and only the first
// and last stripe are cut, so the part is contiguous.
func (g spanGeometry) blockRange(d, lo, hi int) (start, end int, ok bool) {
	for st := lo / g.stripe; st <= (hi-1)/g.stripe; st++ {
		cellStart := st*g.stripe + d*g.cell
		a, b := max(lo, cellStart), min(hi, cellStart+g.cell)
		if a >= b {
			continue
		}
		if !ok {
			start, ok = st*g.cell+a-cellStart, true
		}
		end = st*g.cell + b - cellStart
	}
	return start / span.PageSize * span.PageSize, (end + span.PageSize - 1) / span.PageSize * span.PageSize, ok
}

// logical is the logical offset of byte at of data block d.
func (g spanGeometry) logical(d, at int) int {
	return at/g.cell*g.stripe + d*g.cell + at%g.cell
}

// rangeRead reads logical bytes [lo, hi) of a block span into dst.
type rangeRead struct {
	c    *Client
	file wire.InodeID
	span SpanRef
	g    spanGeometry
	lo   int
	hi   int
	dst  []byte

	lastHave []int // the blocks the last rebuilt piece came from
}

// place copies the part of run, logical bytes from at on, that the range
// wants into dst.
func (rr *rangeRead) place(at int, run []byte) {
	a, b := max(rr.lo, at), min(rr.hi, at+len(run))
	if a < b {
		copy(rr.dst[a-rr.lo:b-rr.lo], run[a-at:])
	}
}

// readDataBlocks fetches, all at once, the pages of every data block the
// range needs, straight into dst. bad marks the blocks that failed.
func (rr *rangeRead) readDataBlocks(ctx context.Context) (bad []bool, err error) {
	g := rr.g
	errs := make([]error, g.D)
	var wg sync.WaitGroup
	for d := range g.D {
		start, end, ok := g.blockRange(d, rr.lo, rr.hi)
		if !ok {
			continue
		}
		svc, blk := rr.span.Services[d], rr.span.Blocks.Blocks[d]
		if !svc.Flags.CanRead() {
			errs[d] = fmt.Errorf("block %d: service %d flags %#x", d, svc.ID, svc.Flags)
			continue
		}
		wg.Go(func() {
			errs[d] = rr.c.fetchBlockPagesTo(ctx, svc, rr.file, blk.BlockID, blk.Crc, uint32(start), uint32(end-start), false, func(at uint32, page []byte) {
				rr.place(g.logical(d, int(at)), page)
			})
		})
	}
	wg.Wait()
	bad = make([]bool, g.B)
	for d, e := range errs {
		if e != nil {
			bad[d] = true
			err = errors.Join(err, e)
		}
	}
	return bad, err
}

// checkWholeStripes checks every stripe the range holds whole against its
// CRC (the pages of cut stripes were checked one by one).
func (rr *rangeRead) checkWholeStripes() error {
	g := rr.g
	for st := (rr.lo + g.stripe - 1) / g.stripe; (st+1)*g.stripe <= rr.hi; st++ {
		if span.CrcOf(rr.dst[st*g.stripe-rr.lo:(st+1)*g.stripe-rr.lo]) != rr.span.Blocks.StripesCrc[st] {
			return fmt.Errorf("stripe %d: %w", st, ErrSpanCrc)
		}
	}
	return nil
}
