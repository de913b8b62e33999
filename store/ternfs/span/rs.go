package span

import (
	"errors"
	"fmt"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// ReedSolomon encodes D data blocks into P parity blocks and rebuilds
// missing blocks, with exactly TernFS's systematic matrix:
//
//   - parity block p, data block d starts as 1/((D+p) XOR d), a Cauchy
//     matrix whose rows are indexed by the block number;
//   - each parity row is scaled so its d = 0 coefficient is 1;
//   - each data column d ≥ 1 is scaled so parity 0's coefficient is 1,
//     making parity 0 the XOR of the data (the shard checks this).
//
// Any D of the D+P blocks determine the rest.
type ReedSolomon struct {
	data, parity int
	coef         [][]byte // coef[p][d]
}

// ErrTooFewBlocks reports a rebuild with fewer than D blocks present.
var ErrTooFewBlocks = errors.New("ternfs: too few blocks to rebuild")

// NewReedSolomon builds the code for p.
func NewReedSolomon(p wire.Parity) (*ReedSolomon, error) {
	if _, err := wire.MakeParity(p.DataBlocks(), p.ParityBlocks()); err != nil {
		return nil, err
	}
	D, P := p.DataBlocks(), p.ParityBlocks()
	coef := make([][]byte, P)
	for i := range coef {
		coef[i] = make([]byte, D)
		for d := range D {
			coef[i][d] = gfInv(byte(D+i) ^ byte(d))
		}
		rowScale := gfInv(coef[i][0])
		for d := range D {
			coef[i][d] = gfMul(coef[i][d], rowScale)
		}
	}
	for d := 1; d < D && P > 0; d++ {
		colScale := gfInv(coef[0][d])
		for i := range P {
			coef[i][d] = gfMul(coef[i][d], colScale)
		}
	}
	return &ReedSolomon{data: D, parity: P, coef: coef}, nil
}

func (r *ReedSolomon) DataBlocks() int   { return r.data }
func (r *ReedSolomon) ParityBlocks() int { return r.parity }

// Coefficient is the factor of data block d in parity block p.
func (r *ReedSolomon) Coefficient(p, d int) byte { return r.coef[p][d] }

func blockSize(blocks [][]byte) (int, error) {
	size := -1
	for _, b := range blocks {
		if b == nil {
			continue
		}
		if size >= 0 && len(b) != size {
			return 0, fmt.Errorf("ternfs: blocks of different sizes (%d and %d)", size, len(b))
		}
		size = len(b)
	}
	return size, nil
}

// Encode computes the parity blocks from the data blocks; all blocks must be
// the same length and parity's slices allocated.
func (r *ReedSolomon) Encode(data, parity [][]byte) error {
	if len(data) != r.data || len(parity) != r.parity {
		return fmt.Errorf("ternfs: encode %d+%d blocks with a (%d,%d) code", len(data), len(parity), r.data, r.parity)
	}
	all := append(append([][]byte{}, data...), parity...)
	if _, err := blockSize(all); err != nil {
		return err
	}
	for _, b := range all {
		if b == nil {
			return errors.New("ternfs: encode with a nil block")
		}
	}
	for p := range parity {
		r.encodeParity(p, data, parity[p])
	}
	return nil
}

func (r *ReedSolomon) encodeParity(p int, data [][]byte, out []byte) {
	clear(out)
	for d, src := range data {
		GFMulAdd(out, src, r.coef[p][d])
	}
}

// Reconstruct fills in the nil entries of blocks (D data blocks followed by
// P parity blocks) from any D present ones.
func (r *ReedSolomon) Reconstruct(blocks [][]byte) error {
	B := r.data + r.parity
	if len(blocks) != B {
		return fmt.Errorf("ternfs: reconstruct %d blocks with a (%d,%d) code", len(blocks), r.data, r.parity)
	}
	size, err := blockSize(blocks)
	if err != nil {
		return err
	}
	var present []int
	for i, b := range blocks {
		if b != nil && len(present) < r.data {
			present = append(present, i)
		}
	}
	if len(present) < r.data {
		return fmt.Errorf("%w: %d of %d needed", ErrTooFewBlocks, len(present), r.data)
	}

	// Rows of the generator for the chosen blocks; inverting them maps the
	// chosen blocks back to the data.
	m := make([][]byte, r.data)
	for row, b := range present {
		m[row] = make([]byte, r.data)
		if b < r.data {
			m[row][b] = 1
		} else {
			copy(m[row], r.coef[b-r.data])
		}
	}
	inv, err := GFInvertMatrix(m)
	if err != nil {
		return err
	}
	for d := range r.data {
		if blocks[d] != nil {
			continue
		}
		out := make([]byte, size)
		for j, b := range present {
			GFMulAdd(out, blocks[b], inv[d][j])
		}
		blocks[d] = out
	}
	for p := range r.parity {
		if blocks[r.data+p] == nil {
			out := make([]byte, size)
			r.encodeParity(p, blocks[:r.data], out)
			blocks[r.data+p] = out
		}
	}
	return nil
}

// GFInvertMatrix inverts a square matrix by Gauss-Jordan elimination.
func GFInvertMatrix(in [][]byte) ([][]byte, error) {
	n := len(in)
	a := make([][]byte, n)
	out := make([][]byte, n)
	for i := range n {
		a[i] = append([]byte{}, in[i]...)
		out[i] = make([]byte, n)
		out[i][i] = 1
	}
	for col := range n {
		pivot := col
		for pivot < n && a[pivot][col] == 0 {
			pivot++
		}
		if pivot == n {
			return nil, errors.New("ternfs: singular Reed-Solomon matrix")
		}
		a[col], a[pivot] = a[pivot], a[col]
		out[col], out[pivot] = out[pivot], out[col]
		scale := gfInv(a[col][col])
		for k := range n {
			a[col][k] = gfMul(a[col][k], scale)
			out[col][k] = gfMul(out[col][k], scale)
		}
		for row := range n {
			if row == col || a[row][col] == 0 {
				continue
			}
			f := a[row][col]
			GFMulAdd(a[row], a[col], f)
			GFMulAdd(out[row], out[col], f)
		}
	}
	return out, nil
}
