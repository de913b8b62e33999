package s3api

import (
	"crypto/tls"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

const (
	// lingerLimit and lingerTimeout bound what a connection closed with
	// a request body unread reads away after its response: enough for a
	// client that sends its whole body before reading the answer (boto3,
	// the AWS CLI) to finish a single PUT or a part of the usual sizes,
	// never an unbounded body.
	lingerLimit   = 32 << 20
	lingerTimeout = 10 * time.Second
)

// Listener wraps a TCP listener (before any TLS layer) so that a
// connection the API closes while its request body may still be arriving
// closes gracefully: after the response it half-closes and reads away a
// bounded amount of what the client still sends, then closes. Closing a
// socket with unread data sends a TCP reset, and a reset arriving while
// the client is still writing its body destroys the response in flight:
// the client sees a broken pipe or, over TLS, an "EOF occurred in
// violation of protocol" instead of the S3 error (RFC 9112 section 9.6
// describes this staged close). Hand-written because fasthttp closes
// connections itself and offers no lingering close.
func Listener(ln net.Listener) net.Listener { return lingerListener{ln} }

type lingerListener struct{ net.Listener }

func (l lingerListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tcp, ok := c.(*net.TCPConn)
	if !ok {
		return c, nil
	}
	return &lingerConn{TCPConn: tcp}, nil
}

// lingerConn is a TCP connection whose Close lingers once the handler has
// asked for it (closeAfterResponse). It embeds *net.TCPConn so that ReadFrom
// (sendfile) and the rest keep working.
type lingerConn struct {
	*net.TCPConn
	linger atomic.Bool
}

func (c *lingerConn) Close() error {
	if !c.linger.Load() {
		return c.TCPConn.Close()
	}
	// The response (and a TLS close_notify) has been written: the FIN
	// follows it, and the client's remaining body is read and dropped
	// until it closes its side, the limit or the deadline.
	_ = c.TCPConn.CloseWrite()
	_ = c.TCPConn.SetReadDeadline(time.Now().Add(lingerTimeout))
	_, _ = io.CopyN(io.Discard, c.TCPConn, lingerLimit)
	return c.TCPConn.Close()
}

// closeAfterResponse ends the connection after this response, gracefully
// when it was accepted through Listener: the client may still be sending
// a body nobody will read.
func closeAfterResponse(c *fiber.Ctx) {
	c.Response().SetConnectionClose()
	conn := c.Context().Conn()
	if t, ok := conn.(*tls.Conn); ok {
		conn = t.NetConn()
	}
	if l, ok := conn.(*lingerConn); ok {
		l.linger.Store(true)
	}
}
