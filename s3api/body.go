package s3api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/terngate/terngate/s3err"
)

// connBody is the request body as it arrives on the connection.
//
// fasthttp sets the connection's read deadline once, before the request
// head; a streamed body is read later by the handler, so every read here
// pushes the deadline forward: the timeout bounds a stall, not the upload.
// A read error (client gone, timeout, broken chunking) becomes
// IncompleteBody, so a truncated upload can never pass for a short object.
type connBody struct {
	rc     *fasthttp.RequestCtx
	stream io.Reader
	read   int64
	eof    bool
	failed bool
}

func newConnBody(rc *fasthttp.RequestCtx) *connBody {
	stream := rc.RequestBodyStream()
	if stream == nil {
		// Not streamed (the body was small enough to arrive with the head).
		stream = bytes.NewReader(rc.Request.Body())
	}
	return &connBody{rc: rc, stream: stream}
}

func (b *connBody) Read(p []byte) (int, error) {
	if b.eof {
		return 0, io.EOF
	}
	if conn := b.rc.Conn(); conn != nil {
		_ = conn.SetReadDeadline(time.Now().Add(readTimeout))
	}
	n, err := b.stream.Read(p)
	b.read += int64(n)
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		b.eof = true
	default:
		b.failed = true
		err = fmt.Errorf("%w (reading the request body: %v)", s3err.IncompleteBody, err)
	}
	return n, err
}

// drain reads and discards what the handler left unread if that is at most
// limit bytes, and reports whether the body is now fully consumed. An
// unconsumed body would be parsed as the next request on a keep-alive
// connection, so the caller closes the connection when drain fails. A
// larger or chunked remainder is not waited for: the client may be
// withholding it until it sees the response.
func (b *connBody) drain(limit int64) bool {
	if b.eof {
		return true
	}
	if b.failed {
		return false
	}
	declared := int64(b.rc.Request.Header.ContentLength())
	if declared < 0 || declared-b.read > limit {
		return false
	}
	_, err := io.CopyN(io.Discard, b, limit)
	return b.eof && (err == nil || errors.Is(err, io.EOF))
}

// sizedBody enforces the declared length of a body: ending early is
// IncompleteBody; when the length is unknown (size < 0), passing max bytes is
// EntityTooLarge.
type sizedBody struct {
	r    io.Reader
	size int64
	max  int64
	read int64
}

func newSizedBody(r io.Reader, size, max int64) *sizedBody {
	return &sizedBody{r: r, size: size, max: max}
}

func (s *sizedBody) Read(p []byte) (int, error) {
	if s.size >= 0 {
		if s.read >= s.size {
			return 0, io.EOF
		}
		if left := s.size - s.read; int64(len(p)) > left {
			p = p[:left]
		}
	}
	n, err := s.r.Read(p)
	s.read += int64(n)
	if s.size < 0 && s.read > s.max {
		return n, s3err.EntityTooLarge
	}
	if errors.Is(err, io.EOF) && s.size >= 0 && s.read < s.size {
		return n, s3err.IncompleteBody
	}
	return n, err
}
