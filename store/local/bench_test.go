package local

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
)

// patternReader yields n bytes of a fixed random pattern, standing in for a
// request body (not an *os.File, so no kernel shortcut applies).
type patternReader struct {
	pattern []byte
	left    int64
	pos     int
}

func newPatternReader(n int64) *patternReader {
	p := make([]byte, 1<<20+13) // odd length: reads straddle it
	r := rand.New(rand.NewPCG(1, 2))
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	return &patternReader{pattern: p, left: n}
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.left, 256<<10)] // like a network body: ≤256 KiB a read
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.pattern[r.pos:])
		n += c
		r.pos = (r.pos + c) % len(r.pattern)
	}
	r.left -= int64(n)
	return n, nil
}

// BenchmarkAppend measures Append throughput, sync included, for a 1 GiB
// object written in one Append and in 64 MiB chunks (multipart-sized parts).
func BenchmarkAppend(b *testing.B) {
	const total = 1 << 30
	for _, chunk := range []int64{total, 64 << 20} {
		b.Run(fmt.Sprintf("1GiB/chunk=%dMiB", chunk>>20), func(b *testing.B) {
			s := newTestStore(b)
			ctx := context.Background()
			b.SetBytes(total)
			for b.Loop() {
				tr, err := s.CreateTransient(ctx, s.Root(), "bench")
				if err != nil {
					b.Fatal(err)
				}
				for off := int64(0); off < total; off += chunk {
					if _, err := s.Append(ctx, tr, newPatternReader(chunk)); err != nil {
						b.Fatal(err)
					}
				}
				if err := s.ScrapTransient(ctx, tr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPutSmall measures the metadata path of a small PUT (create,
// append, link over an existing name), alone and with writers overlapping.
func BenchmarkPutSmall(b *testing.B) {
	body := make([]byte, 4096)
	put := func(s *Store, name string) {
		ctx := context.Background()
		tr, err := s.CreateTransient(ctx, s.Root(), name)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Append(ctx, tr, newBytesReader(body)); err != nil {
			b.Fatal(err)
		}
		if _, err := s.LinkFile(ctx, tr, s.Root(), name); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("serial", func(b *testing.B) {
		s := newTestStore(b)
		i := 0
		for b.Loop() {
			put(s, fmt.Sprint(i%100))
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		s := newTestStore(b)
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(1000)
			for pb.Next() {
				put(s, fmt.Sprint(i%100))
				i++
			}
		})
	})
}

func newBytesReader(p []byte) io.Reader { return &patternReader{pattern: p, left: int64(len(p))} }

// BenchmarkMoveData shows that MoveData costs the same whatever the size of
// the data it moves: one transaction over extent lists, no bytes copied. Each
// iteration moves the part onto an assembling file and back.
func BenchmarkMoveData(b *testing.B) {
	for _, size := range []int64{1 << 20, 1 << 30} {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			s := openTestStore(b, b.TempDir(), 0)
			defer s.Close()
			ctx := context.Background()
			dir, err := s.MakeDirectory(ctx, s.Root(), "b")
			if err != nil {
				b.Fatal(err)
			}
			part, err := s.CreateTransient(ctx, dir, "part")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Append(ctx, part, newPatternReader(size)); err != nil {
				b.Fatal(err)
			}
			whole, err := s.CreateTransient(ctx, dir, "whole")
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if err := s.MoveData(ctx, whole, part); err != nil {
					b.Fatal(err)
				}
				if err := s.MoveData(ctx, part, whole); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
