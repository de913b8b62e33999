package span

// Arithmetic in GF(2^8) with the Rijndael polynomial x^8+x^4+x^3+x+1
// (0x11B), the field TernFS's Reed-Solomon code uses. Common Go RS
// libraries use 0x11D and produce different parity, hence our own.

const gfPoly = 0x11B

// gfMulSlow multiplies by shift-and-add; it builds the tables and serves as
// an independent reference in tests.
func gfMulSlow(a, b byte) byte { return gfMulPoly(a, b, gfPoly) }

// gfMulPoly multiplies modulo poly by shift-and-add (rs_simd.go also needs
// klauspost/reedsolomon's field).
func gfMulPoly(a, b byte, poly uint16) byte {
	var p uint16
	x := uint16(a)
	for i := 0; i < 8; i++ {
		if b&(1<<i) != 0 {
			p ^= x
		}
		x <<= 1
		if x&0x100 != 0 {
			x ^= poly
		}
	}
	return byte(p)
}

// gfMulTable[a][b] = a·b; 64 KiB, computed once and only read afterwards.
var gfMulTable = func() *[256][256]byte {
	var t [256][256]byte
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b++ {
			t[a][b] = gfMulSlow(byte(a), byte(b))
		}
	}
	return &t
}()

// gfInvTable[a] = a⁻¹ (0 for 0).
var gfInvTable = func() *[256]byte {
	var t [256]byte
	for a := 1; a < 256; a++ {
		for b := 1; b < 256; b++ {
			if gfMulTable[a][b] == 1 {
				t[a] = byte(b)
				break
			}
		}
	}
	return &t
}()

func gfMul(a, b byte) byte { return gfMulTable[a][b] }
func gfInv(a byte) byte    { return gfInvTable[a] }

// GFMulAdd sets dst[i] ^= c·src[i].
func GFMulAdd(dst, src []byte, c byte) {
	switch c {
	case 0:
		return
	case 1:
		for i, s := range src {
			dst[i] ^= s
		}
		return
	}
	row := &gfMulTable[c]
	for i, s := range src {
		dst[i] ^= row[s]
	}
}
