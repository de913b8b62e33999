package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

const (
	algorithmHMAC = "AWS4-HMAC-SHA256"
	serviceS3     = "s3"
	scopeTerminal = "aws4_request"

	iso8601Basic = "20060102T150405Z"
	scopeDate    = "20060102"

	// emptySHA256 is the hex SHA-256 of no bytes; chunk signatures use it in
	// place of a header hash.
	emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// deriveSigningKey chains the secret through date, region, service and the
// terminator, as SigV4 defines.
func deriveSigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, scopeTerminal)
}

// stringToSign is the request-level string: algorithm, timestamp, scope and
// the hash of the canonical request.
func stringToSign(t time.Time, scope, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	var stamp [len(iso8601Basic)]byte
	var digest [2 * sha256.Size]byte
	hex.Encode(digest[:], sum[:])
	var b strings.Builder
	b.Grow(len(algorithmHMAC) + len(stamp) + len(scope) + len(digest) + 3)
	b.WriteString(algorithmHMAC)
	b.WriteByte('\n')
	b.Write(t.UTC().AppendFormat(stamp[:0], iso8601Basic))
	b.WriteByte('\n')
	b.WriteString(scope)
	b.WriteByte('\n')
	b.Write(digest[:])
	return b.String()
}

// signatureMatches compares hex signatures in constant time so that timing
// does not reveal how much of a forged signature was right.
func signatureMatches(computed []byte, provided string) bool {
	want := make([]byte, hex.EncodedLen(len(computed)))
	hex.Encode(want, computed)
	return hmac.Equal(want, []byte(provided))
}
