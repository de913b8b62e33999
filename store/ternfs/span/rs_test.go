package span

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/terngate/terngate/store/ternfs/wire"
)

func mustRS(t *testing.T, d, p int) *ReedSolomon {
	t.Helper()
	par, err := wire.MakeParity(d, p)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := NewReedSolomon(par)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestGFField(t *testing.T) {
	// Rijndael field facts: {57}·{83} = {c1}, 2⁻¹ = {8d}, 3 generates.
	if gfMul(0x57, 0x83) != 0xc1 || gfInv(2) != 0x8d || gfInv(4) != 0xcb {
		t.Fatal("not GF(2^8)/0x11B")
	}
	seen := map[byte]bool{}
	x := byte(1)
	for range 255 {
		seen[x] = true
		x = gfMul(x, 3)
	}
	if len(seen) != 255 || x != 1 {
		t.Fatal("3 is not a generator")
	}
	for a := 1; a < 256; a++ {
		if gfMul(byte(a), gfInv(byte(a))) != 1 {
			t.Fatalf("inverse of %#x", a)
		}
	}
}

// TestRSMatrixByHand checks the (2,2) code against coefficients derived on
// paper: before scaling, parity p/data d is 1/((2+p)^d), so parity 1 is
// d0 + (3·3)/(2·2)·d1 = d0 + 5·4⁻¹·d1 = d0 + {ca}·d1.
func TestRSMatrixByHand(t *testing.T) {
	rs := mustRS(t, 2, 2)
	if rs.Coefficient(0, 0) != 1 || rs.Coefficient(0, 1) != 1 || rs.Coefficient(1, 0) != 1 || rs.Coefficient(1, 1) != 0xca {
		t.Fatalf("matrix %x %x / %x %x", rs.Coefficient(0, 0), rs.Coefficient(0, 1), rs.Coefficient(1, 0), rs.Coefficient(1, 1))
	}
	data := [][]byte{{0x00, 0x10, 0xff}, {0x01, 0x02, 0x00}}
	parity := [][]byte{make([]byte, 3), make([]byte, 3)}
	if err := rs.Encode(data, parity); err != nil {
		t.Fatal(err)
	}
	// parity 1 = d0 ^ {ca}·d1: {ca}·1 = {ca}, {ca}·2 = {8f}.
	if !bytes.Equal(parity[0], []byte{0x01, 0x12, 0xff}) || !bytes.Equal(parity[1], []byte{0xca, 0x10 ^ 0x8f, 0xff}) {
		t.Fatalf("parity %x %x", parity[0], parity[1])
	}
}

// TestRSMatrixConstruction recomputes every coefficient of TernFS's
// construction with the slow multiplier and checks the code's properties.
func TestRSMatrixConstruction(t *testing.T) {
	inv := func(a byte) byte {
		for b := 1; b < 256; b++ {
			if gfMulSlow(a, byte(b)) == 1 {
				return byte(b)
			}
		}
		return 0
	}
	for _, dp := range [][2]int{{2, 1}, {4, 2}, {10, 4}, {6, 3}, {15, 15}} {
		D, P := dp[0], dp[1]
		rs := mustRS(t, D, P)
		for p := range P {
			for d := range D {
				// cauchy(p,d) scaled by row (÷cauchy(p,0)) and column (÷ parity-0's scaled entry).
				c := func(p, d int) byte { return inv(byte(D+p) ^ byte(d)) }
				row := gfMulSlow(c(p, d), inv(c(p, 0)))
				col := gfMulSlow(c(0, d), inv(c(0, 0)))
				want := gfMulSlow(row, inv(col))
				if got := rs.Coefficient(p, d); got != want {
					t.Fatalf("(%d,%d) coef[%d][%d] = %#x, want %#x", D, P, p, d, got, want)
				}
				if p == 0 && rs.Coefficient(p, d) != 1 {
					t.Fatalf("(%d,%d) parity 0 is not XOR", D, P)
				}
			}
		}
	}
}

func encodeRandom(t *testing.T, r *rand.Rand, rs *ReedSolomon, size int) [][]byte {
	t.Helper()
	blocks := make([][]byte, rs.DataBlocks()+rs.ParityBlocks())
	for i := range blocks {
		if i < rs.DataBlocks() {
			blocks[i] = randBytes(r, size)
		} else {
			blocks[i] = make([]byte, size)
		}
	}
	if err := rs.Encode(blocks[:rs.DataBlocks()], blocks[rs.DataBlocks():]); err != nil {
		t.Fatal(err)
	}
	return blocks
}

func TestRSParityZeroIsXor(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, dp := range [][2]int{{1, 1}, {1, 3}, {2, 1}, {4, 2}, {10, 4}, {12, 3}} {
		rs := mustRS(t, dp[0], dp[1])
		blocks := encodeRandom(t, r, rs, 1000)
		xor := make([]byte, 1000)
		for _, d := range blocks[:dp[0]] {
			for i := range xor {
				xor[i] ^= d[i]
			}
		}
		if !bytes.Equal(blocks[dp[0]], xor) {
			t.Fatalf("(%d,%d): parity 0 is not the XOR of the data", dp[0], dp[1])
		}
		if dp[0] == 1 {
			for _, b := range blocks[1:] {
				if !bytes.Equal(b, blocks[0]) {
					t.Fatal("mirroring: copies differ")
				}
			}
		}
	}
}

// missingSets calls fn with every subset of [0,n) of size 1..k.
func missingSets(n, k int, fn func([]int)) {
	var rec func(start int, cur []int)
	rec = func(start int, cur []int) {
		if len(cur) > 0 {
			fn(cur)
		}
		if len(cur) == k {
			return
		}
		for i := start; i < n; i++ {
			rec(i+1, append(cur, i))
		}
	}
	rec(0, nil)
}

func checkRebuild(t *testing.T, rs *ReedSolomon, blocks [][]byte, missing []int) {
	t.Helper()
	damaged := append([][]byte{}, blocks...)
	for _, m := range missing {
		damaged[m] = nil
	}
	if err := rs.Reconstruct(damaged); err != nil {
		t.Fatalf("missing %v: %v", missing, err)
	}
	for i := range blocks {
		if !bytes.Equal(damaged[i], blocks[i]) {
			t.Fatalf("missing %v: block %d rebuilt wrong", missing, i)
		}
	}
}

func TestRSRebuildEverySmallCombination(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, dp := range [][2]int{{1, 2}, {2, 1}, {2, 2}, {3, 2}, {4, 2}, {4, 3}, {5, 4}} {
		rs := mustRS(t, dp[0], dp[1])
		blocks := encodeRandom(t, r, rs, 257)
		n := 0
		missingSets(dp[0]+dp[1], dp[1], func(missing []int) {
			n++
			checkRebuild(t, rs, blocks, missing)
		})
		if n == 0 {
			t.Fatal("no combinations tried")
		}
	}
}

func TestRSRebuild10x4(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	rs := mustRS(t, 10, 4)
	blocks := encodeRandom(t, r, rs, 4096)
	count := 0
	missingSets(14, 4, func(missing []int) {
		// All 1470 combinations of 1..4 losses, each rebuilt.
		count++
		checkRebuild(t, rs, blocks, missing)
	})
	if count != 14+91+364+1001 {
		t.Fatalf("%d combinations", count)
	}
	// More random data with random loss patterns.
	for range 50 {
		blocks := encodeRandom(t, r, rs, 1+r.IntN(5000))
		perm := r.Perm(14)
		checkRebuild(t, rs, blocks, perm[:1+r.IntN(4)])
	}
}

func TestRSErrors(t *testing.T) {
	rs := mustRS(t, 4, 2)
	blocks := encodeRandom(t, rand.New(rand.NewPCG(1, 1)), rs, 16)
	blocks[0], blocks[1], blocks[2] = nil, nil, nil
	if err := rs.Reconstruct(blocks); err == nil {
		t.Fatal("rebuilt from 3 of 4 needed blocks")
	}
	if err := rs.Encode([][]byte{{1}, {2}, {3}, {4, 5}}, [][]byte{{0}, {0}}); err == nil {
		t.Fatal("mismatched sizes accepted")
	}
	if _, err := wire.MakeParity(3, 0); err == nil {
		t.Fatal("striping without parity accepted")
	}
	if _, err := wire.MakeParity(16, 1); err == nil {
		t.Fatal("16 data blocks accepted")
	}
}
