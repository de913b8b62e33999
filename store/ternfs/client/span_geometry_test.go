package client

import (
	"testing"

	"github.com/terngate/terngate/store/ternfs/span"
)

func TestGeometryBlockRangesCoverTheRangeExactly(t *testing.T) {
	g := spanGeometry{D: 3, B: 5, S: 4, cell: 2 * span.PageSize}
	g.stripe, g.stored = g.D*g.cell, g.S*g.D*g.cell
	for lo := 0; lo < g.stored; lo += 1000 {
		for _, n := range []int{1, 999, span.PageSize, g.cell + 1, g.stripe, 2*g.stripe + 7} {
			hi := min(g.stored, lo+n)
			covered := make([]bool, g.stored)
			for d := range g.D {
				start, end, ok := g.blockRange(d, lo, hi)
				if !ok {
					continue
				}
				if start%span.PageSize != 0 || end%span.PageSize != 0 || end > g.S*g.cell {
					t.Fatalf("[%d,%d) block %d: unaligned or past the block: [%d,%d)", lo, hi, d, start, end)
				}
				for at := start; at < end; at++ {
					covered[g.logical(d, at)] = true
				}
				// Nothing outside the pages the range touches.
				for at := start; at < end; at += span.PageSize {
					if page := g.logical(d, at) / span.PageSize; page < lo/span.PageSize || page > (hi-1)/span.PageSize {
						t.Fatalf("[%d,%d) block %d fetches logical page %d", lo, hi, d, page)
					}
				}
			}
			for i := lo; i < hi; i++ {
				if !covered[i] {
					t.Fatalf("[%d,%d): byte %d not fetched", lo, hi, i)
				}
			}
		}
	}
}
