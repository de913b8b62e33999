package ternfs

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// φ must preserve sums and products for every pair of elements.
func TestFieldMapIsAnIsomorphism(t *testing.T) {
	m := toSIMDField
	for a := range 256 {
		if m.from[m.to[a]] != byte(a) {
			t.Fatalf("φ⁻¹(φ(%#x)) = %#x", a, m.from[m.to[a]])
		}
		for b := range 256 {
			if m.to[a^b] != m.to[a]^m.to[b] {
				t.Fatalf("φ(%#x+%#x) is not φ(a)+φ(b)", a, b)
			}
			if got, want := m.to[gfMul(byte(a), byte(b))], gfMulPoly(m.to[a], m.to[b], simdPoly); got != want {
				t.Fatalf("φ(%#x·%#x) = %#x, want φ(a)·φ(b) = %#x", a, b, got, want)
			}
		}
	}
}

// The SIMD encoder produces exactly the reference encoder's parity, for
// every parity TernFS allows, with short (zero-extended) data cells and
// cells spanning several library chunks.
func TestSIMDEncoderMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for D := 2; D <= 16; D++ {
		for P := 1; P <= 4 && D+P <= 16; P++ {
			parity, err := MakeParity(D, P)
			if err != nil {
				continue
			}
			rs, err := NewReedSolomon(parity)
			if err != nil {
				t.Fatal(err)
			}
			enc, err := newSIMDEncoder(rs)
			if err != nil {
				t.Fatal(err)
			}
			for _, cell := range []int{4096, simdChunk + 8192, 3*simdChunk + 4096} {
				data := make([][]byte, D)
				full := make([][]byte, D)
				for d := range data {
					n := cell
					if d == D-1 {
						n = rng.IntN(cell) // a short last cell
					}
					data[d] = make([]byte, n)
					for i := range data[d] {
						data[d][i] = byte(rng.Uint32())
					}
					full[d] = append(bytes.Clone(data[d]), make([]byte, cell-n)...)
				}
				want := make([][]byte, P)
				got := make([][]byte, P)
				for p := range P {
					want[p] = make([]byte, cell)
					got[p] = bytes.Repeat([]byte{0xAA}, cell) // stale contents
				}
				if err := rs.Encode(full, want); err != nil {
					t.Fatal(err)
				}
				if err := enc.encode(data, got); err != nil {
					t.Fatal(err)
				}
				for p := range P {
					if !bytes.Equal(got[p], want[p]) {
						t.Fatalf("RS(%d,%d), cell %d: parity %d differs from the reference", D, P, cell, p)
					}
				}
			}
		}
	}
}

func BenchmarkParityEncode(b *testing.B) {
	rs, _ := NewReedSolomon(mustParity(10, 4))
	enc, err := newSIMDEncoder(rs)
	if err != nil {
		b.Fatal(err)
	}
	const cell = 1 << 20
	data := make([][]byte, 10)
	for d := range data {
		data[d] = make([]byte, cell)
	}
	parity := make([][]byte, 4)
	for p := range parity {
		parity[p] = make([]byte, cell)
	}
	b.Run("table", func(b *testing.B) {
		b.SetBytes(10 * cell)
		for b.Loop() {
			rs.Encode(data, parity)
		}
	})
	b.Run("simd", func(b *testing.B) {
		b.SetBytes(10 * cell)
		for b.Loop() {
			enc.encode(data, parity)
		}
	})
}
