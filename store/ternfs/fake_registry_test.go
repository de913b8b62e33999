package ternfs

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// fakeRegistry is a registry replica on 127.0.0.1. A leader answers with
// handle; a follower reads requests and never answers, as real non-leaders
// do.
type fakeRegistry struct {
	ln       net.Listener
	leader   atomic.Bool
	requests atomic.Int64
	handle   func(kind wire.RegistryKind, body []byte) []byte // full response frame

	mu    sync.Mutex
	conns []net.Conn
}

func newFakeRegistry(t *testing.T, leader bool, handle func(wire.RegistryKind, []byte) []byte) *fakeRegistry {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &fakeRegistry{ln: ln, handle: handle}
	r.leader.Store(leader)
	t.Cleanup(r.close)
	go r.serve()
	return r
}

func (r *fakeRegistry) addr() string { return r.ln.Addr().String() }

func (r *fakeRegistry) close() {
	r.ln.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		c.Close()
	}
}

func (r *fakeRegistry) serve() {
	for {
		conn, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		r.conns = append(r.conns, conn)
		r.mu.Unlock()
		go func() {
			defer conn.Close()
			for {
				f, err := wire.ReadRegistryFrame(conn, wire.RegistryRequestMagic)
				if err != nil {
					return
				}
				r.requests.Add(1)
				if !r.leader.Load() {
					continue // dropped, like a follower
				}
				if _, err := conn.Write(r.handle(wire.RegistryKind(f.Kind), f.Body)); err != nil {
					return
				}
			}
		}()
	}
}

func mustRegistryResponse(t *testing.T, resp wire.RegistryResponse) []byte {
	t.Helper()
	b, err := wire.AppendRegistryResponse(nil, resp)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
