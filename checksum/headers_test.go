package checksum

import (
	"errors"
	"net/http"
	"testing"

	"github.com/terngate/terngate/s3err"
)

func headers(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestFromHeadersAccepts(t *testing.T) {
	cases := []struct {
		name string
		h    http.Header
		want Spec
	}{
		{"nothing", headers(), Spec{}},
		{"unrelated x-amz-checksum headers", headers(
			"x-amz-checksum-mode", "ENABLED",
			"x-amz-checksum-type", "FULL_OBJECT",
			"x-amz-checksum-algorithm", "CRC32",
		), Spec{}},
		{"crc32 header", headers("x-amz-checksum-crc32", "y/Q5Jg=="), Spec{Algorithm: CRC32, Value: "y/Q5Jg=="}},
		{"header with whitespace", headers("x-amz-checksum-crc32", " y/Q5Jg== "), Spec{Algorithm: CRC32, Value: "y/Q5Jg=="}},
		{"crc64nvme header", headers("x-amz-checksum-crc64nvme", "rosUhgp5mIg="), Spec{Algorithm: CRC64NVME, Value: "rosUhgp5mIg="}},
		{"sha256 header with matching sdk algorithm", headers(
			"x-amz-checksum-sha256", "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=",
			"x-amz-sdk-checksum-algorithm", "sha256",
		), Spec{Algorithm: SHA256, Value: "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU="}},
		{"trailer", headers(
			"x-amz-trailer", "x-amz-checksum-crc32c",
			"x-amz-sdk-checksum-algorithm", "CRC32C",
		), Spec{Algorithm: CRC32C, Trailer: true}},
		{"trailer in mixed case with trailing comma", headers("x-amz-trailer", " X-Amz-Checksum-SHA1 ,"), Spec{Algorithm: SHA1, Trailer: true}},
	}
	for _, c := range cases {
		got, err := FromHeaders(c.h)
		if err != nil || got != c.want {
			t.Errorf("%s: FromHeaders = %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

func TestFromHeadersNonCanonicalKeys(t *testing.T) {
	// A header map built by a non-net/http server may keep lower-case keys.
	h := http.Header{
		"x-amz-checksum-crc32":         {"y/Q5Jg=="},
		"x-amz-sdk-checksum-algorithm": {"CRC32"},
	}
	got, err := FromHeaders(h)
	if err != nil || got != (Spec{Algorithm: CRC32, Value: "y/Q5Jg=="}) {
		t.Fatalf("FromHeaders = %+v, %v", got, err)
	}
	h = http.Header{"x-amz-sdk-checksum-algorithm": {"SHA1"}, "x-amz-checksum-crc32": {"y/Q5Jg=="}}
	if _, err := FromHeaders(h); err == nil {
		t.Fatal("lower-case mismatched sdk algorithm accepted")
	}
}

func TestFromHeadersRejects(t *testing.T) {
	const (
		multiple    = "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
		crc32Value  = "Value for x-amz-checksum-crc32 header is invalid."
		sdkInvalid  = "Value for x-amz-sdk-checksum-algorithm header is invalid."
		sdkAlone    = "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found."
		unknownAlgo = "The algorithm type you specified in x-amz-checksum- header is invalid."
		badTrailer  = "The value specified in the x-amz-trailer header is not supported"
	)
	cases := []struct {
		name string
		h    http.Header
		msg  string
	}{
		{"two algorithms", headers("x-amz-checksum-crc32", "y/Q5Jg==", "x-amz-checksum-sha1", "98O8HYCOBHMq32eZZczDTKeuNEE="), multiple},
		{"three algorithms", headers("x-amz-checksum-crc32", "y/Q5Jg==", "x-amz-checksum-crc32c", "4waSgw==", "x-amz-checksum-sha1", "98O8HYCOBHMq32eZZczDTKeuNEE="), multiple},
		{"two algorithms, one invalid", headers("x-amz-checksum-crc32", "junk", "x-amz-checksum-sha1", "98O8HYCOBHMq32eZZczDTKeuNEE="), multiple},
		{"header and trailer", headers("x-amz-checksum-crc32", "y/Q5Jg==", "x-amz-trailer", "x-amz-checksum-crc32c"), "Expecting a single x-amz-checksum- header"},
		{"two trailers", headers("x-amz-trailer", "x-amz-checksum-crc32, x-amz-checksum-sha1"), multiple},
		{"non-checksum trailer", headers("x-amz-trailer", "x-amz-meta-foo"), badTrailer},
		{"unknown checksum header", headers("x-amz-checksum-md4", "1B2M2Y8AsgTpgAmY7PhCfg=="), unknownAlgo},
		{"unknown beside known", headers("x-amz-checksum-crc32", "y/Q5Jg==", "x-amz-checksum-sha1", "98O8HYCOBHMq32eZZczDTKeuNEE=", "x-amz-checksum-xxhash32", "AAAAAA=="), unknownAlgo},
		{"non-canonical base64", headers("x-amz-checksum-crc32", "y/Q5Jh=="), crc32Value},
		{"short", headers("x-amz-checksum-crc32", "shrt"), crc32Value},
		{"long", headers("x-amz-checksum-crc32", "toolong="), crc32Value},
		{"bad padding", headers("x-amz-checksum-crc32", "short==="), crc32Value},
		{"invalid characters", headers("x-amz-checksum-crc32", "^^^^^^=="), crc32Value},
		{"empty", headers("x-amz-checksum-crc32", ""), crc32Value},
		{"crc64 value for crc32", headers("x-amz-checksum-crc32", "rosUhgp5mIg="), crc32Value},
		{"repeated header", headers("x-amz-checksum-crc32", "y/Q5Jg==", "x-amz-checksum-crc32", "y/Q5Jg=="), crc32Value},
		{"sha256 value too short", headers("x-amz-checksum-sha256", "98O8HYCOBHMq32eZZczDTKeuNEE="), "Value for x-amz-checksum-sha256 header is invalid."},
		{"sdk algorithm alone", headers("x-amz-sdk-checksum-algorithm", "CRC32"), sdkAlone},
		{"sdk algorithm differs from header", headers("x-amz-checksum-crc32", "y/Q5Jg==", "x-amz-sdk-checksum-algorithm", "SHA1"), sdkInvalid},
		{"sdk algorithm differs from trailer", headers("x-amz-trailer", "x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm", "CRC32C"), sdkInvalid},
		{"unknown sdk algorithm", headers("x-amz-checksum-crc32", "y/Q5Jg==", "x-amz-sdk-checksum-algorithm", "MD4"), sdkInvalid},
	}
	for _, c := range cases {
		for range 8 { // map order varies; the verdict must not
			spec, err := FromHeaders(c.h)
			var e *s3err.Error
			if !errors.As(err, &e) || !errors.Is(err, s3err.InvalidRequest) {
				t.Fatalf("%s: FromHeaders = %+v, %v; want InvalidRequest", c.name, spec, err)
			}
			if e.Message != c.msg || e.Status != http.StatusBadRequest {
				t.Fatalf("%s: %d %q, want %q", c.name, e.Status, e.Message, c.msg)
			}
		}
	}
}

func TestSpecTrailerName(t *testing.T) {
	if n := (Spec{Algorithm: SHA256, Trailer: true}).TrailerName(); n != "x-amz-checksum-sha256" {
		t.Errorf("TrailerName = %q", n)
	}
	if n := (Spec{Algorithm: SHA256, Value: "x"}).TrailerName(); n != "" {
		t.Errorf("TrailerName without trailer = %q", n)
	}
}
