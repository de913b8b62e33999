package s3api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/terngate/terngate/s3err"
)

// connBody is the request body as it arrives on the connection.
//
// fasthttp sets the connection's read deadline once, before the request
// head; a streamed body is read later by the handler, so every read here
// pushes the deadline forward: the timeout bounds a stall, not the upload.
// A stall, or a body arriving slower than the minimum rate, is S3's
// RequestTimeout; any other read error (client gone, broken chunking)
// IncompleteBody, so a truncated upload can never pass for a short object.
type connBody struct {
	rc     *fasthttp.RequestCtx
	stream io.Reader
	read   int64
	eof    bool
	failed bool
	rate   bodyRate
}

// bodyRate cuts off a body that trickles in: over each window of time
// spent waiting for the client (time the handler spends storing bytes does
// not count), at least min bytes per second must arrive.
type bodyRate struct {
	min    int64 // bytes per second; 0 disables the check
	window time.Duration
	waited time.Duration // spent in reads during the current window
	got    int64         // bytes read during the current window
}

// account adds one read and fails once a full window is below the rate.
func (r *bodyRate) account(n int, waited time.Duration) error {
	if r.min <= 0 {
		return nil
	}
	r.got += int64(n)
	r.waited += waited
	if r.waited < r.window {
		return nil
	}
	if float64(r.got) < float64(r.min)*r.waited.Seconds() {
		return s3err.RequestTimeout
	}
	r.got, r.waited = 0, 0
	return nil
}

// deadline is how long one read may wait for the client.
func (r *bodyRate) deadline() time.Duration {
	if r.min > 0 && r.window < readTimeout {
		return r.window
	}
	return readTimeout
}

// limitRate sets the minimum rate (bytes per second over window; 0
// disables it).
func (b *connBody) limitRate(min int64, window time.Duration) {
	if min > 0 && window > 0 {
		b.rate = bodyRate{min: min, window: window}
	}
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
	if b.failed {
		return 0, s3err.IncompleteBody
	}
	start := time.Now()
	if conn := b.rc.Conn(); conn != nil {
		_ = conn.SetReadDeadline(start.Add(b.rate.deadline()))
	}
	n, err := b.stream.Read(p)
	b.read += int64(n)
	if slow := b.rate.account(n, time.Since(start)); slow != nil && err == nil {
		err = slow
	}
	var netErr net.Error
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		b.eof = true
	case errors.Is(err, s3err.RequestTimeout):
		b.failed = true
	case errors.As(err, &netErr) && netErr.Timeout():
		b.failed = true
		err = fmt.Errorf("%w (reading the request body: %v)", s3err.RequestTimeout, err)
	default:
		b.failed = true
		err = fmt.Errorf("%w (reading the request body: %v)", s3err.IncompleteBody, err)
	}
	return n, err
}

// identityLength is fasthttp's Content-Length for a GET or HEAD that
// declares neither a length nor a transfer coding.
const identityLength = -2

// drain reads and discards what the handler left unread if that is at most
// limit bytes, and reports whether the body is now fully consumed. An
// unconsumed body would be parsed as the next request on a keep-alive
// connection, so the caller closes the connection when drain fails. A
// larger remainder is not read here (closeAfterResponse bounds what is
// read away then). No client is withholding a body at this point: an
// Expect: 100-continue request refused before its 100 has had its framing
// erased by the screen.
func (b *connBody) drain(limit int64) bool {
	if b.eof {
		return true
	}
	if b.failed {
		return false
	}
	declared := int64(b.rc.Request.Header.ContentLength())
	if declared == identityLength {
		// A request without Content-Length or Transfer-Encoding has no
		// body (RFC 9112 §6.3); fasthttp reports it as -2 for GET and
		// HEAD and reads none, so there is nothing to drain.
		declared = 0
	}
	if declared >= 0 && declared-b.read > limit {
		return false
	}
	// A chunked body's length is unknown until its end: read at most
	// limit of it.
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
	// A body that ended early is incomplete even when the digest check
	// below this reader, which saw the end first, calls it a mismatch. S3
	// names both counts.
	ended := errors.Is(err, io.EOF) || errors.Is(err, s3err.XAmzContentSHA256Mismatch)
	if ended && s.size >= 0 && s.read < s.size {
		return n, s3err.IncompleteBody.WithFields(
			"NumberBytesExpected", strconv.FormatInt(s.size, 10),
			"NumberBytesProvided", strconv.FormatInt(s.read, 10))
	}
	return n, err
}
