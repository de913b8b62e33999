package span

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// φ must preserve sums and products for every pair of elements.
func TestFieldMapIsAnIsomorphism(t *testing.T) {
	m := toSIMDField
	for a := range 256 {
		if m.from.table[m.to.table[a]] != byte(a) {
			t.Fatalf("φ⁻¹(φ(%#x)) = %#x", a, m.from.table[m.to.table[a]])
		}
		for b := range 256 {
			if m.to.table[a^b] != m.to.table[a]^m.to.table[b] {
				t.Fatalf("φ(%#x+%#x) is not φ(a)+φ(b)", a, b)
			}
			if got, want := m.to.table[gfMul(byte(a), byte(b))], gfMulPoly(m.to.table[a], m.to.table[b], simdPoly); got != want {
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
			parity, err := wire.MakeParity(D, P)
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

// mapBytes (vector blocks, then the table for the tail) agrees with the
// table for every length around the vector width, in place and not.
func TestMapBytesMatchesTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	src := make([]byte, 300)
	for i := range src {
		src[i] = byte(rng.Uint32())
	}
	for _, m := range []*byteMap{&toSIMDField.to, &toSIMDField.from} {
		for n := range len(src) {
			for _, off := range []int{0, 1, 7} {
				if off > n {
					continue
				}
				in := src[off:n]
				want := make([]byte, len(in))
				for i, b := range in {
					want[i] = m.table[b]
				}
				got := make([]byte, len(in))
				mapBytes(got, in, m)
				inPlace := bytes.Clone(in)
				mapBytes(inPlace, inPlace, m)
				if !bytes.Equal(got, want) || !bytes.Equal(inPlace, want) {
					t.Fatalf("mapBytes of %d bytes at offset %d differs from the table", len(in), off)
				}
			}
		}
	}
}
