package checksum

import (
	"hash/crc32"
	"hash/crc64"
	"math/rand/v2"
	"testing"

	"github.com/minio/crc64nvme"
)

var crcAlgorithms = []Algorithm{CRC32, CRC32C, CRC64NVME}

// referenceCRC computes a CRC without this package: the standard library
// for CRC32/CRC32C, and hash/crc64 with the NVMe polynomial (same all-ones
// conditioning) as an independent check of crc64nvme.
func referenceCRC(a Algorithm, data []byte) uint64 {
	switch a {
	case CRC32:
		return uint64(crc32.ChecksumIEEE(data))
	case CRC32C:
		return uint64(crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
	case CRC64NVME:
		return crc64.Checksum(data, crc64.MakeTable(crc64nvme.NVME))
	}
	panic("not a CRC")
}

func TestReferenceCRCMatchesCheckValues(t *testing.T) {
	want := map[Algorithm]uint64{CRC32: 0xCBF43926, CRC32C: 0xE3069283, CRC64NVME: 0xAE8B14860A799888}
	for a, w := range want {
		if got := referenceCRC(a, []byte(checkInput)); got != w {
			t.Errorf("%s reference = %#x, want %#x", a, got, w)
		}
		h := a.New()
		h.Write([]byte(checkInput))
		if got := crcFromDigest(h.Sum(nil)); got != w {
			t.Errorf("%s New() = %#x, want %#x", a, got, w)
		}
	}
}

func TestCombineCRCRandomSplits(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	data := make([]byte, 1<<16)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, a := range crcAlgorithms {
		for range 300 {
			total := rng.IntN(len(data) + 1)
			cut := rng.IntN(total + 1)
			// Bias towards empty parts, the edge cases.
			switch rng.IntN(6) {
			case 0:
				cut = 0
			case 1:
				cut = total
			}
			whole, left, right := data[:total], data[:cut], data[cut:total]
			got := CombineCRC(a, referenceCRC(a, left), referenceCRC(a, right), int64(len(right)))
			if want := referenceCRC(a, whole); got != want {
				t.Fatalf("%s: split %d+%d: combined %#x, want %#x", a, len(left), len(right), got, want)
			}
		}
	}
}

// TestCombineCRCParts folds many parts, as CompleteMultipartUpload does for
// a FULL_OBJECT checksum, and checks the base64 against the whole object.
func TestCombineCRCParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	data := make([]byte, 5<<20+123)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, a := range crcAlgorithms {
		var combined uint64
		for rest := data; len(rest) > 0; {
			n := min(len(rest), rng.IntN(1<<20)) // includes empty parts
			part := Checksum(a, rest[:n])
			crc, err := DecodeCRC(a, part)
			if err != nil {
				t.Fatal(err)
			}
			combined = CombineCRC(a, combined, crc, int64(n))
			rest = rest[n:]
		}
		if got, want := EncodeCRC(a, combined), Checksum(a, data); got != want {
			t.Errorf("%s: combined parts %s, whole object %s", a, got, want)
		}
	}
}

// TestCombineCRCHugeLengths checks lengths far beyond what can be hashed
// through associativity: (A‖B)‖C == A‖(B‖C).
func TestCombineCRCHugeLengths(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, a := range crcAlgorithms {
		mask := uint64(1)<<(a.Size()*8) - 1
		if a.Size() == 8 {
			mask = ^uint64(0)
		}
		for range 200 {
			ca, cb, cc := rng.Uint64()&mask, rng.Uint64()&mask, rng.Uint64()&mask
			lb, lc := rng.Int64N(1<<62), rng.Int64N(1<<62)
			left := CombineCRC(a, CombineCRC(a, ca, cb, lb), cc, lc)
			right := CombineCRC(a, ca, CombineCRC(a, cb, cc, lc), lb+lc)
			if left != right {
				t.Fatalf("%s: not associative for lengths %d, %d", a, lb, lc)
			}
			if left&^mask != 0 {
				t.Fatalf("%s: result %#x wider than the CRC", a, left)
			}
		}
	}
	// The largest length is accepted, and zero length is the identity.
	for _, a := range crcAlgorithms {
		CombineCRC(a, 1, 2, 1<<63-1)
		if got := CombineCRC(a, 0x1234, 0x77, 0); got != 0x1234^0x77 {
			t.Errorf("%s: zero-length combine = %#x", a, got)
		}
	}
}

// TestCombineCRCZeros compares with a long run of zero bytes hashed for real.
func TestCombineCRCZeros(t *testing.T) {
	zeros := make([]byte, 3<<20+5)
	head := []byte(checkInput)
	for _, a := range crcAlgorithms {
		whole := referenceCRC(a, append(append([]byte{}, head...), zeros...))
		got := CombineCRC(a, referenceCRC(a, head), referenceCRC(a, zeros), int64(len(zeros)))
		if got != whole {
			t.Errorf("%s: %#x, want %#x", a, got, whole)
		}
	}
}

func TestCombineCRCPanicsOnMisuse(t *testing.T) {
	for _, f := range []func(){
		func() { CombineCRC(SHA256, 0, 0, 1) },
		func() { CombineCRC(CRC32, 0, 0, -1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}

func FuzzCombine(f *testing.F) {
	f.Add([]byte(""), uint(0), uint8(0))
	f.Add([]byte(checkInput), uint(4), uint8(1))
	f.Add([]byte("the quick brown fox jumps over the lazy dog"), uint(43), uint8(2))
	f.Add(make([]byte, 300), uint(17), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, cut uint, which uint8) {
		a := crcAlgorithms[int(which)%len(crcAlgorithms)]
		cut %= uint(len(data)) + 1
		left, right := data[:cut], data[cut:]
		got := CombineCRC(a, referenceCRC(a, left), referenceCRC(a, right), int64(len(right)))
		if want := referenceCRC(a, data); got != want {
			t.Fatalf("%s: split %d+%d: combined %#x, want %#x", a, len(left), len(right), got, want)
		}
	})
}
