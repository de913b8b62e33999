package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
)

// wiretap is a plain-HTTP reverse proxy in front of a gateway that records
// the x-amz-content-sha256 of every PUT, so a test can prove which body
// encoding a client really used. The Host header passes through unchanged,
// so signatures made for the proxy's address verify at the gateway.
type wiretap struct {
	server *httptest.Server
	mu     sync.Mutex
	modes  map[string]int // x-amz-content-sha256 kind -> PUT count
}

func newWiretap(t testing.TB, g *gateway) *wiretap {
	t.Helper()
	target, err := url.Parse(g.endpoint())
	mustNoErr(t, err, "parse endpoint")
	w := &wiretap{modes: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(target)
	w.server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			w.record(r.Header.Get("X-Amz-Content-Sha256"))
		}
		proxy.ServeHTTP(rw, r)
	}))
	t.Cleanup(w.server.Close)
	return w
}

// record keeps the streaming modes by name and folds hex digests into one.
func (w *wiretap) record(contentSHA256 string) {
	if len(contentSHA256) == 64 {
		contentSHA256 = "<sha256 hex>"
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.modes[contentSHA256]++
}

func (w *wiretap) count(mode string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.modes[mode]
}

func (w *wiretap) seen() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	copied := map[string]int{}
	for k, v := range w.modes {
		copied[k] = v
	}
	return copied
}
