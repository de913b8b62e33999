package span

import (
	"fmt"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// zeroPad is the padding written after a span's data; never written to.
var zeroPad [64 << 10]byte

// Encoding is a span ready for AddSpanInitiate and its block writes,
// like EncodedSpan but without copying the data: a data block is a list of
// slices of the data (its cells) followed by zero padding, so only the
// parity takes memory of its own.
type Encoding struct {
	Layout    SpanLayout
	Size      uint32     // logical size (the data's length)
	Crc       wire.Crc   // of the logical bytes
	CellCrcs  []wire.Crc // Stripes × Blocks, index stripe*Blocks + block
	BlockCrcs []wire.Crc

	data   []byte
	parity []byte // ParityBlocks × BlockSize; nil when D = 1 (mirrors)
}

// ParityBytes is the memory Encode needs for a span of this layout.
func ParityBytes(l SpanLayout) int {
	if l.Parity.DataBlocks() == 1 {
		return 0 // every block is a copy of the data
	}
	return l.Parity.ParityBlocks() * int(l.BlockSize())
}

// Encode lays data out as EncodeSpan does, computing parity into
// parity (at least ParityBytes(layout) long; its contents are
// overwritten). The encoding refers to data and parity: both must stay
// unchanged until its blocks are written.
func Encode(layout SpanLayout, data, parity []byte) (*Encoding, error) {
	D, P, B := layout.Parity.DataBlocks(), layout.Parity.ParityBlocks(), layout.Parity.Blocks()
	S, cell := int(layout.Stripes), int(layout.CellSize)
	if len(data) > S*D*cell {
		return nil, fmt.Errorf("ternfs: %d bytes do not fit layout %+v", len(data), layout)
	}
	need := ParityBytes(layout)
	if len(parity) < need {
		return nil, fmt.Errorf("ternfs: %d bytes of parity buffer for %d", len(parity), need)
	}
	e := &Encoding{
		Layout:    layout,
		Size:      uint32(len(data)),
		Crc:       CrcOf(data),
		CellCrcs:  make([]wire.Crc, S*B),
		BlockCrcs: make([]wire.Crc, B),
		data:      data,
		parity:    parity[:need],
	}
	for s := range S {
		for d := range D {
			c := e.dataCell(s, d)
			e.CellCrcs[s*B+d] = CrcZeroExtend(CrcOf(c), int64(cell-len(c)))
		}
	}
	switch {
	case D == 1:
		for s := range S {
			for b := 1; b < B; b++ {
				e.CellCrcs[s*B+b] = e.CellCrcs[s*B]
			}
		}
	case P > 0:
		rs, err := NewReedSolomon(layout.Parity)
		if err != nil {
			return nil, err
		}
		enc, err := newSIMDEncoder(rs)
		if err != nil {
			return nil, err
		}
		// RS works byte by byte, so each stripe's parity cells come from
		// its data cells alone; cells cut short by the data's end
		// contribute zeros.
		dataCells, parityCells := make([][]byte, D), make([][]byte, P)
		for s := range S {
			for d := range D {
				dataCells[d] = e.dataCell(s, d)
			}
			for p := range P {
				parityCells[p] = e.parityCell(p, s)
			}
			if err := enc.encode(dataCells, parityCells); err != nil {
				return nil, err
			}
			for p := range P {
				e.CellCrcs[s*B+D+p] = CrcOf(parityCells[p])
			}
		}
	}
	for b := range B {
		var blockCrc wire.Crc
		for s := range S {
			blockCrc = CrcAppend(blockCrc, e.CellCrcs[s*B+b], int64(cell))
		}
		e.BlockCrcs[b] = blockCrc
	}
	return e, nil
}

// dataCell is the part of data cell (stripe s, data block d) the data
// holds: shorter than a cell, or empty, where the data ends.
func (e *Encoding) dataCell(s, d int) []byte {
	D, cell := e.Layout.Parity.DataBlocks(), int(e.Layout.CellSize)
	start := min(len(e.data), (s*D+d)*cell)
	return e.data[start:min(len(e.data), start+cell)]
}

func (e *Encoding) parityCell(p, s int) []byte {
	block := int(e.Layout.BlockSize())
	start := p*block + s*int(e.Layout.CellSize)
	return e.parity[start : start+int(e.Layout.CellSize)]
}

// BlockPieces are block b's bytes in order, as slices to write one after
// the other.
func (e *Encoding) BlockPieces(b int) [][]byte {
	D := e.Layout.Parity.DataBlocks()
	if b >= D && D > 1 {
		block := int(e.Layout.BlockSize())
		return [][]byte{e.parity[(b-D)*block : (b-D+1)*block]}
	}
	if D == 1 {
		b = 0 // mirrors
	}
	var pieces [][]byte
	pad := 0
	for s := range int(e.Layout.Stripes) {
		c := e.dataCell(s, b)
		if len(c) > 0 {
			pieces = appendZeros(pieces, pad)
			pad = 0
			pieces = append(pieces, c)
		}
		pad += int(e.Layout.CellSize) - len(c)
	}
	return appendZeros(pieces, pad)
}

func appendZeros(pieces [][]byte, n int) [][]byte {
	for n > 0 {
		k := min(n, len(zeroPad))
		pieces = append(pieces, zeroPad[:k])
		n -= k
	}
	return pieces
}
