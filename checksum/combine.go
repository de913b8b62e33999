package checksum

import (
	"fmt"
	"hash/crc32"

	"github.com/minio/crc64nvme"
)

// CRC combination is hand-written because neither the standard library nor
// crc64nvme exposes it. The math (as in zlib's crc32_combine, Mark Adler):
// a CRC is the message polynomial times x^width, reduced mod P. Appending
// |B| bytes after A multiplies A's contribution by x^(8|B|), so
//
//	crc(A‖B) = crc(A)·x^(8|B|) mod P  ⊕  crc(B)
//
// for CRCs whose initial value equals their final XOR (all three here use
// all ones, which cancel). x^(8|B|) mod P is built by square-and-multiply
// from a table of x^(2^k) mod P, so a combination costs O(log |B|)
// polynomial multiplications, independent of the data.
//
// Polynomials are in the reflected (LSB-first) form the CRCs are computed
// in: the most significant bit of a width-bit value is the coefficient of
// x^0, and multiplying by x is a right shift with conditional XOR of P.

// crcField is GF(2)[x]/P for one reflected CRC polynomial.
type crcField struct {
	poly  uint64
	width uint
	// powers[k] = x^(2^k) mod P, for every k a 64-bit byte count can reach
	// (bytes are 2^3 bits). Built at package initialisation and never
	// written afterwards.
	powers [3 + 64]uint64
}

func newCRCField(poly uint64, width uint) *crcField {
	f := &crcField{poly: poly, width: width}
	f.powers[0] = f.one() >> 1 // x^1
	for k := 1; k < len(f.powers); k++ {
		f.powers[k] = f.mul(f.powers[k-1], f.powers[k-1])
	}
	return f
}

// one is the polynomial 1 (x^0) in reflected form.
func (f *crcField) one() uint64 { return 1 << (f.width - 1) }

// mul returns a·b mod P: for each coefficient of a, from x^0 upwards, add
// the matching multiple of b, which is multiplied by x at every step.
func (f *crcField) mul(a, b uint64) uint64 {
	var product uint64
	for bit := f.one(); bit != 0 && a != 0; bit >>= 1 {
		if a&bit != 0 {
			product ^= b
			a &^= bit
		}
		if b&1 != 0 {
			b = b>>1 ^ f.poly
		} else {
			b >>= 1
		}
	}
	return product
}

// xPow8n returns x^(8n) mod P by square-and-multiply over n's bits.
func (f *crcField) xPow8n(n uint64) uint64 {
	result := f.one()
	for k := 3; n != 0; k, n = k+1, n>>1 {
		if n&1 != 0 {
			result = f.mul(f.powers[k], result)
		}
	}
	return result
}

func (f *crcField) combine(crcA, crcB uint64, lenB uint64) uint64 {
	return f.mul(f.xPow8n(lenB), crcA) ^ crcB
}

// The three CRC fields; read-only after initialisation.
var (
	fieldCRC32     = newCRCField(crc32.IEEE, 32)
	fieldCRC32C    = newCRCField(crc32.Castagnoli, 32)
	fieldCRC64NVME = newCRCField(crc64nvme.NVME, 64)
)

func fieldFor(a Algorithm) *crcField {
	switch a {
	case CRC32:
		return fieldCRC32
	case CRC32C:
		return fieldCRC32C
	case CRC64NVME:
		return fieldCRC64NVME
	}
	return nil
}

// CombineCRC returns the CRC of A‖B given crcA = CRC(A), crcB = CRC(B) and
// lenB = |B| in bytes, for CRC32, CRC32C and CRC64NVME: how a multipart
// upload's FULL_OBJECT checksum follows from its parts' checksums without
// reading the data. It panics for other algorithms or a negative length,
// which are programming errors.
func CombineCRC(a Algorithm, crcA, crcB uint64, lenB int64) uint64 {
	f := fieldFor(a)
	if f == nil {
		panic(fmt.Sprintf("checksum: CombineCRC: %s is not a CRC", a))
	}
	if lenB < 0 {
		panic(fmt.Sprintf("checksum: CombineCRC: negative length %d", lenB))
	}
	return f.combine(crcA, crcB, uint64(lenB))
}
