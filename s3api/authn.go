package s3api

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/terngate/terngate/auth"
	"github.com/terngate/terngate/s3api/s3err"
)

// streamingPrefix starts every aws-chunked payload mode.
const streamingPrefix = "STREAMING-"

// authenticate verifies the request's signature. Anonymous requests are
// refused: the gateway has no public buckets.
func (s *server) authenticate(r *request) error {
	areq := signedRequest(r)
	if auth.IsAnonymous(areq) {
		return s3err.AccessDenied
	}
	res, err := s.verifier.Verify(areq)
	if err != nil {
		return fmt.Errorf("verifying signature: %w", err)
	}
	r.identity = res
	return nil
}

// signedRequest collects what SigV4 covers, exactly as received.
func signedRequest(r *request) *auth.Request {
	req := r.c.Request()
	h := make(http.Header)
	req.Header.VisitAll(func(k, v []byte) {
		h.Add(string(k), string(v))
	})
	return &auth.Request{
		Method:   string(req.Header.Method()),
		Host:     string(req.Header.Host()),
		RawPath:  r.rawPath,
		RawQuery: string(req.URI().QueryString()),
		Header:   h,
	}
}

// payload returns the request body decoded and verified according to the
// signed payload mode. This is the seam where aws-chunked decoding goes:
// today only a literal SHA-256 (checked as the body is read) and
// UNSIGNED-PAYLOAD are supported.
func (s *server) payload(r *request) (io.Reader, error) {
	mode := r.identity.PayloadHash
	switch {
	case isHexSHA256(mode):
		return auth.NewPayloadVerifier(r.body, mode), nil
	case mode == auth.UnsignedPayload:
		return r.body, nil
	case strings.HasPrefix(mode, streamingPrefix):
		return nil, s3err.NotImplemented.With("x-amz-content-sha256 %s (aws-chunked bodies) is not implemented.", mode)
	default:
		return nil, s3err.InvalidArgument.With("Unsupported x-amz-content-sha256 value %q.", mode)
	}
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
