package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// udpTransport sends shard or CDC requests from one UDP socket and matches
// responses to callers by request id, so any number of requests share the
// socket. A retry resends the same bytes (same request id) from the same
// socket: the shard de-duplicates in-flight writes by (request id, source
// address), so a new id or a new port would apply a write twice.
type udpTransport struct {
	conn      *net.UDPConn
	respMagic uint32
	nextID    atomic.Uint64

	mu      sync.Mutex
	waiting map[uint64]chan []byte

	done chan struct{}
}

// maxDatagram covers the largest response a shard sends (MTU 8972 plus
// headers) with room to spare.
const maxDatagram = 16 << 10

func newUDPTransport(respMagic uint32) (*udpTransport, error) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{})
	if err != nil {
		return nil, fmt.Errorf("ternfs: open UDP socket: %w", err)
	}
	t := &udpTransport{
		conn:      conn,
		respMagic: respMagic,
		waiting:   map[uint64]chan []byte{},
		done:      make(chan struct{}),
	}
	// Random start, as upstream: ids from a restarted client do not collide
	// with its previous incarnation's in the shard's de-duplication window.
	t.nextID.Store(rand.Uint64() >> 1)
	go t.readLoop()
	return t, nil
}

func (t *udpTransport) close() error {
	err := t.conn.Close()
	<-t.done
	return err
}

func (t *udpTransport) newRequestID() uint64 { return t.nextID.Add(1) }

func (t *udpTransport) readLoop() {
	defer close(t.done)
	buf := make([]byte, maxDatagram)
	for {
		n, _, err := t.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // ICMP-induced errors and the like: keep reading
		}
		d, err := wire.ParseDatagram(buf[:n], t.respMagic)
		if err != nil {
			continue // not ours
		}
		t.mu.Lock()
		ch := t.waiting[d.RequestID]
		t.mu.Unlock()
		if ch == nil {
			continue // late answer to a finished call
		}
		select {
		case ch <- append([]byte(nil), buf[:n]...):
		default: // duplicate answer to a retried request
		}
	}
}

// errNoAddress: the peer advertises no address.
var errNoAddress = errors.New("ternfs: peer has no address")

// roundTrip sends pkt (whose header carries id) until a response with that
// id arrives, alternating between the peer's two addresses. addrs is asked
// again before every attempt so a refreshed cluster view takes effect
// mid-call; onTimeout runs after every attempt that timed out.
func (t *udpTransport) roundTrip(
	ctx context.Context,
	id uint64,
	pkt []byte,
	addrs func() (wire.AddrsInfo, error),
	timeouts Timeouts,
	onTimeout func(),
) (d wire.Datagram, attempts int, err error) {
	ch := make(chan []byte, 1)
	t.mu.Lock()
	t.waiting[id] = ch
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		delete(t.waiting, id)
		t.mu.Unlock()
	}()

	b := newBackoff(timeouts, time.Now())
	timer := time.NewTimer(0)
	<-timer.C
	defer timer.Stop()
	for {
		wait, ok := b.Next(time.Now())
		if !ok {
			return wire.Datagram{}, attempts, fmt.Errorf("%w: no answer after %d attempts", wire.ErrTimeout, attempts)
		}
		a, err := addrs()
		if err != nil {
			return wire.Datagram{}, attempts, err
		}
		list := a.List()
		if len(list) == 0 {
			return wire.Datagram{}, attempts, errNoAddress
		}
		to := list[attempts%len(list)]
		attempts++
		if err := t.send(pkt, to); errors.Is(err, net.ErrClosed) {
			return wire.Datagram{}, attempts, err
		}
		// Other send errors (EPERM from a packet filter, an unreachable
		// address) count as a lost datagram: the backoff paces the retry.
		timer.Reset(wait)
		select {
		case raw := <-ch:
			d, err := wire.ParseDatagram(raw, t.respMagic)
			return d, attempts, err
		case <-timer.C:
			if onTimeout != nil {
				onTimeout()
			}
		case <-ctx.Done():
			return wire.Datagram{}, attempts, ctx.Err()
		}
	}
}

func (t *udpTransport) send(pkt []byte, to netip.AddrPort) error {
	if _, err := t.conn.WriteToUDPAddrPort(pkt, to); err != nil {
		return fmt.Errorf("ternfs: send to %s: %w", to, err)
	}
	return nil
}
