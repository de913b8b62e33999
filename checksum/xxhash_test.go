package checksum

import (
	"encoding/hex"
	"testing"
)

// TestXXHashReferenceVectors checks the xxHash family against the C
// reference implementation's values (as tabulated in the libraries' compat
// tests: XXH3 input i is bytes 1..i), seed 0, so a wrong seed, variant or
// byte order shows. XXH128 is rendered canonical big-endian, high half first.
func TestXXHashReferenceVectors(t *testing.T) {
	for _, c := range []struct {
		alg   Algorithm
		input []byte
		hex   string
	}{
		{XXHASH64, []byte("a"), "d24ec4f1a98c6e5b"},
		{XXHASH64, []byte("asdf"), "415872f599cea71e"},
		{XXHASH3, []byte{1}, "e12ef9d2eb86ceeb"},
		{XXHASH3, []byte{1, 2, 3}, "ebce9b7632ae733b"},
		{XXHASH128, []byte{1}, "51025a4491835505e12ef9d2eb86ceeb"},
		{XXHASH128, []byte{1, 2, 3}, "ac77eb88cbc4b8d4ebce9b7632ae733b"},
		// The AWS CRT's own vectors (awslabs/aws-c-checksums xxhash tests,
		// seed 0), i.e. the bytes botocore and the CRT-based SDKs send:
		// they pin XXH128's byte order to canonical, high half first.
		{XXHASH64, []byte("Hello world"), "c500b0c912b376d8"},
		{XXHASH3, []byte("Hello world"), "b6acb9d84a38ff74"},
		{XXHASH128, []byte("Hello world"), "7351f89812f97382b91d05b31e04dd7f"},
	} {
		h := c.alg.New()
		h.Write(c.input)
		if got := hex.EncodeToString(h.Sum(nil)); got != c.hex {
			t.Errorf("%s(%q) = %s, want %s", c.alg, c.input, got, c.hex)
		}
		if h.Size() != c.alg.Size() {
			t.Errorf("%s: hash Size %d, Algorithm Size %d", c.alg, h.Size(), c.alg.Size())
		}
	}
}

// TestXXHash128Streaming checks that the hash.Hash adapter hashes across
// writes like one write and that Sum leaves the state alone.
func TestXXHash128Streaming(t *testing.T) {
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	h := XXHASH128.New()
	h.Write(data[:333])
	first := h.Sum(nil)
	h.Write(data[333:])
	if got, want := Encode(h.Sum(nil)), Checksum(XXHASH128, data); got != want {
		t.Errorf("streamed %s, one-shot %s", got, want)
	}
	if Encode(first) == Checksum(XXHASH128, data) {
		t.Error("Sum of a prefix equals the whole's")
	}
	h.Reset()
	h.Write(data)
	if got, want := Encode(h.Sum(nil)), Checksum(XXHASH128, data); got != want {
		t.Errorf("after Reset %s, want %s", got, want)
	}
}
