package checksum

import (
	"io"
	"testing"
)

const (
	benchBodySize = 8 << 20
	benchReadSize = 256 << 10
)

// staticBody yields size bytes without writing into the caller's buffer, so
// a benchmark measures the verifier's work and not a source's memcpy.
type staticBody struct{ remaining int }

func (b *staticBody) Read(p []byte) (int, error) {
	if b.remaining == 0 {
		return 0, io.EOF
	}
	n := min(len(p), b.remaining)
	b.remaining -= n
	return n, nil
}

func benchBuffer() []byte {
	buf := make([]byte, benchReadSize)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	return buf
}

// BenchmarkVerifier reads an 8 MiB body through the verifier; compare with
// BenchmarkHash, the bare hash over the same bytes in the same buffer.
func BenchmarkVerifier(b *testing.B) {
	for _, a := range Algorithms() {
		b.Run(string(a), func(b *testing.B) {
			buf := benchBuffer()
			b.SetBytes(benchBodySize)
			for b.Loop() {
				r := NewVerifier(&staticBody{remaining: benchBodySize}, Spec{})
				r.alg, r.hash = a, a.New() // compute a without a value to check
				for {
					if _, err := r.Read(buf); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

func BenchmarkHash(b *testing.B) {
	for _, a := range Algorithms() {
		b.Run(string(a), func(b *testing.B) {
			buf := benchBuffer()
			b.SetBytes(benchBodySize)
			for b.Loop() {
				h := a.New()
				for done := 0; done < benchBodySize; done += len(buf) {
					h.Write(buf)
				}
				h.Sum(nil)
			}
		})
	}
}

func BenchmarkCombineCRC(b *testing.B) {
	for _, a := range crcAlgorithms {
		b.Run(string(a), func(b *testing.B) {
			for b.Loop() {
				CombineCRC(a, 0x12345678, 0x9abcdef0, 5<<30)
			}
		})
	}
}
