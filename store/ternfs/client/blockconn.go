package client

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// maxPipelined is how many requests one block-service connection carries
// before the pool prefers another (upstream pipelines up to 128).
const maxPipelined = 128

// errConnBroken fails calls queued on a connection that died; they were
// never answered, so they may be retried on a fresh connection.
var errConnBroken = errors.New("ternfs: block service connection broken")

// blockCall is one request on a block-service connection.
type blockCall struct {
	// readResponse consumes exactly this call's response from the stream.
	readResponse func(r *bufio.Reader) error
	done         chan error // buffered: the reader never blocks on it
}

// blockConn pipelines requests on one TCP connection. Block services carry
// no request ids and answer in request order, so writers enqueue their
// call and write their bytes under one lock, and a single reader hands each
// response to the oldest waiting call.
type blockConn struct {
	conn     net.Conn
	inflight atomic.Int32

	writeMu sync.Mutex
	pending chan *blockCall
	dead    chan struct{} // closed once the connection is unusable
	err     error         // why, set before dead is closed
	once    sync.Once
}

func newBlockConn(conn net.Conn) *blockConn {
	c := &blockConn{
		conn:    conn,
		pending: make(chan *blockCall, maxPipelined),
		dead:    make(chan struct{}),
	}
	go c.readLoop()
	return c
}

func (c *blockConn) broken() bool {
	select {
	case <-c.dead:
		return true
	default:
		return false
	}
}

// fail closes the connection; queued and future calls get err.
func (c *blockConn) fail(err error) {
	c.once.Do(func() {
		c.err = err
		close(c.dead)
		c.conn.Close()
	})
}

// start queues call and writes its request bytes. The outcome arrives on
// call.done. A write error is not reported here: the service may have
// answered (an error it sends before reading a write's body) and then
// closed, and the reader reports whichever happened.
func (c *blockConn) start(call *blockCall, request ...[]byte) {
	c.inflight.Add(1)
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	select {
	case c.pending <- call:
	case <-c.dead:
		c.inflight.Add(-1)
		call.done <- fmt.Errorf("%w: %v", errConnBroken, c.err)
		return
	}
	for _, b := range request {
		if _, err := c.conn.Write(b); err != nil {
			// Keep reading: a response may already be on its way.
			if tcp, ok := c.conn.(*net.TCPConn); ok {
				tcp.CloseWrite()
			}
			return
		}
	}
}

func (c *blockConn) readLoop() {
	r := bufio.NewReaderSize(c.conn, 64<<10)
	for {
		var call *blockCall
		select {
		case call = <-c.pending:
		case <-c.dead:
			c.drain()
			return
		}
		err := call.readResponse(r)
		c.inflight.Add(-1)
		code, isCode := wire.AsError(err)
		var badPage pageCrcError
		switch {
		case err == nil, isCode && code == wire.ErrBlockNotFound, errors.As(err, &badPage):
			call.done <- err
		case isCode:
			// The service closes the connection after any other error.
			// Mark it dead before answering, so that the caller's next
			// request cannot pick it.
			c.fail(fmt.Errorf("service answered %w", err))
			call.done <- err
		default:
			c.fail(err)
			call.done <- fmt.Errorf("%w: %v", errConnBroken, err)
		}
	}
}

func (c *blockConn) drain() {
	for {
		select {
		case call := <-c.pending:
			c.inflight.Add(-1)
			call.done <- fmt.Errorf("%w: %v", errConnBroken, c.err)
		default:
			return
		}
	}
}

// readFull is io.ReadFull with a short EOF reported as a broken stream.
func readFull(r io.Reader, buf []byte) error {
	if _, err := io.ReadFull(r, buf); err != nil {
		return fmt.Errorf("read block data: %w", err)
	}
	return nil
}
