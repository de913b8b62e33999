package checksum

import (
	"net/http"
	"strings"
)

// Request headers that name checksum algorithms.
const (
	headerSDKAlgorithm = "X-Amz-Sdk-Checksum-Algorithm"
	headerTrailer      = "X-Amz-Trailer"
)

// notChecksumValues are x-amz-checksum-* headers that carry no checksum
// value, so FromHeaders must not count or reject them.
var notChecksumValues = [...]string{
	"x-amz-checksum-algorithm", // CreateMultipartUpload
	"x-amz-checksum-type",      // CreateMultipartUpload, CompleteMultipartUpload
	"x-amz-checksum-mode",      // GetObject, HeadObject
}

// Spec is the checksum a request asks the server to verify.
type Spec struct {
	// Algorithm is the client's algorithm, or "" when it sent none (the
	// verifier then computes Default without checking anything).
	Algorithm Algorithm
	// Value is the base64 checksum from the x-amz-checksum-<alg> header,
	// already validated; "" when there is none or it comes as a trailer.
	Value string
	// Trailer reports that the value will arrive as the aws-chunked trailer
	// HeaderName(Algorithm), promised in x-amz-trailer.
	Trailer bool
}

// IsZero reports whether the request carried no checksum.
func (s Spec) IsZero() bool { return s.Algorithm == "" }

// TrailerName is the trailer the aws-chunked decoder must expect, or "".
func (s Spec) TrailerName() string {
	if !s.Trailer {
		return ""
	}
	return HeaderName(s.Algorithm)
}

// FromHeaders reads the checksum a PUT or UploadPart request carries: at
// most one x-amz-checksum-<alg> header or one checksum named in
// x-amz-trailer, consistent with x-amz-sdk-checksum-algorithm if present.
// Errors are *s3err.Error with AWS's codes and messages.
func FromHeaders(h http.Header) (Spec, error) {
	spec, err := headerChecksum(h)
	if err != nil {
		return Spec{}, err
	}

	trailer, err := trailerAlgorithm(h)
	if err != nil {
		return Spec{}, err
	}
	if trailer != "" {
		if !spec.IsZero() {
			return Spec{}, errHeaderAndTrailer()
		}
		spec = Spec{Algorithm: trailer, Trailer: true}
	}

	if sdk := strings.TrimSpace(headerValue(h, headerSDKAlgorithm)); sdk != "" {
		if spec.IsZero() {
			return Spec{}, errSDKAlgorithmWithoutValue()
		}
		if !strings.EqualFold(sdk, string(spec.Algorithm)) {
			return Spec{}, errInvalidSDKAlgorithm()
		}
	}
	return spec, nil
}

// headerChecksum finds the single x-amz-checksum-<alg> header and validates
// its value. Unknown names, then cardinality, then the value are checked, as
// S3 does, so the error does not depend on header order.
func headerChecksum(h http.Header) (Spec, error) {
	var (
		alg      Algorithm
		values   []string
		multiple bool
	)
	for name, vs := range h {
		if !hasPrefixFold(name, "x-amz-checksum-") || isNotChecksumValue(name) {
			continue
		}
		a, ok := algorithmForHeader(name)
		if !ok {
			return Spec{}, errUnknownChecksumHeader()
		}
		if alg != "" && alg != a {
			multiple = true
		}
		// The same header twice (possibly under two spellings) is one
		// invalid value, not two checksums.
		alg, values = a, append(values, vs...)
	}
	if multiple {
		return Spec{}, errMultipleChecksumHeaders()
	}
	if alg == "" {
		return Spec{}, nil
	}
	if len(values) != 1 {
		return Spec{}, errInvalidHeaderValue(alg)
	}
	if _, err := Decode(alg, values[0]); err != nil {
		return Spec{}, errInvalidHeaderValue(alg)
	}
	return Spec{Algorithm: alg, Value: strings.TrimSpace(values[0])}, nil
}

// trailerAlgorithm returns the checksum promised in x-amz-trailer, if any.
// S3 accepts only checksum trailers there, and at most one.
func trailerAlgorithm(h http.Header) (Algorithm, error) {
	var found Algorithm
	for _, value := range headerValues(h, headerTrailer) {
		for _, name := range strings.Split(value, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			a, ok := algorithmForHeader(name)
			if !ok {
				return "", errUnsupportedTrailer()
			}
			if found != "" {
				return "", errMultipleChecksumHeaders()
			}
			found = a
		}
	}
	return found, nil
}

func isNotChecksumValue(name string) bool {
	for _, n := range notChecksumValues {
		if strings.EqualFold(name, n) {
			return true
		}
	}
	return false
}

func hasPrefixFold(s, prefix string) bool {
	_, ok := cutPrefixFold(s, prefix)
	return ok
}

// headerValues looks a header up case-insensitively: callers may build
// http.Header from another server library without canonical keys.
func headerValues(h http.Header, name string) []string {
	if v, ok := h[name]; ok {
		return v
	}
	var all []string
	for k, v := range h {
		if strings.EqualFold(k, name) {
			all = append(all, v...)
		}
	}
	return all
}

func headerValue(h http.Header, name string) string {
	if v := headerValues(h, name); len(v) > 0 {
		return v[0]
	}
	return ""
}
