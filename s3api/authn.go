package s3api

import (
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/terngate/terngate/auth"
	"github.com/terngate/terngate/s3err"
)

// streamingPrefix starts every aws-chunked payload mode.
const streamingPrefix = "STREAMING-"

// authenticate verifies the request's signature (SigV4, or SigV2 unless
// Config.DisableSigV2) and resolves the user it acts as: both signature
// versions prove the same access key, so the same user, anonymous rules and
// policies apply. A request without any credentials goes on as anonymous:
// only a bucket policy granting "*" lets it do anything (see authorize).
func (s *server) authenticate(r *request) error {
	areq := signedRequest(r, s.cfg.Domain)
	scheme, err := auth.DetectScheme(areq)
	if err != nil {
		return fmt.Errorf("detecting the signature version: %w", err)
	}
	var res auth.Result
	switch scheme {
	case auth.Anonymous:
		return nil
	case auth.SigV2:
		if s.cfg.DisableSigV2 {
			return auth.ErrSigV2Disabled
		}
		res, err = s.verifier.VerifyV2(areq)
	default:
		res, err = s.verifier.Verify(areq)
	}
	if err != nil {
		return fmt.Errorf("verifying signature: %w", err)
	}
	r.identity = res
	r.principal = res.AccessKey
	if s.cfg.Users != nil {
		name, ok := s.cfg.Users.User(res.AccessKey)
		if !ok {
			// The key was removed between Verify and here (a reload).
			return s3err.InvalidAccessKeyIDFor(res.AccessKey)
		}
		r.principal = name
	}
	return nil
}

// signedRequest collects what a signature covers, exactly as received.
func signedRequest(r *request, domain string) *auth.Request {
	req := r.c.Request()
	host := string(req.Header.Host())
	vhostBucket, _ := virtualHostBucket(host, domain)
	return &auth.Request{
		Method:            string(req.Header.Method()),
		Host:              host,
		RawPath:           r.rawPath,
		RawQuery:          string(req.URI().QueryString()),
		Header:            requestHeaders(r),
		VirtualHostBucket: vhostBucket,
	}
}

// requestHeaders returns the request headers as an http.Header, copied
// once per request: authentication and the checksum headers of a PUT both
// read them. Callers must not modify it.
//
// Every name and value is cut from one string and every first value from
// one slice: three allocations and the map's, where adding them one by one
// made three per header, on every signed request.
func requestHeaders(r *request) http.Header {
	if r.headers != nil {
		return r.headers
	}
	rh := &r.c.Request().Header
	size := 0
	rh.VisitAll(func(k, v []byte) { size += len(k) + len(v) })
	var all strings.Builder
	all.Grow(size)
	rh.VisitAll(func(k, v []byte) {
		all.Write(k)
		all.Write(v)
	})
	text := all.String()
	h := make(http.Header, rh.Len())
	firsts := make([]string, 0, rh.Len())
	rh.VisitAll(func(k, v []byte) {
		name := textproto.CanonicalMIMEHeaderKey(text[:len(k)])
		value := text[len(k) : len(k)+len(v)]
		text = text[len(k)+len(v):]
		if values, ok := h[name]; ok {
			h[name] = append(values, value)
			return
		}
		// Capped at one, so a repeated header appends to a copy.
		firsts = append(firsts, value)
		h[name] = firsts[len(firsts)-1 : len(firsts) : len(firsts)]
	})
	r.headers = h
	return h
}

// payloadMode is the x-amz-content-sha256 mode the body is sent in: the
// signed value, or for an anonymous request the header as sent (a hex
// digest is still checked) defaulting to UNSIGNED-PAYLOAD.
func payloadMode(r *request) (string, error) {
	if !r.anonymous() {
		return r.identity.PayloadHash, nil
	}
	mode := strings.TrimSpace(r.header("X-Amz-Content-Sha256"))
	switch {
	case mode == "":
		return auth.UnsignedPayload, nil
	case isHexSHA256(strings.ToLower(mode)):
		return strings.ToLower(mode), nil
	case mode == auth.UnsignedPayload, mode == auth.StreamingUnsignedPayloadTrailer:
		return mode, nil
	}
	// Signed chunks need a signature to chain from.
	return "", s3err.AccessDenied.With("Anonymous requests cannot send %s.", mode)
}

// payload returns a request body (an XML document, or a PUT body without
// its checksum handling, see openUpload) decoded and verified according to
// its payload mode: a literal SHA-256 is checked as the body is read, and
// aws-chunked bodies are decoded with every chunk signature checked.
func (s *server) payload(r *request) (io.Reader, error) {
	mode, err := payloadMode(r)
	if err != nil {
		return nil, err
	}
	switch {
	case isHexSHA256(mode):
		return auth.NewPayloadVerifier(r.body, mode), nil
	case mode == auth.UnsignedPayload:
		return r.body, nil
	case strings.HasPrefix(mode, streamingPrefix):
		n, err := decodedLength(r, s.cfg.MaxPutSize)
		if err != nil {
			return nil, err
		}
		return auth.NewChunkedReader(r.body, r.identity, mode, auth.WithDecodedLength(n),
			auth.WithTrailer(r.header("X-Amz-Trailer"))), nil
	default:
		return nil, s3err.InvalidArgument.With("Unsupported x-amz-content-sha256 value %q.", mode)
	}
}

// decodedLength reads x-amz-decoded-content-length, the object's length
// inside an aws-chunked body: the size limit applies to it, not to the
// encoded length (which a Transfer-Encoding: chunked request lacks).
func decodedLength(r *request, max int64) (int64, error) {
	v := strings.TrimSpace(r.header("X-Amz-Decoded-Content-Length"))
	if v == "" {
		// S3's answer names Content-Length even here.
		return 0, s3err.MissingContentLength
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, s3err.InvalidArgument.With("Invalid x-amz-decoded-content-length.")
	}
	if n > max {
		return 0, s3err.EntityTooLargeFor(n, max)
	}
	return n, nil
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
