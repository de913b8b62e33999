package auth

import (
	"bytes"
	"crypto/sha256"
	"io"
	"testing"
	"time"

	"github.com/terngate/terngate/checksum"
)

// The decoder of signed aws-chunked bodies must add little beyond the
// hashing it cannot avoid: SHA-256 of every chunk (for its signature) and
// the object checksum (CRC64NVME by default). These benchmarks measure the
// two over the same 64 MiB body signed by minio-go (64 KiB chunks, as
// minio-go and restic send them).

const chunkedBenchSize = 64 << 20

func chunkedBenchBody(b *testing.B) (Result, []byte, []byte) {
	data := patterned(chunkedBenchSize)
	res, encoded := minioSigned(b, data, nil)
	return res, data, encoded
}

// hashOnly computes what decoding must compute: SHA-256 and CRC64NVME of
// every byte, in 64 KiB steps as the chunks arrive.
func hashOnly(b *testing.B, data []byte) {
	sum := sha256.New()
	crc := checksum.CRC64NVME.New()
	for off := 0; off < len(data); off += 64 << 10 {
		end := min(off+64<<10, len(data))
		sum.Write(data[off:end])
		crc.Write(data[off:end])
	}
	sum.Sum(nil)
	crc.Sum(nil)
}

// decodeAndVerify runs the gateway's body path: chunk signatures checked,
// the object checksum computed, the bytes delivered.
func decodeAndVerify(b *testing.B, res Result, encoded []byte, buf []byte) {
	body := NewChunkedReader(bytes.NewReader(encoded), res, res.PayloadHash, WithDecodedLength(chunkedBenchSize))
	v := checksum.NewVerifier(body, checksum.Spec{})
	if _, err := io.CopyBuffer(io.Discard, onlyReader{v}, buf); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkChunkedDecode(b *testing.B) {
	res, data, encoded := chunkedBenchBody(b)
	buf := make([]byte, 256<<10)
	b.Run("hashes-only", func(b *testing.B) {
		b.SetBytes(chunkedBenchSize)
		for b.Loop() {
			hashOnly(b, data)
		}
	})
	b.Run("decode-verify", func(b *testing.B) {
		b.SetBytes(chunkedBenchSize)
		for b.Loop() {
			decodeAndVerify(b, res, encoded, buf)
		}
	})
}

// BenchmarkChunkedDecodeRatio reports hashes-only time / decode time
// (goal ≥ 0.85), timing the two alternately in each iteration so machine
// noise hits both alike.
func BenchmarkChunkedDecodeRatio(b *testing.B) {
	res, data, encoded := chunkedBenchBody(b)
	buf := make([]byte, 256<<10)
	var hashing, decoding time.Duration
	b.SetBytes(chunkedBenchSize)
	for b.Loop() {
		start := time.Now()
		hashOnly(b, data)
		hashing += time.Since(start)
		start = time.Now()
		decodeAndVerify(b, res, encoded, buf)
		decoding += time.Since(start)
	}
	b.ReportMetric(hashing.Seconds()/decoding.Seconds(), "hash/decode")
}
