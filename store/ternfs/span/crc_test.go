package span

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/terngate/terngate/store/ternfs/wire"
)

func TestCrcCheckValue(t *testing.T) {
	if got := CrcOf([]byte("123456789")); got != 0xE3069283 {
		t.Fatalf("CRC32C check value: %08x", got)
	}
	if got := CrcUpdate(CrcOf([]byte("1234")), []byte("56789")); got != 0xE3069283 {
		t.Fatalf("incremental: %08x", got)
	}
}

func TestPolyInverse(t *testing.T) {
	if polyMul(polyX, polyXInv) != polyOne {
		t.Fatal("x·x⁻¹ ≠ 1")
	}
	// The inverse of x, as TernFS's tables list it first.
	if polyXInv != 0x05ec76f1 {
		t.Fatalf("x⁻¹ = %08x", polyXInv)
	}
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestCrcCombination(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 4096, 10000} {
		for _, m := range []int{0, 1, 3, 4096, 12345} {
			a, b := randBytes(r, n), randBytes(r, m)
			ab := append(append([]byte{}, a...), b...)
			if got, want := CrcAppend(CrcOf(a), CrcOf(b), int64(m)), CrcOf(ab); got != want {
				t.Fatalf("Append(%d,%d): %08x want %08x", n, m, got, want)
			}
			withZeros := append(append([]byte{}, a...), make([]byte, m)...)
			if got, want := CrcZeroExtend(CrcOf(a), int64(m)), CrcOf(withZeros); got != want {
				t.Fatalf("ZeroExtend(%d,+%d): %08x want %08x", n, m, got, want)
			}
			if got, want := CrcZeroExtend(CrcOf(withZeros), -int64(m)), CrcOf(a); got != want {
				t.Fatalf("ZeroExtend(%d,-%d): %08x want %08x", n+m, m, got, want)
			}
		}
		a, b := randBytes(r, n), randBytes(r, n)
		x := make([]byte, n)
		for i := range x {
			x[i] = a[i] ^ b[i]
		}
		if got, want := CrcXor(CrcOf(a), CrcOf(b), int64(n)), CrcOf(x); got != want {
			t.Fatalf("Xor(%d): %08x want %08x", n, got, want)
		}
	}
}

func TestAppendCheckedPages(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pages := randBytes(r, 2*PageSize)
	var payload []byte
	for p := 0; p < 2; p++ {
		page := pages[p*PageSize : (p+1)*PageSize]
		payload = append(payload, page...)
		payload = binary.LittleEndian.AppendUint32(payload, uint32(CrcOf(page)))
	}
	got, err := AppendCheckedPages(nil, payload)
	if err != nil || !bytes.Equal(got, pages) {
		t.Fatalf("err %v, equal %v", err, bytes.Equal(got, pages))
	}
	payload[PageWithCrcSize+5] ^= 1
	if _, err := AppendCheckedPages(nil, payload); !errors.Is(err, wire.ErrBadPageCrc) {
		t.Fatalf("corrupt page: %v", err)
	}
	if _, err := AppendCheckedPages(nil, payload[:PageSize]); !errors.Is(err, wire.ErrMalformed) {
		t.Fatalf("partial page: %v", err)
	}
}
