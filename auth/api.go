// Package auth verifies AWS Signature Version 4 requests and, for legacy
// clients and presigned URLs, Signature Version 2 (see sigv2.go).
package auth

import (
	"net/http"
	"time"
)

// Request is the part of an HTTP request that SigV4 signs, as received.
type Request struct {
	Method string
	// Host is the Host header value as sent.
	Host string
	// RawPath is the request path exactly as sent, still percent-encoded.
	RawPath string
	// RawQuery is the query string exactly as sent, without '?'.
	RawQuery string
	// Header holds every request header (canonical keys, all values),
	// including Content-Length when the client sent it: clients sign it.
	Header http.Header
	// VirtualHostBucket is the bucket the Host header names under
	// virtual-host addressing, empty for path-style: SigV2 signs it as
	// the start of its CanonicalizedResource.
	VirtualHostBucket string
}

// Credentials resolves an access key to its secret.
type Credentials interface {
	Secret(accessKey string) (secret string, ok bool)
}

// Result is what a verified request proved.
type Result struct {
	AccessKey string
	// PayloadHash is the x-amz-content-sha256 value the signature covers:
	// lower-case hex of the body's SHA-256 (the caller must check the body
	// against it), UNSIGNED-PAYLOAD, or a STREAMING-* mode.
	PayloadHash string
	// SigningKey, Scope and Signature and Date seed the verification of
	// aws-chunked chunk signatures.
	SigningKey []byte
	Scope      string
	Signature  string
	Date       time.Time
}
