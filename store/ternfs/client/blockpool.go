package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// DefaultBlockConnsPerService bounds pooled connections per block service.
const DefaultBlockConnsPerService = 4

// blockAttemptTimeout bounds one request on a connection when ctx has no
// earlier deadline: a block service that stops answering must not hold a
// caller forever, and the stalled stream is closed.
const blockAttemptTimeout = 2 * time.Minute

type blockPool struct {
	maxConns int
	dialer   net.Dialer

	mu     sync.Mutex
	conns  map[wire.BlockServiceID][]*blockConn
	closed bool
}

func newBlockPool(maxConns int) *blockPool {
	if maxConns <= 0 {
		maxConns = DefaultBlockConnsPerService
	}
	return &blockPool{maxConns: maxConns, conns: map[wire.BlockServiceID][]*blockConn{}}
}

func (p *blockPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, cs := range p.conns {
		for _, c := range cs {
			c.fail(errors.New("pool closed"))
		}
	}
	p.conns = map[wire.BlockServiceID][]*blockConn{}
}

// conn returns the least busy live connection to the service, dialling a
// new one when all are busy and the pool has room.
func (p *blockPool) conn(ctx context.Context, id wire.BlockServiceID, addrs wire.AddrsInfo) (*blockConn, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errors.New("ternfs: client closed")
	}
	live := p.conns[id][:0]
	var best *blockConn
	for _, c := range p.conns[id] {
		if c.broken() {
			continue
		}
		live = append(live, c)
		if best == nil || c.inflight.Load() < best.inflight.Load() {
			best = c
		}
	}
	p.conns[id] = live
	if best != nil && (best.inflight.Load() == 0 || len(live) >= p.maxConns) {
		p.mu.Unlock()
		return best, nil
	}
	p.mu.Unlock()

	c, err := p.dial(ctx, addrs)
	if err != nil {
		if best != nil {
			return best, nil
		}
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.fail(errors.New("pool closed"))
		return nil, errors.New("ternfs: client closed")
	}
	p.conns[id] = append(p.conns[id], c)
	return c, nil
}

// dial tries the service's addresses in turn.
func (p *blockPool) dial(ctx context.Context, addrs wire.AddrsInfo) (*blockConn, error) {
	list := addrs.List()
	if len(list) == 0 {
		return nil, errNoAddress
	}
	var errs []error
	for _, a := range list {
		conn, err := p.dialer.DialContext(ctx, "tcp", a.String())
		if err == nil {
			return newBlockConn(conn), nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// do runs one request on a pooled connection. With retry, failures of the
// connection itself (refused, reset, broken pipe, EOF) are retried on a
// fresh one along the timeouts schedule; a TernFS error is an answer and is
// never retried here.
func (p *blockPool) do(ctx context.Context, id wire.BlockServiceID, addrs wire.AddrsInfo, timeouts Timeouts, retry bool, newCall func() (*blockCall, [][]byte)) error {
	b := newBackoff(timeouts, time.Now())
	for attempt := 1; ; attempt++ {
		err := p.once(ctx, id, addrs, newCall)
		if err == nil || !retry || !retryableBlockError(err) || ctx.Err() != nil {
			return err
		}
		pause, ok := b.Next(time.Now())
		if !ok {
			return fmt.Errorf("after %d attempts: %w", attempt, err)
		}
		if err := sleepCtx(ctx, pause); err != nil {
			return err
		}
	}
}

func (p *blockPool) once(ctx context.Context, id wire.BlockServiceID, addrs wire.AddrsInfo, newCall func() (*blockCall, [][]byte)) error {
	c, err := p.conn(ctx, id, addrs)
	if err != nil {
		return err
	}
	call, request := newCall()
	c.start(call, request...)
	timer := time.NewTimer(blockAttemptTimeout)
	defer timer.Stop()
	select {
	case err := <-call.done:
		return err
	case <-ctx.Done():
		// The response will still come down the stream; nobody can skip
		// it, so the connection goes.
		c.fail(ctx.Err())
		return ctx.Err()
	case <-timer.C:
		c.fail(errors.New("request timed out"))
		return fmt.Errorf("%w: no answer in %v", errConnBroken, blockAttemptTimeout)
	}
}

// retryableBlockError: the request may not have been processed, or was
// lost with its connection.
func retryableBlockError(err error) bool {
	if _, isCode := wire.AsError(err); isCode {
		return false
	}
	return errors.Is(err, errConnBroken) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}
