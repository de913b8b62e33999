package span

import (
	"fmt"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// MaxInlineSpan: spans shorter than 256 bytes live in shard metadata
// (AddInlineSpan) instead of blocks; their body has a u8 length.
const MaxInlineSpan = 255

// MaxSpanSize is the shard's cap on one span (and on one block).
const MaxSpanSize = 100 << 20

// SpanPolicies are the three directory policies that shape a span.
type SpanPolicies struct {
	Span   wire.SpanPolicy
	Block  wire.BlockPolicy
	Stripe wire.StripePolicy
}

// MaxSpan is the largest span the policy allows: writers cut streams into
// spans of this size.
func (p *SpanPolicies) MaxSpan() uint32 {
	if len(p.Span.Entries) == 0 {
		return 0
	}
	return p.Span.Entries[len(p.Span.Entries)-1].MaxSize
}

// SpanLayout is how a block span is cut up: Parity's D data and P parity
// blocks of Stripes cells each, CellSize bytes per cell.
type SpanLayout struct {
	Parity       wire.Parity
	StorageClass wire.StorageClass
	Stripes      uint8
	CellSize     uint32
}

// BlockSize is the size of every block of the span.
func (l SpanLayout) BlockSize() uint32 { return l.CellSize * uint32(l.Stripes) }

// StripeSize is the logical bytes one stripe holds.
func (l SpanLayout) StripeSize() uint32 { return l.CellSize * uint32(l.Parity.DataBlocks()) }

// ComputeSpanLayout applies the policies to a span of size bytes, as
// upstream's writers do: stripes from the stripe policy, parity from the
// first span entry that holds the size, cells rounded up to whole pages,
// storage class from the block size.
func ComputeSpanLayout(p *SpanPolicies, size uint32) (SpanLayout, error) {
	if size == 0 || size > MaxSpanSize {
		return SpanLayout{}, fmt.Errorf("ternfs: span of %d bytes", size)
	}
	parity, ok := p.Span.Pick(size)
	if !ok {
		return SpanLayout{}, fmt.Errorf("ternfs: span of %d bytes exceeds the span policy (largest %d)", size, p.MaxSpan())
	}
	if _, err := wire.MakeParity(parity.DataBlocks(), parity.ParityBlocks()); err != nil {
		return SpanLayout{}, err
	}
	S := uint32(p.Stripe.Stripes(size))
	D := uint32(parity.DataBlocks())
	block := (size + D - 1) / D
	cell := (block + S - 1) / S
	cell = (cell + PageSize - 1) / PageSize * PageSize
	storage := p.Block.Pick(cell * S)
	if storage != wire.StorageHDD && storage != wire.StorageFlash {
		return SpanLayout{}, fmt.Errorf("ternfs: block policy picks %v for %d-byte blocks", storage, cell*S)
	}
	return SpanLayout{Parity: parity, StorageClass: storage, Stripes: uint8(S), CellSize: cell}, nil
}

// EncodedSpan is a span ready for AddSpanInitiate and the block writes.
type EncodedSpan struct {
	Layout    SpanLayout
	Size      uint32     // logical size (the data's length)
	Crc       wire.Crc   // of the logical bytes
	CellCrcs  []wire.Crc // Stripes × Blocks, index stripe*Blocks + block
	Blocks    [][]byte
	BlockCrcs []wire.Crc
}

// EncodeSpan lays data out in blocks: zero-padded to Stripes × D cells,
// stripe s holding bytes [s·D·cell, (s+1)·D·cell) with data block d taking
// cell (s, d); parity blocks hold the Reed-Solomon parity of each stripe
// (with D = 1, every block is a full copy). Every CRC the shard checks is
// computed here.
func EncodeSpan(layout SpanLayout, data []byte) (*EncodedSpan, error) {
	D, P, B := layout.Parity.DataBlocks(), layout.Parity.ParityBlocks(), layout.Parity.Blocks()
	S, cell := int(layout.Stripes), int(layout.CellSize)
	if len(data) > S*D*cell {
		return nil, fmt.Errorf("ternfs: %d bytes do not fit layout %+v", len(data), layout)
	}
	blockSize := S * cell
	blocks := make([][]byte, B)
	for d := range D {
		blk := make([]byte, blockSize)
		for s := range S {
			start := min(len(data), s*D*cell+d*cell)
			end := min(len(data), start+cell)
			copy(blk[s*cell:], data[start:end])
		}
		blocks[d] = blk
	}
	switch {
	case D == 1:
		for b := 1; b < B; b++ {
			blocks[b] = blocks[0] // mirrors: the same bytes
		}
	case P > 0:
		rs, err := NewReedSolomon(layout.Parity)
		if err != nil {
			return nil, err
		}
		for p := range P {
			blocks[D+p] = make([]byte, blockSize)
		}
		// RS works byte by byte, so encoding whole blocks encodes every
		// stripe's cells at once.
		if err := rs.Encode(blocks[:D], blocks[D:]); err != nil {
			return nil, err
		}
	}
	e := &EncodedSpan{
		Layout:    layout,
		Size:      uint32(len(data)),
		Crc:       CrcOf(data),
		CellCrcs:  make([]wire.Crc, S*B),
		Blocks:    blocks,
		BlockCrcs: make([]wire.Crc, B),
	}
	for b := range B {
		var blockCrc wire.Crc
		for s := range S {
			c := CrcOf(blocks[b][s*cell : (s+1)*cell])
			e.CellCrcs[s*B+b] = c
			blockCrc = CrcAppend(blockCrc, c, int64(cell))
		}
		e.BlockCrcs[b] = blockCrc
	}
	return e, nil
}

// StripeCrcs are the CRCs of each stripe's D data cells, as the shard
// derives and stores them (and LocalFileSpans returns them).
func (e *EncodedSpan) StripeCrcs() []wire.Crc {
	D, B, cell := e.Layout.Parity.DataBlocks(), e.Layout.Parity.Blocks(), int64(e.Layout.CellSize)
	out := make([]wire.Crc, e.Layout.Stripes)
	for s := range out {
		var c wire.Crc
		for d := range D {
			c = CrcAppend(c, e.CellCrcs[s*B+d], cell)
		}
		out[s] = c
	}
	return out
}
