package ternfs

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// SpanRef is a span of a file with the block service of each of its
// blocks resolved (LocalFileSpans indexes a per-page service table).
type SpanRef struct {
	FetchedSpan
	Services []BlockService // per block; empty for inline spans
}

// FileSpans lists all spans of a file (linked or transient), in order.
func (c *Client) FileSpans(ctx context.Context, file InodeID) ([]SpanRef, error) {
	var out []SpanRef
	var offset uint64
	for {
		// Limit 0: a page cut by a limit would report NextOffset 0 too.
		var resp LocalFileSpansResp
		if err := c.ShardRequest(ctx, file.Shard(), &LocalFileSpansReq{FileID: file, ByteOffset: offset}, &resp); err != nil {
			return nil, fmt.Errorf("spans of %v from %d: %w", file, offset, err)
		}
		for _, s := range resp.Spans {
			ref := SpanRef{FetchedSpan: s}
			if s.StorageClass != StorageInline {
				for _, b := range s.Blocks.Blocks {
					if int(b.BlockServiceIx) >= len(resp.BlockServices) {
						return nil, fmt.Errorf("spans of %v: %w: block service index %d of %d", file, ErrMalformed, b.BlockServiceIx, len(resp.BlockServices))
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
			return nil, fmt.Errorf("spans of %v: %w: next offset %d after %d", file, ErrMalformed, resp.NextOffset, offset)
		}
		offset = resp.NextOffset
	}
}

// ReadFile reads a whole file.
func (c *Client) ReadFile(ctx context.Context, file InodeID) ([]byte, error) {
	spans, err := c.FileSpans(ctx, file)
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, s := range spans {
		if uint64(len(out)) != s.ByteOffset {
			return nil, fmt.Errorf("read %v: %w: span at %d after %d bytes", file, ErrMalformed, s.ByteOffset, len(out))
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

// ReadSpan returns a span's logical bytes. Block spans fetch the data blocks
// from readable services (fail-fast) and, for every block that cannot be
// had, a parity block instead, rebuilding the data with Reed-Solomon; each
// stripe and the whole span are checked against their CRCs.
func (c *Client) ReadSpan(ctx context.Context, file InodeID, s SpanRef) ([]byte, error) {
	if s.StorageClass == StorageInline {
		out := make([]byte, s.Size)
		copy(out, s.Inline)
		if CrcOf(out) != s.Crc {
			return nil, fmt.Errorf("inline span at %d of %v: %w", s.ByteOffset, file, ErrSpanCrc)
		}
		return out, nil
	}
	b := s.Blocks
	D, B, S, cell := b.Parity.DataBlocks(), b.Parity.Blocks(), int(b.Stripes), int(b.CellSize)
	if len(b.Blocks) != B || len(s.Services) != B || len(b.StripesCrc) != S {
		return nil, fmt.Errorf("span at %d of %v: %w: %d blocks, %d stripe CRCs for parity %v × %d stripes", s.ByteOffset, file, ErrMalformed, len(b.Blocks), len(b.StripesCrc), b.Parity, S)
	}
	blocks, err := c.fetchEnoughBlocks(ctx, file, s, D)
	if err != nil {
		return nil, fmt.Errorf("span at %d of %v: %w", s.ByteOffset, file, err)
	}
	if D > 1 {
		rs, err := NewReedSolomon(b.Parity)
		if err != nil {
			return nil, err
		}
		if err := rs.Reconstruct(blocks); err != nil {
			return nil, fmt.Errorf("span at %d of %v: %w", s.ByteOffset, file, err)
		}
	} else {
		for _, blk := range blocks {
			if blk != nil {
				blocks[0] = blk // any mirror is the data
				break
			}
		}
	}
	data := make([]byte, 0, S*D*cell)
	for st := range S {
		start := len(data)
		for d := range D {
			data = append(data, blocks[d][st*cell:(st+1)*cell]...)
		}
		if CrcOf(data[start:]) != b.StripesCrc[st] {
			return nil, fmt.Errorf("span at %d of %v, stripe %d: %w", s.ByteOffset, file, st, ErrSpanCrc)
		}
	}
	// Bytes past the stored stripes (a span may end in zeros it never
	// stored) read as zero; padding past Size is dropped.
	out := make([]byte, s.Size)
	copy(out, data)
	if CrcOf(out) != s.Crc {
		return nil, fmt.Errorf("span at %d of %v: %w", s.ByteOffset, file, ErrSpanCrc)
	}
	return out, nil
}

// fetchEnoughBlocks fetches whole blocks until need of them are in hand:
// data blocks first (they need no decoding), then parity blocks in place of
// failures. Missing blocks are nil.
func (c *Client) fetchEnoughBlocks(ctx context.Context, file InodeID, s SpanRef, need int) ([][]byte, error) {
	b := s.Blocks
	size := b.CellSize * uint32(b.Stripes)
	blocks := make([][]byte, len(b.Blocks))
	var errs []error
	next := 0 // next block to try
	for have := 0; have < need; {
		var batch []int
		for ; next < len(b.Blocks) && len(batch) < need-have; next++ {
			if !s.Services[next].Flags.CanRead() {
				errs = append(errs, fmt.Errorf("block %d: service %d flags %#x", next, s.Services[next].ID, s.Services[next].Flags))
				continue
			}
			batch = append(batch, next)
		}
		if len(batch) == 0 {
			return nil, fmt.Errorf("%w: %d of %d blocks readable: %w", ErrTooFewBlocks, have, need, errors.Join(errs...))
		}
		results := make([]error, len(batch))
		var wg sync.WaitGroup
		for j, i := range batch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fb := b.Blocks[i]
				data, err := c.FetchBlockPages(ctx, s.Services[i], file, fb.BlockID, fb.Crc, 0, size, false)
				if err == nil && CrcOf(data) != fb.Crc {
					err = fmt.Errorf("block %d: %w", fb.BlockID, ErrSpanCrc)
				}
				if err == nil {
					blocks[i] = data
				}
				results[j] = err
			}()
		}
		wg.Wait()
		for _, err := range results {
			if err != nil {
				errs = append(errs, err)
			} else {
				have++
			}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return blocks, nil
}
