package auth

// The canonicalizer is hand-written on purpose: the AWS SDKs only sign, they
// build the canonical request from the headers they chose. A server has to
// rebuild it from what arrived on the wire, following the client-chosen
// SignedHeaders list and S3's own URI rules (no double encoding, no path
// normalisation), which no SDK exposes.

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/terngate/terngate/s3err"
)

// canonicalURI decodes the raw path and re-encodes it the S3 way. S3 neither
// double-encodes nor resolves "." / ".." / "//" segments, so a key such as
// "a//../b" is signed as sent.
func canonicalURI(rawPath string) (string, error) {
	if rawPath == "" {
		return "/", nil
	}
	decoded, err := percentDecode(rawPath, false)
	if err != nil {
		return "", fmt.Errorf("request path: %w", s3err.InvalidURI)
	}
	var b strings.Builder
	b.Grow(len(decoded) + len(decoded)/2)
	writeEscaped(&b, decoded, true)
	return b.String(), nil
}

// canonicalURIKeepingSlashes is the other reading of a path holding "%2F":
// clients that percent-encode '/' inside a key (and sign the path exactly as
// they send it) keep "%2F" in their canonical URI. Both readings decode to
// the same key, so accepting either lets those clients in without widening
// what a signature can mean.
func canonicalURIKeepingSlashes(rawPath string) (string, bool, error) {
	if !strings.Contains(rawPath, "%2F") && !strings.Contains(rawPath, "%2f") {
		return "", false, nil
	}
	var b strings.Builder
	for i, seg := range strings.Split(rawPath, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		decoded, err := percentDecode(seg, false)
		if err != nil {
			return "", false, fmt.Errorf("request path: %w", s3err.InvalidURI)
		}
		writeEscaped(&b, decoded, false)
	}
	return b.String(), true, nil
}

// queryParam is one decoded name/value pair of a query string.
type queryParam struct {
	name, value string
}

// parseQuery splits a raw query string into decoded pairs, keeping every
// occurrence and its order.
func parseQuery(rawQuery string) ([]queryParam, error) {
	var params []queryParam
	for part := range strings.SplitSeq(rawQuery, "&") {
		if part == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(part, "=")
		name, err := percentDecode(rawName, true)
		if err != nil {
			return nil, fmt.Errorf("query parameter name: %w", s3err.InvalidURI)
		}
		value, err := percentDecode(rawValue, true)
		if err != nil {
			return nil, fmt.Errorf("query parameter %q: %w", name, s3err.InvalidURI)
		}
		params = append(params, queryParam{name: name, value: value})
	}
	return params, nil
}

// canonicalQuery re-encodes every parameter (also '/'), sorts by encoded
// name then encoded value and joins them; skip names a parameter that is not
// part of the signed string (X-Amz-Signature of a presigned URL).
func canonicalQuery(params []queryParam, skip string) string {
	encoded := make([]queryParam, 0, len(params))
	for _, p := range params {
		if skip != "" && p.name == skip {
			continue
		}
		var n, v strings.Builder
		writeEscaped(&n, p.name, false)
		writeEscaped(&v, p.value, false)
		encoded = append(encoded, queryParam{name: n.String(), value: v.String()})
	}
	sort.Slice(encoded, func(i, j int) bool {
		if encoded[i].name != encoded[j].name {
			return encoded[i].name < encoded[j].name
		}
		return encoded[i].value < encoded[j].value
	})
	var b strings.Builder
	for i, p := range encoded {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// trimAll trims a header value and collapses inner runs of spaces, as the
// SigV4 "Trimall" step asks.
func trimAll(v string) string {
	v = strings.Trim(v, " \t")
	if !strings.Contains(v, "  ") {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	prevSpace := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if prevSpace {
				continue
			}
			prevSpace = true
		} else {
			prevSpace = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

// writeCanonicalHeaders writes "name:value\n" for each signed header, in
// the order the client listed them. The host comes from Request.Host
// because HTTP servers lift it out of the header map.
func writeCanonicalHeaders(b *strings.Builder, r *Request, signed []string) {
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		if name == "host" {
			b.WriteString(trimAll(r.Host))
		} else {
			for i, v := range r.Header.Values(name) {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(trimAll(v))
			}
		}
		b.WriteByte('\n')
	}
}

// parseSignedHeaders splits "a;b;c" and checks what S3 insists on: names are
// present and host is among them.
func parseSignedHeaders(list string) ([]string, bool) {
	if list == "" {
		return nil, false
	}
	names := strings.Split(list, ";")
	hasHost := false
	for i, n := range names {
		if n == "" {
			return nil, false
		}
		n = strings.ToLower(n)
		names[i] = n
		if n == "host" {
			hasHost = true
		}
	}
	return names, hasHost
}

// unsignedAmzHeaders lists, sorted and lower-cased, the x-amz-* headers
// present in the request but missing from the signed list; S3 refuses such
// requests because those headers change what the request does.
//
// It runs on every signed request, so names are compared as sent rather
// than lower-cased copies: only a missing header's name is copied.
func unsignedAmzHeaders(h http.Header, signed []string) []string {
	var missing []string
	for name := range h {
		if hasAmzPrefix(name) && !containsLowered(signed, name) {
			missing = append(missing, strings.ToLower(name))
		}
	}
	sort.Strings(missing)
	return missing
}

// hasAmzPrefix reports whether strings.ToLower(name) starts with "x-amz-".
// No rune outside ASCII lower-cases to one of its letters, so the first
// six bytes decide.
func hasAmzPrefix(name string) bool {
	const prefix = "x-amz-"
	if len(name) < len(prefix) {
		return false
	}
	for i := range len(prefix) {
		if lowerASCII(name[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// containsLowered reports whether list holds strings.ToLower(name).
func containsLowered(list []string, name string) bool {
	for i := range len(name) {
		if name[i] >= utf8.RuneSelf {
			return containsString(list, strings.ToLower(name))
		}
	}
	for _, v := range list {
		if len(v) == len(name) && equalsLoweredASCII(v, name) {
			return true
		}
	}
	return false
}

// equalsLoweredASCII reports whether lower is the ASCII string name
// lower-cased; both have the same length.
func equalsLoweredASCII(lower, name string) bool {
	for i := range len(name) {
		if lower[i] != lowerASCII(name[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// canonicalRequest assembles the string whose hash is signed, in one
// buffer sized for a typical request so that it is allocated once.
func canonicalRequest(r *Request, uri, query string, signed []string, payloadHash string) string {
	var b strings.Builder
	b.Grow(len(r.Method) + len(uri) + len(query) + len(payloadHash) + len(signed)*canonicalHeaderEstimate + 8)
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(uri)
	b.WriteByte('\n')
	b.WriteString(query)
	b.WriteByte('\n')
	writeCanonicalHeaders(&b, r, signed)
	b.WriteByte('\n')
	for i, name := range signed {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(name)
	}
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalHeaderEstimate is the room a signed header takes in the
// canonical request, name (twice) and value: x-amz-content-sha256 with a
// hex digest is the usual longest.
const canonicalHeaderEstimate = 120
