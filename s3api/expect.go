package s3api

import (
	"bytes"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/terngate/terngate/auth"
)

// continueScreen answers "Expect: 100-continue" only once the request head
// has been authenticated and authorised, so that a refused client never
// sends its body.
//
// fasthttp sends "100 Continue" and reads the first bytes of the body
// before any handler runs; its ContinueHandler can only turn a request
// into a bare 417. So the screen runs on fasthttp's HeaderReceived hook,
// before that: it checks the head as the handler would (framing,
// addressing, signature, policy) and, when that fails, rewrites the head
// into one without a body and without the expectation, with Connection:
// close (the client may send the body anyway). The handler then answers
// the recorded error. Hand-written because neither fasthttp nor fiber
// offers a deferred 100 Continue (fasthttp PR #2332 proposes one).
type continueScreen struct {
	app *fiber.App
	srv *server
	// refused maps the head of a request on its way to the handler to
	// how it was refused. fasthttp reuses a head for the connection's next
	// request, so the handler removes its entry.
	refused sync.Map // *fasthttp.RequestHeader -> screened
}

// screened is a refused head's error and what admission had learnt of the
// request before it failed: the answer (BucketName) and the access line
// need them as if the handler had refused the request itself.
type screened struct {
	err      error
	bucket   string
	key      string
	identity auth.Result
}

var expect100 = []byte("100-continue")

// headerReceived is the fasthttp.Server.HeaderReceived hook.
func (cs *continueScreen) headerReceived(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	cs.refused.Delete(h)
	// The comparison fasthttp's Request.MayContinue makes.
	if !bytes.Equal(h.Peek(fasthttp.HeaderExpect), expect100) {
		return fasthttp.RequestConfig{}
	}
	if refusal, refused := cs.admitHead(h); refused {
		cs.refused.Store(h, refusal)
		h.Del(fasthttp.HeaderExpect)
		h.SetContentLength(0) // also drops Transfer-Encoding
		h.SetConnectionClose()
	}
	return fasthttp.RequestConfig{}
}

// admitHead runs the handler's admission checks on a copy of the head.
func (cs *continueScreen) admitHead(h *fasthttp.RequestHeader) (screened, bool) {
	var rc fasthttp.RequestCtx
	h.CopyTo(&rc.Request.Header)
	c := cs.app.AcquireCtx(&rc)
	defer cs.app.ReleaseCtx(c)
	r := newRequest(c)
	// The head's copy has no connection: whether SSE-C or SSE-KMS came
	// over TLS is judged when the handler admits the request itself.
	r.sse = cs.srv.sseSettings()
	r.sse.plainSSEC, r.sse.plainKMS = true, true
	if _, err := cs.srv.admit(r); err != nil {
		return screened{err: err, bucket: r.bucket, key: r.key, identity: r.identity}, true
	}
	return screened{}, false
}

// refusal returns, and forgets, the error the screen recorded for the
// request, or nil; it gives r the target and identity admission had found.
func (cs *continueScreen) refusal(r *request) error {
	v, ok := cs.refused.LoadAndDelete(&r.c.Request().Header)
	if !ok {
		return nil
	}
	s := v.(screened)
	r.bucket, r.key, r.identity = s.bucket, s.key, s.identity
	return s.err
}
