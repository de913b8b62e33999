package checksum

import "github.com/zeebo/xxh3"

// xxh3128 adapts zeebo/xxh3's streaming hasher to hash.Hash for XXH3-128:
// the library's own Sum is the 64-bit variant. The digest is the canonical
// XXH128 representation: big-endian, high 64 bits first, as the AWS CRT's
// aws_xxhash3_128 produces it (its test vector for "Hello world" is in
// xxhash_test.go).
type xxh3128 struct{ *xxh3.Hasher }

func (h *xxh3128) Size() int { return 16 }

func (h *xxh3128) Sum(b []byte) []byte {
	sum := h.Sum128().Bytes()
	return append(b, sum[:]...)
}
