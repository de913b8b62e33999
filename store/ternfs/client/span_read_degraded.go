package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"
)

// rebuildPiece bounds how much of each cell a degraded read holds at once:
// (D+1) pieces of memory, one per block read and one rebuilt.
const rebuildPiece = 64 << 10

// rebuild reads the range's stripes from any D readable blocks, data
// blocks first and parity in place of the bad ones, a piece of every cell
// at a time, rebuilding missing data cells with Reed-Solomon. Whole cells
// are read even where the range cuts a stripe, so that each stripe is
// checked against its CRC.
func (rr *rangeRead) rebuild(ctx context.Context, bad []bool) error {
	g := rr.g
	rs, err := span.NewReedSolomon(rr.span.Blocks.Parity)
	if err != nil {
		return err
	}
	piece := min(g.cell, rebuildPiece)
	scratch := make([]byte, (g.D+1)*piece)
	slots := make([][]byte, g.D)
	for j := range slots {
		slots[j] = scratch[j*piece : (j+1)*piece]
	}
	rebuilt := scratch[g.D*piece:]
	cellCrcs := make([]wire.Crc, g.D)
	for st := rr.lo / g.stripe; st <= (rr.hi-1)/g.stripe; st++ {
		clear(cellCrcs)
		for x := 0; x < g.cell; x += piece {
			n := min(piece, g.cell-x)
			have, err := rr.fetchAnyD(ctx, st*g.cell+x, n, bad, slots)
			if err != nil {
				return fmt.Errorf("stripe %d: %w", st, err)
			}
			inv, err := decodeMatrix(rs, have)
			if err != nil {
				return err
			}
			for d := range g.D {
				data := rebuilt[:n]
				if j := slices.Index(have, d); j >= 0 {
					data = slots[j][:n]
				} else {
					clear(data)
					for j := range have {
						span.GFMulAdd(data, slots[j][:n], inv[d][j])
					}
				}
				cellCrcs[d] = span.CrcUpdate(cellCrcs[d], data)
				rr.place(st*g.stripe+d*g.cell+x, data)
			}
		}
		var crc wire.Crc
		for _, c := range cellCrcs {
			crc = span.CrcAppend(crc, c, int64(g.cell))
		}
		if crc != rr.span.Blocks.StripesCrc[st] {
			return fmt.Errorf("stripe %d rebuilt from blocks %v: %w", st, rr.lastHave, ErrSpanCrc)
		}
	}
	return nil
}

// fetchAnyD reads bytes [off, off+n) of D blocks not marked bad into
// slots, trying data blocks before parity and replacing any that fail
// (which are marked bad). have[j] is the block in slots[j].
func (rr *rangeRead) fetchAnyD(ctx context.Context, off, n int, bad []bool, slots [][]byte) (have []int, err error) {
	g := rr.g
	var errs []error
	next := 0
	for len(have) < g.D {
		var batch []int
		for ; next < g.B && len(have)+len(batch) < g.D; next++ {
			if bad[next] {
				continue
			}
			if svc := rr.span.Services[next]; !svc.Flags.CanRead() {
				bad[next] = true
				errs = append(errs, fmt.Errorf("block %d: service %d flags %#x", next, svc.ID, svc.Flags))
				continue
			}
			batch = append(batch, next)
		}
		if len(batch) == 0 {
			return nil, fmt.Errorf("%w: %d of %d blocks readable: %w", span.ErrTooFewBlocks, len(have), g.D, errors.Join(errs...))
		}
		base := len(have)
		results := make([]error, len(batch))
		var wg sync.WaitGroup
		for i, b := range batch {
			slot, svc, blk := slots[base+i][:n], rr.span.Services[b], rr.span.Blocks.Blocks[b]
			wg.Go(func() {
				results[i] = rr.c.fetchBlockPagesTo(ctx, svc, rr.file, blk.BlockID, blk.Crc, uint32(off), uint32(n), false, func(at uint32, page []byte) {
					copy(slot[int(at)-off:], page)
				})
			})
		}
		wg.Wait()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for i, b := range batch {
			if results[i] != nil {
				bad[b] = true
				errs = append(errs, fmt.Errorf("block %d: %w", b, results[i]))
				continue
			}
			// Successes move down so that slots[:len(have)] are filled.
			slots[len(have)], slots[base+i] = slots[base+i], slots[len(have)]
			have = append(have, b)
		}
	}
	rr.lastHave = have
	return have, nil
}

// decodeMatrix maps the blocks in have (D of them) back to the data
// blocks: data block d is Σ inv[d][j]·have[j].
func decodeMatrix(rs *span.ReedSolomon, have []int) ([][]byte, error) {
	D := rs.DataBlocks()
	rows := make([][]byte, D)
	for j, b := range have {
		rows[j] = make([]byte, D)
		if b < D {
			rows[j][b] = 1
			continue
		}
		for d := range D {
			rows[j][d] = rs.Coefficient(b-D, d)
		}
	}
	return span.GFInvertMatrix(rows)
}
