package checksum

import "github.com/zeebo/xxh3"

// xxh3128 adapts zeebo/xxh3's streaming hasher to hash.Hash for XXH3-128:
// the library's own Sum is the 64-bit variant. The digest is the canonical
// XXH128 representation (xxhash's XXH128_canonicalFromHash): big-endian, high
// 64 bits first. No AWS source pins the byte order down; the canonical form
// is what xxhsum prints and what the SDKs' base64 of "the 128-bit value"
// means under S3's big-endian convention for every other algorithm.
type xxh3128 struct{ *xxh3.Hasher }

func (h *xxh3128) Size() int { return 16 }

func (h *xxh3128) Sum(b []byte) []byte {
	sum := h.Sum128().Bytes()
	return append(b, sum[:]...)
}
