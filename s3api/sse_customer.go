package s3api

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/sse"
)

// SSE-C request headers: the object's own, and (CopyObject, UploadPartCopy)
// the copy source's.
const (
	ssecPrefix           = "x-amz-server-side-encryption-customer-"
	ssecCopySourcePrefix = "x-amz-copy-source-server-side-encryption-customer-"
)

// customerKey is a key an SSE-C request carries. Zero it once used.
type customerKey struct {
	key [sse.KeySize]byte
	// md5 is the key's MD5 as the client sent it (base64), echoed in
	// x-amz-server-side-encryption-customer-key-MD5.
	md5 string
}

func (k *customerKey) zero() {
	if k != nil {
		clear(k.key[:])
	}
}

// AWS's answers to malformed SSE-C headers ("Specifying server-side
// encryption with customer-provided keys", Amazon S3 User Guide; the texts
// are those S3 sends). None of them echoes the key.
const (
	msgSSECNoAlgorithm = "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm."
	msgSSECNoKey       = "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key."
	msgSSECNoKeyMD5    = "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key."
	msgSSECBadKey      = "The secret key was invalid for the specified algorithm."
	msgSSECKeyMD5      = "The calculated MD5 hash of the key did not match the hash that was provided."
	msgSSECOverHTTP    = "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection."
)

// ssecHeaders is the three headers of an SSE-C key, as sent.
type ssecHeaders struct {
	algorithm, key, keyMD5 string
	hasAlgorithm           bool
	hasKey, hasKeyMD5      bool
}

func readSSECHeaders(r *request, prefix string) ssecHeaders {
	var h ssecHeaders
	h.algorithm, h.hasAlgorithm = peekSuffixed(r, prefix, "algorithm")
	h.key, h.hasKey = peekSuffixed(r, prefix, "key")
	h.keyMD5, h.hasKeyMD5 = peekSuffixed(r, prefix, "key-MD5")
	return h
}

// peekSuffixed reads header prefix+suffix, trimmed, and whether it is
// present. The name is built on the stack: every GET and HEAD looks for
// the three SSE-C headers, and almost none sends them.
func peekSuffixed(r *request, prefix, suffix string) (string, bool) {
	var buf [64]byte
	name := append(append(buf[:0], prefix...), suffix...)
	v := r.c.Request().Header.PeekBytes(name)
	return strings.TrimSpace(string(v)), v != nil
}

// parseCustomerKey reads an SSE-C key from its headers (nil, nil when none
// of them is present). Its errors never carry the key.
func parseCustomerKey(h ssecHeaders, prefix string) (*customerKey, error) {
	if !h.hasAlgorithm && !h.hasKey && !h.hasKeyMD5 {
		return nil, nil
	}
	if !h.hasAlgorithm || h.algorithm == "" {
		return nil, s3err.InvalidArgument.With(msgSSECNoAlgorithm).ForArgumentName(prefix + "algorithm")
	}
	if h.algorithm != "AES256" {
		return nil, s3err.InvalidEncryptionAlgorithmError.ForArgument(prefix+"algorithm", h.algorithm)
	}
	if !h.hasKey || h.key == "" {
		return nil, s3err.InvalidArgument.With(msgSSECNoKey).ForArgumentName(prefix + "key")
	}
	if !h.hasKeyMD5 || h.keyMD5 == "" {
		return nil, s3err.InvalidArgument.With(msgSSECNoKeyMD5).ForArgumentName(prefix + "key-MD5")
	}
	k := new(customerKey)
	if !decodeKey(k.key[:], h.key) {
		return nil, s3err.InvalidArgument.With(msgSSECBadKey).ForArgumentName(prefix + "key")
	}
	sum := md5.Sum(k.key[:])
	sent, err := base64.StdEncoding.DecodeString(h.keyMD5)
	if err != nil || subtle.ConstantTimeCompare(sent, sum[:]) != 1 {
		k.zero()
		return nil, s3err.InvalidArgument.With(msgSSECKeyMD5).ForArgumentName(prefix + "key-MD5")
	}
	k.md5 = base64.StdEncoding.EncodeToString(sum[:])
	return k, nil
}

// decodeKey decodes a base64 256-bit key into dst, reporting whether it is
// one; the scratch copy is zeroed.
func decodeKey(dst []byte, encoded string) bool {
	if len(encoded) != base64.StdEncoding.EncodedLen(sse.KeySize) {
		return false
	}
	var buf [sse.KeySize + 2]byte
	defer clear(buf[:])
	n, err := base64.StdEncoding.Decode(buf[:], []byte(encoded))
	if err != nil || n != sse.KeySize {
		return false
	}
	copy(dst, buf[:n])
	return true
}
