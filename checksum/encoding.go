package checksum

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// strictBase64 rejects non-canonical encodings (non-zero padding bits, as in
// "y/Q5Jh==") and embedded newlines, which S3 refuses as invalid values.
var strictBase64 = base64.StdEncoding.Strict()

// Encode renders a digest as S3 does: standard, padded base64.
func Encode(digest []byte) string {
	return base64.StdEncoding.EncodeToString(digest)
}

// Decode parses a base64 checksum value of algorithm a and checks its length.
func Decode(a Algorithm, value string) ([]byte, error) {
	if !a.Valid() {
		return nil, fmt.Errorf("checksum: invalid algorithm %q", a)
	}
	value = strings.TrimSpace(value)
	if len(value) != base64.StdEncoding.EncodedLen(a.Size()) {
		return nil, fmt.Errorf("checksum: %s value %q: want %d base64 characters", a, value, base64.StdEncoding.EncodedLen(a.Size()))
	}
	digest, err := strictBase64.DecodeString(value)
	if err != nil {
		return nil, fmt.Errorf("checksum: %s value %q: %w", a, value, err)
	}
	if len(digest) != a.Size() {
		return nil, fmt.Errorf("checksum: %s value %q decodes to %d bytes, want %d", a, value, len(digest), a.Size())
	}
	return digest, nil
}

// EncodeCRC renders a CRC value of algorithm a (CRC32, CRC32C or CRC64NVME)
// as its base64 checksum.
func EncodeCRC(a Algorithm, crc uint64) string {
	switch a.Size() {
	case 4:
		return Encode(binary.BigEndian.AppendUint32(nil, uint32(crc)))
	default:
		return Encode(binary.BigEndian.AppendUint64(nil, crc))
	}
}

// DecodeCRC parses a base64 CRC checksum of algorithm a into its value, for
// CombineCRC.
func DecodeCRC(a Algorithm, value string) (uint64, error) {
	if !a.IsCRC() {
		return 0, fmt.Errorf("checksum: %s is not a CRC", a)
	}
	digest, err := Decode(a, value)
	if err != nil {
		return 0, err
	}
	return crcFromDigest(digest), nil
}

func crcFromDigest(digest []byte) uint64 {
	switch len(digest) {
	case 4:
		return uint64(binary.BigEndian.Uint32(digest))
	case 8:
		return binary.BigEndian.Uint64(digest)
	}
	panic(errors.New("checksum: CRC digest of unexpected length"))
}
