package sse

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// fuzzKey is a fixed object key: the fuzzer varies the stored bytes.
var fuzzKey = ObjectKey{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}

func encryptForTest(t testing.TB, plain []byte) []byte {
	r, err := EncryptReader(bytes.NewReader(plain), &fuzzKey)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return stored
}

// FuzzDecryptRange feeds the format reader stored bytes, genuine and
// mangled, and any range: it must never panic, and what it returns
// without error must be exactly the plaintext's range (a mangled package
// must fail, never yield bytes).
func FuzzDecryptRange(f *testing.F) {
	plain := bytes.Repeat([]byte("0123456789abcdef"), 9000) // over two packages
	stored := encryptForTest(f, plain)
	f.Add(stored, int64(0), int64(len(plain)), -1, byte(0))
	f.Add(stored, int64(65530), int64(20), 65600, byte(1))
	f.Add(stored[:100], int64(0), int64(10), -1, byte(0))
	f.Add([]byte{}, int64(0), int64(1), -1, byte(0))
	f.Fuzz(func(t *testing.T, data []byte, off, length int64, flip int, mask byte) {
		if off < 0 || length < 0 || off > int64(len(plain)) || length > int64(len(plain))-off {
			return
		}
		genuine := flip < 0 && bytes.Equal(data, stored)
		if flip >= 0 && flip < len(data) && mask != 0 {
			data = bytes.Clone(data)
			data[flip] ^= mask
		}
		rng := RangeOf(off, length, int64(len(plain)))
		if rng.Offset > int64(len(data)) {
			return
		}
		end := min(rng.Offset+rng.Length, int64(len(data)))
		// Both ways out: Read (io.ReadAll) and WriteTo (io.Copy, as a
		// response body is sent).
		for _, how := range []string{"Read", "WriteTo"} {
			r, err := DecryptRange(bytes.NewReader(data[rng.Offset:end]), &fuzzKey, rng)
			if err != nil {
				return
			}
			var got []byte
			if how == "Read" {
				got, err = io.ReadAll(r)
			} else {
				var out bytes.Buffer
				_, err = io.Copy(&out, r)
				got = out.Bytes()
			}
			if genuine && err != nil {
				t.Fatalf("%s of range %d+%d of genuine bytes: %v", how, off, length, err)
			}
			if err == nil && !bytes.Equal(got, plain[off:off+length]) {
				t.Fatalf("%s of range %d+%d: %d bytes without error that are not the plaintext (genuine input: %v)", how, off, length, len(got), genuine)
			}
		}
	})
}

// FuzzRoundTrip: any plaintext, any range of it, comes back exact.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("hello"), uint32(1), uint32(3))
	f.Add(bytes.Repeat([]byte{7}, 70000), uint32(65535), uint32(2))
	f.Fuzz(func(t *testing.T, plain []byte, off, length uint32) {
		if int(off) > len(plain) {
			off = uint32(len(plain))
		}
		if int(off)+int(length) > len(plain) {
			length = uint32(len(plain) - int(off))
		}
		stored := encryptForTest(t, plain)
		if int64(len(stored)) != StoredSize(int64(len(plain))) || PlainSize(int64(len(stored))) != int64(len(plain)) {
			t.Fatalf("sizes: %d plaintext bytes stored as %d", len(plain), len(stored))
		}
		rng := RangeOf(int64(off), int64(length), int64(len(plain)))
		r, err := DecryptRange(bytes.NewReader(stored[rng.Offset:rng.Offset+rng.Length]), &fuzzKey, rng)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain[off:off+length]) {
			t.Fatalf("range %d+%d differs", off, length)
		}
	})
}

// FuzzParseKeyRing: never panics; an error never holds the line's key.
func FuzzParseKeyRing(f *testing.F) {
	f.Add([]byte("k1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nk0:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n"))
	f.Add([]byte("# comment\n\nbad line\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ring, err := ParseKeyRing(data)
		if err != nil {
			return
		}
		id, key := ring.Current()
		if len(key) != KeySize || id == "" {
			t.Fatalf("current key %q of %d bytes", id, len(key))
		}
	})
}

// A wrong key or another object's name never opens a sealed key.
func TestSealBindsKeyAndName(t *testing.T) {
	secret := bytes.Repeat([]byte{9}, KeySize)
	k, err := NewObjectKey()
	if err != nil {
		t.Fatal(err)
	}
	info, err := Seal(k, ModeCustomer, "", secret, "b", "o")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Unseal(info, secret, "b", "o"); err != nil || *got != *k {
		t.Fatalf("unseal: %v", err)
	}
	other := bytes.Repeat([]byte{8}, KeySize)
	for _, c := range []struct {
		secret      []byte
		bucket, key string
	}{{other, "b", "o"}, {secret, "b", "o2"}, {secret, "b2", "o"}} {
		if _, err := Unseal(info, c.secret, c.bucket, c.key); !errors.Is(err, ErrWrongKey) {
			t.Fatalf("unseal %s/%s: %v, want ErrWrongKey", c.bucket, c.key, err)
		}
	}
}

// BenchmarkFormat is the format's own speed: encrypting and decrypting 16
// MiB in memory.
func BenchmarkFormat(b *testing.B) {
	plain := bytes.Repeat([]byte("benchmark"), (16<<20)/9)
	stored := encryptForTest(b, plain)
	b.Run("encrypt", func(b *testing.B) {
		b.SetBytes(int64(len(plain)))
		for b.Loop() {
			r, err := EncryptReader(bytes.NewReader(plain), &fuzzKey)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decrypt", func(b *testing.B) {
		b.SetBytes(int64(len(plain)))
		rng := RangeOf(0, int64(len(plain)), int64(len(plain)))
		for b.Loop() {
			r, err := DecryptRange(bytes.NewReader(stored), &fuzzKey, rng)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
