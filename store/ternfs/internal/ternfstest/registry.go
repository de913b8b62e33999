package ternfstest

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// Registry is a registry replica on 127.0.0.1. A leader answers with
// handle; a follower reads requests and never answers, as real non-leaders
// do.
type Registry struct {
	ln       net.Listener
	Leader   atomic.Bool
	Requests atomic.Int64
	Handle   func(kind wire.RegistryKind, body []byte) []byte // full response frame

	Mu    sync.Mutex
	Conns []net.Conn
}

func NewRegistry(t *testing.T, leader bool, handle func(wire.RegistryKind, []byte) []byte) *Registry {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &Registry{ln: ln, Handle: handle}
	r.Leader.Store(leader)
	t.Cleanup(r.Close)
	go r.serve()
	return r
}

func (r *Registry) Addr() string { return r.ln.Addr().String() }

func (r *Registry) Close() {
	r.ln.Close()
	r.Mu.Lock()
	defer r.Mu.Unlock()
	for _, c := range r.Conns {
		c.Close()
	}
}

func (r *Registry) serve() {
	for {
		conn, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.Mu.Lock()
		r.Conns = append(r.Conns, conn)
		r.Mu.Unlock()
		go func() {
			defer conn.Close()
			for {
				f, err := wire.ReadRegistryFrame(conn, wire.RegistryRequestMagic)
				if err != nil {
					return
				}
				r.Requests.Add(1)
				if !r.Leader.Load() {
					continue // dropped, like a follower
				}
				if _, err := conn.Write(r.Handle(wire.RegistryKind(f.Kind), f.Body)); err != nil {
					return
				}
			}
		}()
	}
}

func MustRegistryResponse(t *testing.T, resp wire.RegistryResponse) []byte {
	t.Helper()
	b, err := wire.AppendRegistryResponse(nil, resp)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
