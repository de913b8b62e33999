package client

import (
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Services a request is counted under.
const (
	ServiceShard    = "shard"
	ServiceCDC      = "cdc"
	ServiceRegistry = "registry"
	ServiceBlock    = "block"
)

// RequestKind is one kind of request to one service: "shard"/"Lookup",
// "block"/"WriteBlock".
type RequestKind struct {
	Service string
	Kind    string
}

// RequestCount is how many requests of a kind were sent.
type RequestCount struct {
	RequestKind
	N uint64
}

// RequestCounter counts the requests a client sends, by service and kind:
// one per logical request, however many datagrams its retries took, so the
// counts are the round trips an operation needs. It is safe for concurrent
// use; the zero value is ready.
type RequestCounter struct {
	counts sync.Map // RequestKind → *atomic.Uint64
}

// add counts one request whose message is msg (a *wire.LookupReq and the
// like): its kind is the message type's name without "Req", which names
// every kind of every service without a table to keep in step with wire.
func (rc *RequestCounter) add(service string, msg any) {
	if rc == nil {
		return
	}
	key := RequestKind{Service: service, Kind: kindName(msg)}
	n, ok := rc.counts.Load(key)
	if !ok {
		n, _ = rc.counts.LoadOrStore(key, new(atomic.Uint64))
	}
	n.(*atomic.Uint64).Add(1)
}

func kindName(msg any) string {
	t := reflect.TypeOf(msg)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return strings.TrimSuffix(t.Name(), "Req")
}

// Counts returns the counts so far, sorted by service then kind.
func (rc *RequestCounter) Counts() []RequestCount {
	var out []RequestCount
	rc.counts.Range(func(k, v any) bool {
		out = append(out, RequestCount{RequestKind: k.(RequestKind), N: v.(*atomic.Uint64).Load()})
		return true
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// VisitRequestCounts calls fn with every count so far: the shape the
// gateway's metrics read request counts in.
func (rc *RequestCounter) VisitRequestCounts(fn func(service, kind string, n uint64)) {
	for _, c := range rc.Counts() {
		fn(c.Service, c.Kind, c.N)
	}
}

// Requests is the counter of every request this client has sent.
func (c *Client) Requests() *RequestCounter { return c.requests }
