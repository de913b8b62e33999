package span

import (
	"fmt"

	"github.com/klauspost/reedsolomon"
)

// Parity through a SIMD library. klauspost/reedsolomon multiplies with
// vector instructions but only in GF(2^8) modulo 0x11D, and TernFS's code
// lives modulo 0x11B. All fields of 256 elements are isomorphic, though:
// φ below maps 0x11B's field onto 0x11D's, preserving sums and products.
// Parity p = Σ c·x (mod 0x11B) is therefore φ⁻¹(Σ φ(c)·φ(x)) (mod 0x11D):
// map the data through a table, let the library encode with the mapped
// coefficients, map the parity back. Two table passes (data, parity)
// replace one table pass per parity block per data block.

const simdPoly = 0x11D // klauspost/reedsolomon's field

// fieldMap holds φ and φ⁻¹.
type fieldMap struct {
	to, from byteMap
}

// byteMap is a GF(2)-linear map of bytes, held both as a full table and,
// since linearity gives m(x) = m(x&0x0F) ^ m(x&0xF0), as two 16-entry
// tables for its two nibbles: the form a byte shuffle instruction looks
// up 32 bytes at a time in (mapBytes).
type byteMap struct {
	table  [256]byte
	lo, hi [16]byte
}

func newByteMap(table *[256]byte) byteMap {
	m := byteMap{table: *table}
	for i := range 16 {
		m.lo[i], m.hi[i] = table[i], table[i<<4]
	}
	return m
}

// toSIMDField is φ: computed once, only read afterwards.
var toSIMDField = func() *fieldMap {
	// β, a root in the 0x11D field of 0x11B's polynomial, is where φ
	// sends x; φ(Σ aᵢxⁱ) = Σ aᵢβⁱ then preserves sums and products.
	var beta byte
	for b := 2; b < 256 && beta == 0; b++ {
		pow := [9]byte{1}
		for i := 1; i <= 8; i++ {
			pow[i] = gfMulPoly(pow[i-1], byte(b), simdPoly)
		}
		if pow[8]^pow[4]^pow[3]^pow[1]^pow[0] == 0 { // x^8+x^4+x^3+x+1
			beta = byte(b)
		}
	}
	var pow [8]byte
	pow[0] = 1
	for i := 1; i < 8; i++ {
		pow[i] = gfMulPoly(pow[i-1], beta, simdPoly)
	}
	var to, from [256]byte
	for a := 0; a < 256; a++ {
		var v byte
		for i := range 8 {
			if a&(1<<i) != 0 {
				v ^= pow[i]
			}
		}
		to[a] = v
		from[v] = byte(a)
	}
	return &fieldMap{to: newByteMap(&to), from: newByteMap(&from)}
}()

// mapBytes sets dst[i] = m(src[i]) (dst may be src): with vector shuffles
// where the CPU has them (mapBytesVector, per architecture), the rest
// through the table.
func mapBytes(dst, src []byte, m *byteMap) {
	dst = dst[:len(src)]
	done := mapBytesVector(dst, src, m)
	mapBytesTable(dst[done:], src[done:], &m.table)
}

// mapBytesTable sets dst[i] = table[src[i]], eight at a time (one bounds
// check per eight, which roughly doubles its speed).
func mapBytesTable(dst, src []byte, table *[256]byte) {
	dst = dst[:len(src)]
	i := 0
	for ; i+8 <= len(src); i += 8 {
		s, d := src[i:i+8:i+8], dst[i:i+8:i+8]
		d[0], d[1], d[2], d[3] = table[s[0]], table[s[1]], table[s[2]], table[s[3]]
		d[4], d[5], d[6], d[7] = table[s[4]], table[s[5]], table[s[6]], table[s[7]]
	}
	for ; i < len(src); i++ {
		dst[i] = table[src[i]]
	}
}

// simdEncoder computes TernFS parity with klauspost/reedsolomon.
type simdEncoder struct {
	d, p    int
	enc     reedsolomon.Encoder
	scratch [][]byte // D data chunks in the mapped field, reused
}

// simdChunk is how much of each block one library call encodes: small
// enough that the mapped copies stay in cache.
const simdChunk = 64 << 10

func newSIMDEncoder(rs *ReedSolomon) (*simdEncoder, error) {
	matrix := make([][]byte, rs.parity)
	for p := range matrix {
		matrix[p] = make([]byte, rs.data)
		for d := range matrix[p] {
			matrix[p][d] = toSIMDField.to.table[rs.coef[p][d]]
		}
	}
	enc, err := reedsolomon.New(rs.data, rs.parity, reedsolomon.WithCustomMatrix(matrix))
	if err != nil {
		return nil, fmt.Errorf("ternfs: RS(%d,%d) encoder: %w", rs.data, rs.parity, err)
	}
	e := &simdEncoder{d: rs.data, p: rs.parity, enc: enc, scratch: make([][]byte, rs.data)}
	for d := range e.scratch {
		e.scratch[d] = make([]byte, simdChunk)
	}
	return e, nil
}

// encode sets each parity cell from the data cells; a data cell shorter
// than the parity cells counts as zero-extended.
func (e *simdEncoder) encode(data, parity [][]byte) error {
	size := len(parity[0])
	shards := make([][]byte, e.d+e.p)
	for off := 0; off < size; off += simdChunk {
		n := min(simdChunk, size-off)
		for d, cell := range data {
			chunk := e.scratch[d][:n]
			have := max(0, min(len(cell)-off, n))
			if have > 0 {
				mapBytes(chunk, cell[off:off+have], &toSIMDField.to)
			}
			clear(chunk[have:]) // φ(0) = 0
			shards[d] = chunk
		}
		for p := range parity {
			shards[e.d+p] = parity[p][off : off+n]
		}
		if err := e.enc.Encode(shards); err != nil {
			return fmt.Errorf("ternfs: encode parity: %w", err)
		}
		for p := range parity {
			out := parity[p][off : off+n]
			mapBytes(out, out, &toSIMDField.from)
		}
	}
	return nil
}
