package span

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// TernFS checksums everything with CRC32C (Castagnoli) with pre- and
// post-inversion, which is exactly hash/crc32's Castagnoli. It also
// combines CRCs without the data: the shard checks a span's CRC against its
// cell CRCs, and parity 0's CRC against the XOR of the data cells' CRCs.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// castagnoliReflected is the CRC32C polynomial, bit-reversed: bit 31 is the
// x^0 coefficient, bit 0 the x^31 one, as the table-driven CRC sees it.
const castagnoliReflected = 0x82F63B78

// PageSize is the unit of block I/O; block sizes, cell sizes and span
// offsets are multiples of it.
const PageSize = 4096

// CrcUpdate extends crc (the CRC of some prefix) with data.
func CrcUpdate(crc wire.Crc, data []byte) wire.Crc {
	return wire.Crc(crc32.Update(uint32(crc), castagnoli, data))
}

// CrcOf is the CRC32C of data.
func CrcOf(data []byte) wire.Crc { return CrcUpdate(0, data) }

// Polynomials mod P in the reflected representation.
const (
	polyOne = uint32(1) << 31 // x^0
	polyX   = uint32(1) << 30 // x^1
	// polyXInv is x⁻¹: since P = x^32 + x·r(x) + 1, x·(x^31 + r(x)) ≡ 1.
	polyXInv = uint32(castagnoliReflected<<1&0xFFFFFFFF | 1)
)

func polyTimesX(b uint32) uint32 {
	if b&1 != 0 {
		return b>>1 ^ castagnoliReflected
	}
	return b >> 1
}

// polyMul is a·b mod P.
func polyMul(a, b uint32) uint32 {
	var p uint32
	for i := 0; i < 32; i++ {
		if a&(polyOne>>i) != 0 {
			p ^= b
		}
		b = polyTimesX(b)
	}
	return p
}

// polyPow is base^n mod P.
func polyPow(base uint32, n uint64) uint32 {
	result := polyOne
	for ; n != 0; n >>= 1 {
		if n&1 != 0 {
			result = polyMul(result, base)
		}
		base = polyMul(base, base)
	}
	return result
}

// shiftBytes is x^(8n) mod P: the effect of n zero bytes on the CRC
// register (n < 0 undoes them).
func shiftBytes(n int64) uint32 {
	x8 := polyPow(polyX, 8)
	if n < 0 {
		return polyPow(polyPow(polyXInv, 8), uint64(-n))
	}
	return polyPow(x8, uint64(n))
}

// CrcZeroExtend turns the CRC of A into the CRC of A followed by n zero
// bytes; a negative n removes -n trailing zero bytes instead.
func CrcZeroExtend(crc wire.Crc, n int64) wire.Crc {
	return wire.Crc(^polyMul(shiftBytes(n), ^uint32(crc)))
}

// CrcAppend is the CRC of A‖B from crcA, crcB and B's length.
func CrcAppend(crcA, crcB wire.Crc, lenB int64) wire.Crc {
	return wire.Crc(polyMul(shiftBytes(lenB), uint32(crcA)) ^ uint32(crcB))
}

// CrcXor is the CRC of A XOR B from their CRCs and common length: CRC is
// affine, so the CRC of n zero bytes corrects for the doubled constant.
func CrcXor(crcA, crcB wire.Crc, n int64) wire.Crc {
	return crcA ^ crcB ^ CrcZeroExtend(0, n)
}

// PageWithCrcSize is a page as FetchBlockWithCrc sends it.
const PageWithCrcSize = PageSize + 4

// AppendCheckedPages verifies a FetchBlockWithCrc payload (pages, each
// followed by its u32 CRC32C) and appends the pages' bytes to dst.
func AppendCheckedPages(dst, payload []byte) ([]byte, error) {
	if len(payload)%PageWithCrcSize != 0 {
		return dst, fmt.Errorf("%w: %d bytes is not a whole number of pages with CRCs", wire.ErrMalformed, len(payload))
	}
	for off := 0; off < len(payload); off += PageWithCrcSize {
		page := payload[off : off+PageSize]
		want := wire.Crc(binary.LittleEndian.Uint32(payload[off+PageSize:]))
		if got := CrcOf(page); got != want {
			return dst, fmt.Errorf("%w: page %d has CRC %08x, expected %08x", wire.ErrBadPageCrc, off/PageWithCrcSize, got, want)
		}
		dst = append(dst, page...)
	}
	return dst, nil
}
