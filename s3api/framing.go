package s3api

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/terngate/terngate/s3err"
)

// errAmbiguousLength answers a request head whose body length can be read
// two ways: Content-Length headers that disagree, or Content-Length next to
// Transfer-Encoding (RFC 9112 section 6.3: the request-smuggling class of
// framing). fasthttp silently picks one reading, so the raw head is checked
// here. S3 documents that a request with Transfer-Encoding "must omit the
// Content-Length header" (docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html);
// botocore stopped sending both for that reason (boto/botocore PR #3360).
var errAmbiguousLength = s3err.InvalidRequest.With("The request gives its body length more than once, in Content-Length headers that differ or in Content-Length and Transfer-Encoding.")

// errTransferEncoding is S3's answer to a transfer coding it does not
// implement; the Header element names it (AWS's reply recorded in
// JuliaWeb/HTTP.jl issue #98).
var errTransferEncoding = s3err.NotImplemented.WithFields("Header", "Transfer-Encoding")

// checkFraming refuses a request head whose body framing is ambiguous or
// uses a transfer coding other than chunked. The connection must then be
// closed: where the body ends is unknown.
func checkFraming(h *fasthttp.RequestHeader) error {
	var lengths, codings []string
	for line := range bytes.SplitSeq(h.RawHeaders(), []byte("\n")) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		switch name = bytes.TrimSpace(name); {
		case lowersTo(name, "content-length"):
			for _, v := range strings.Split(string(value), ",") {
				lengths = append(lengths, strings.TrimSpace(v))
			}
		case lowersTo(name, "transfer-encoding"):
			for _, v := range strings.Split(string(value), ",") {
				// identity means no coding (S3's streaming guide and
				// fasthttp both treat it so).
				if v = strings.ToLower(strings.TrimSpace(v)); v != "identity" {
					codings = append(codings, v)
				}
			}
		}
	}
	for _, l := range lengths[min(1, len(lengths)):] {
		if l != lengths[0] {
			return errAmbiguousLength
		}
	}
	if len(codings) == 0 {
		return nil
	}
	if len(lengths) > 0 {
		return errAmbiguousLength
	}
	if len(codings) != 1 || codings[0] != "chunked" {
		return errTransferEncoding
	}
	return nil
}

// lowersTo reports whether strings.ToLower(string(name)) == lower, without
// the copy for the ASCII names every request has (checkFraming reads each
// header line of every request).
func lowersTo(name []byte, lower string) bool {
	for _, c := range name {
		if c >= utf8.RuneSelf {
			// unicode.ToLower maps a few runes outside ASCII into it.
			return strings.ToLower(string(name)) == lower
		}
	}
	return len(name) == len(lower) && bytes.EqualFold(name, []byte(lower))
}

// errUnparsableRequest answers a request head fasthttp could not parse.
var errUnparsableRequest = s3err.InvalidRequest.With("The request could not be parsed as HTTP/1.1.")

// serverError renders the errors fasthttp meets before any handler runs
// (a head it cannot parse, a stalled read) as S3 error documents, instead
// of fiber's default plain-text answer, which echoes the request head and
// its Authorization header back.
func (s *server) serverError(c *fiber.Ctx, err error) error {
	r := newRequest(c)
	var fe *fiber.Error
	code := http.StatusBadRequest
	if errors.As(err, &fe) {
		code = fe.Code
	}
	var answer *s3err.Error
	switch code {
	case fiber.StatusRequestTimeout:
		answer = s3err.RequestTimeout
	case fiber.StatusRequestEntityTooLarge:
		answer = s3err.EntityTooLarge
	case fiber.StatusRequestHeaderFieldsTooLarge:
		answer = s3err.RequestHeaderSectionTooLarge
	default:
		answer = errUnparsableRequest
	}
	c.Set("x-amz-request-id", r.id)
	c.Set("x-amz-id-2", r.hostID)
	s.writeError(r, answer)
	closeAfterResponse(c)
	return nil
}
