package checksum

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/terngate/terngate/s3err"
)

// checkInput is the usual CRC check string. The base64 values are the ones
// AWS S3 returns for it (recorded by S3 compatibility suites run against
// AWS), and the hex values the published check values.
const checkInput = "123456789"

var checkVectors = []struct {
	alg    Algorithm
	hex    string
	base64 string
}{
	{CRC32, "cbf43926", "y/Q5Jg=="},
	{CRC32C, "e3069283", "4waSgw=="},
	{CRC64NVME, "ae8b14860a799888", "rosUhgp5mIg="},
	{SHA1, "f7c3bc1d808e04732adf679965ccc34ca7ae3441", "98O8HYCOBHMq32eZZczDTKeuNEE="},
	{SHA256, "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225", "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU="},
	// MD5 and SHA512 of the check string, as Python's hashlib gives them.
	{MD5, "25f9e794323b453885f5181f1b624d0b", "JfnnlDI7RTiF9RgfG2JNCw=="},
	{SHA512, "d9e6762dd1c8eaf6d61b3c6192fc408d4d6d5f1176d0c29169bc24e71c3f274ad27fcd5811b313d681f7e55ec02d73d499c95455b6b5bb503acf574fba8ffe85", "2eZ2LdHI6vbWGzxhkvxAjU1tXxF20MKRabwk5xw/J0rSf81YEbMT1oH35V7ALXPUmclUVba1u1A6z1dPuo/+hQ=="},
}

func TestCheckValues(t *testing.T) {
	for _, v := range checkVectors {
		h := v.alg.New()
		h.Write([]byte(checkInput))
		digest := h.Sum(nil)
		if got := hex.EncodeToString(digest); got != v.hex {
			t.Errorf("%s: digest %s, want %s", v.alg, got, v.hex)
		}
		if got := Checksum(v.alg, []byte(checkInput)); got != v.base64 {
			t.Errorf("%s: Checksum %s, want %s", v.alg, got, v.base64)
		}
		if len(digest) != v.alg.Size() || h.Size() != v.alg.Size() {
			t.Errorf("%s: digest length %d, Size %d", v.alg, len(digest), v.alg.Size())
		}
	}
}

func TestEmptyInput(t *testing.T) {
	want := map[Algorithm]string{
		CRC32:     "AAAAAA==",
		CRC32C:    "AAAAAA==",
		CRC64NVME: "AAAAAAAAAAA=",
		SHA1:      "2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
		SHA256:    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
		MD5:       "1B2M2Y8AsgTpgAmY7PhCfg==",
		SHA512:    "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
		// xxHash's reference values for no input, seed 0 (XXH64
		// ef46db3751d8e999, XXH3_64 2d06800538d394c2, XXH128
		// 99aa06d3014798d8_6001c324468d497f), in big-endian base64.
		XXHASH64:  "70bbN1HY6Zk=",
		XXHASH3:   "LQaABTjTlMI=",
		XXHASH128: "maoG0wFHmNhgAcMkRo1Jfw==",
	}
	for a, w := range want {
		if got := Checksum(a, nil); got != w {
			t.Errorf("%s of empty input: %s, want %s", a, got, w)
		}
	}
}

func TestParseAlgorithm(t *testing.T) {
	for _, in := range []string{"crc32", "CRC32", "Crc32", " CRC32 "} {
		if a, err := ParseAlgorithm(in); err != nil || a != CRC32 {
			t.Errorf("ParseAlgorithm(%q) = %q, %v", in, a, err)
		}
	}
	for _, a := range Algorithms() {
		if got, err := ParseAlgorithm(string(a)); err != nil || got != a {
			t.Errorf("ParseAlgorithm(%q) = %q, %v", a, got, err)
		}
	}
	for _, in := range []string{"", "MD4", "CRC32,CRC32C", "crc-32", "SHA384", "XXHASH32"} {
		_, err := ParseAlgorithm(in)
		var e *s3err.Error
		if !errors.As(err, &e) || !errors.Is(err, s3err.InvalidRequest) {
			t.Fatalf("ParseAlgorithm(%q): err %v, want InvalidRequest", in, err)
		}
		// AWS's message listed the five pre-2025 algorithms; no source shows
		// it since the 2025 ones, so it names everything we accept.
		const msg = "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256, MD5, SHA512, XXHASH64, XXHASH3, XXHASH128]"
		if e.Message != msg || e.Status != 400 {
			t.Errorf("ParseAlgorithm(%q): %d %q", in, e.Status, e.Message)
		}
	}
}

func TestHeaderName(t *testing.T) {
	want := map[Algorithm]string{
		CRC32:     "x-amz-checksum-crc32",
		CRC32C:    "x-amz-checksum-crc32c",
		CRC64NVME: "x-amz-checksum-crc64nvme",
		SHA1:      "x-amz-checksum-sha1",
		SHA256:    "x-amz-checksum-sha256",
		MD5:       "x-amz-checksum-md5",
		SHA512:    "x-amz-checksum-sha512",
		XXHASH64:  "x-amz-checksum-xxhash64",
		XXHASH3:   "x-amz-checksum-xxhash3",
		XXHASH128: "x-amz-checksum-xxhash128",
	}
	for a, w := range want {
		if got := HeaderName(a); got != w {
			t.Errorf("HeaderName(%s) = %s", a, got)
		}
		if back, ok := algorithmForHeader("X-Amz-Checksum-" + w[len("x-amz-checksum-"):]); !ok || back != a {
			t.Errorf("algorithmForHeader(%s) = %s, %v", w, back, ok)
		}
	}
}

// TestMultipartSupport: FULL_OBJECT needs a CRC; COMPOSITE takes every
// algorithm but CRC64NVME, including the 2025 ones (API_ObjectPart.html).
func TestMultipartSupport(t *testing.T) {
	for _, c := range []struct {
		alg                   Algorithm
		fullObject, composite bool
	}{
		{CRC32, true, true},
		{CRC32C, true, true},
		{CRC64NVME, true, false},
		{SHA1, false, true},
		{SHA256, false, true},
		// FULL_OBJECT needs a combinable CRC; the 2025 algorithms are hashes,
		// so COMPOSITE only (API_ObjectPart documents ChecksumMD5 etc. for
		// parts of uploads "created with the MD5 checksum algorithm").
		{MD5, false, true},
		{SHA512, false, true},
		{XXHASH64, false, true},
		{XXHASH3, false, true},
		{XXHASH128, false, true},
		{"MD4", false, false},
	} {
		if c.alg.SupportsFullObject() != c.fullObject || c.alg.SupportsComposite() != c.composite {
			t.Errorf("%s: full object %v, composite %v", c.alg, c.alg.SupportsFullObject(), c.alg.SupportsComposite())
		}
	}
}

func TestDecode(t *testing.T) {
	for _, v := range checkVectors {
		digest, err := Decode(v.alg, v.base64)
		if err != nil || hex.EncodeToString(digest) != v.hex {
			t.Errorf("Decode(%s, %s) = %x, %v", v.alg, v.base64, digest, err)
		}
	}
	bad := []string{
		"",
		"y/Q5Jh==",     // non-canonical: padding bits set
		"short===",     // broken padding
		"shrt",         // 3 bytes
		"toolong=",     // 5 bytes
		"^^^^^^==",     // outside the alphabet
		"y^/^Q5^J^g==", // alphabet mixed with junk
		"y/Q5Jg",       // unpadded
		"y/Q5\nJg==",
		"rosUhgp5mIg=", // a CRC64NVME value
	}
	for _, in := range bad {
		if d, err := Decode(CRC32, in); err == nil {
			t.Errorf("Decode(CRC32, %q) = %x, want error", in, d)
		}
	}
}

func TestEncodeDecodeCRC(t *testing.T) {
	for _, v := range checkVectors[:3] {
		crc, err := DecodeCRC(v.alg, v.base64)
		if err != nil {
			t.Fatal(err)
		}
		if EncodeCRC(v.alg, crc) != v.base64 {
			t.Errorf("%s: EncodeCRC(%#x) = %s, want %s", v.alg, crc, EncodeCRC(v.alg, crc), v.base64)
		}
	}
	if crc, _ := DecodeCRC(CRC32, "y/Q5Jg=="); crc != 0xCBF43926 {
		t.Errorf("DecodeCRC(CRC32) = %#x", crc)
	}
	if _, err := DecodeCRC(SHA1, checkVectors[3].base64); err == nil {
		t.Error("DecodeCRC(SHA1) succeeded")
	}
}
