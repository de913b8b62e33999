package refserver

import (
	"crypto/md5"
	"crypto/sha256"
	"hash"
	"testing"
	"time"
)

// BenchmarkHashingFloor measures the CPU a PUT cannot avoid: MD5 for the
// ETag and SHA-256 for a signed payload, over 64 MiB in 1 MiB writes. The
// reported cpu-s/GiB is the floor any S3 server on this machine pays per
// GiB stored (single-threaded wall time equals CPU time here).
func BenchmarkHashingFloor(b *testing.B) {
	for _, tc := range []struct {
		name   string
		hashes func() []hash.Hash
	}{
		{"MD5", func() []hash.Hash { return []hash.Hash{md5.New()} }},
		{"SHA256", func() []hash.Hash { return []hash.Hash{sha256.New()} }},
		{"MD5+SHA256", func() []hash.Hash { return []hash.Hash{md5.New(), sha256.New()} }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			const total = 64 << 20
			chunk := make([]byte, 1<<20)
			for i := range chunk {
				chunk[i] = byte(i * 131)
			}
			b.SetBytes(total)
			start := time.Now()
			for b.Loop() {
				hs := tc.hashes()
				for range total / len(chunk) {
					for _, h := range hs {
						h.Write(chunk)
					}
				}
			}
			perGiB := time.Since(start).Seconds() / float64(b.N) * float64(1<<30) / total
			b.ReportMetric(perGiB, "cpu-s/GiB")
		})
	}
}
