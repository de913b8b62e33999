// Package checksum implements S3's flexible checksums: the algorithms a
// client may name (CRC32, CRC32C, CRC64NVME, SHA1, SHA256 and, since 2025,
// MD5, SHA512, XXHASH64, XXHASH3, XXHASH128), the request
// headers that carry them, a verifying body reader for single PUTs and
// UploadPart, and the arithmetic multipart uploads need (FULL_OBJECT CRC
// combination and COMPOSITE checksums of part checksums).
//
// Values travel as S3 writes them: base64 (standard alphabet, padded) of the
// big-endian digest.
package checksum

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"hash/crc32"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/minio/crc64nvme"
	"github.com/zeebo/xxh3"
)

// Algorithm is an S3 checksum algorithm, spelled as S3 spells it in XML
// (ChecksumAlgorithm) and in x-amz-checksum-algorithm.
type Algorithm string

// The algorithms S3 defines for flexible checksums.
const (
	CRC32     Algorithm = "CRC32"
	CRC32C    Algorithm = "CRC32C"
	CRC64NVME Algorithm = "CRC64NVME"
	SHA1      Algorithm = "SHA1"
	SHA256    Algorithm = "SHA256"
	MD5       Algorithm = "MD5"
	SHA512    Algorithm = "SHA512"
	XXHASH64  Algorithm = "XXHASH64"
	XXHASH3   Algorithm = "XXHASH3"
	XXHASH128 Algorithm = "XXHASH128"
)

// Default is the algorithm S3 computes and stores when the client sends no
// checksum at all.
const Default = CRC64NVME

// Algorithms lists every supported algorithm: the original five in S3's
// documentation order, then the 2025 additions in the order of the SDKs'
// ChecksumAlgorithm enum (aws-sdk-go-v2 service/s3 types).
func Algorithms() []Algorithm {
	return []Algorithm{CRC32, CRC32C, CRC64NVME, SHA1, SHA256, MD5, SHA512, XXHASH64, XXHASH3, XXHASH128}
}

// castagnoli is read-only after package initialisation; crc32.MakeTable
// returns the same shared table on every call anyway.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ParseAlgorithm parses an algorithm name case-insensitively, as sent in
// x-amz-checksum-algorithm (CreateMultipartUpload) or
// x-amz-sdk-checksum-algorithm. An unknown name is AWS's InvalidRequest for
// x-amz-checksum-algorithm; FromHeaders reports the SDK header differently.
func ParseAlgorithm(s string) (Algorithm, error) {
	s = strings.TrimSpace(s)
	for _, a := range Algorithms() {
		if strings.EqualFold(s, string(a)) {
			return a, nil
		}
	}
	return "", errUnsupportedAlgorithm()
}

// Valid reports whether a is exactly one of the supported algorithms' names.
func (a Algorithm) Valid() bool { return a.Size() > 0 }

// HeaderName is the request/response header carrying a checksum of
// algorithm a, e.g. "x-amz-checksum-crc32"; also the trailer name in
// aws-chunked bodies.
func HeaderName(a Algorithm) string {
	return "x-amz-checksum-" + strings.ToLower(string(a))
}

// algorithmForHeader maps a (case-insensitive) header name back to its
// algorithm.
func algorithmForHeader(name string) (Algorithm, bool) {
	suffix, ok := cutPrefixFold(name, "x-amz-checksum-")
	if !ok {
		return "", false
	}
	for _, a := range Algorithms() {
		if strings.EqualFold(suffix, string(a)) {
			return a, true
		}
	}
	return "", false
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}

// New returns a fresh hash computing a. It panics on an invalid algorithm:
// algorithms reach here only through ParseAlgorithm or the constants.
func (a Algorithm) New() hash.Hash {
	switch a {
	case CRC32:
		return crc32.NewIEEE()
	case CRC32C:
		return crc32.New(castagnoli)
	case CRC64NVME:
		return crc64nvme.New()
	case SHA1:
		return sha1.New()
	case SHA256:
		return sha256.New()
	case MD5:
		return md5.New()
	case SHA512:
		return sha512.New()
	case XXHASH64:
		return xxhash.New() // seed 0; Sum is the big-endian 64-bit value
	case XXHASH3:
		return xxh3.New() // XXH3-64, seed 0; Sum is big-endian
	case XXHASH128:
		return &xxh3128{xxh3.New()}
	}
	panic("checksum: invalid algorithm " + string(a))
}

// Size is the digest length of a in bytes (0 for an invalid algorithm).
func (a Algorithm) Size() int {
	switch a {
	case CRC32, CRC32C:
		return 4
	case CRC64NVME:
		return 8
	case SHA1:
		return sha1.Size
	case SHA256:
		return sha256.Size
	case MD5:
		return md5.Size
	case SHA512:
		return sha512.Size
	case XXHASH64, XXHASH3:
		return 8
	case XXHASH128:
		return 16
	}
	return 0
}

// IsCRC reports whether a is a CRC, whose values can be combined
// (FULL_OBJECT multipart checksums).
func (a Algorithm) IsCRC() bool {
	return a == CRC32 || a == CRC32C || a == CRC64NVME
}

// SupportsFullObject reports whether a multipart upload may use a with
// x-amz-checksum-type FULL_OBJECT: the CRCs only.
func (a Algorithm) SupportsFullObject() bool { return a.IsCRC() }

// SupportsComposite reports whether a multipart upload may use a with
// x-amz-checksum-type COMPOSITE: everything but CRC64NVME, which S3 allows
// as FULL_OBJECT only. The 2025 algorithms are not CRCs, so they cannot be
// combined into a FULL_OBJECT value and are COMPOSITE only, like SHA1/SHA256.
func (a Algorithm) SupportsComposite() bool {
	return a.Size() > 0 && a != CRC64NVME
}

// Checksum computes a over data and returns the base64 value.
func Checksum(a Algorithm, data []byte) string {
	h := a.New()
	h.Write(data)
	return Encode(h.Sum(nil))
}
