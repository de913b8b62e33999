package s3api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/terngate/terngate/auth"
)

// request is the state of one S3 request as the handlers see it.
type request struct {
	c   *fiber.Ctx
	ctx context.Context
	// id is the x-amz-request-id; hostID the x-amz-id-2.
	id     string
	hostID string
	// rawPath is the path exactly as sent (the error Resource).
	rawPath string
	bucket  string
	key     string
	query   *fasthttp.Args
	// headers is the request head as an http.Header, built on first use
	// (see requestHeaders).
	headers http.Header
	// identity is set once the request is authenticated.
	identity auth.Result
	// principal is the user the request acts as; "" when anonymous.
	principal string
	// access is the target bucket's owner and policy, loaded by authorize.
	access bucketAccess
	// body is the raw request body, wrapped so the router can tell whether
	// a handler consumed it.
	body *connBody
	// sse is the gateway's encryption settings (sse.go).
	sse sseSettings
	// lockShown is which Object Lock headers a GET or HEAD may answer
	// (object_lock_authz.go).
	lockShown lockVisibility
}

func newRequest(c *fiber.Ctx) *request {
	rc := c.Context()
	// S3 sends x-amz-meta-* names in lower case and botocore hands them to
	// users as received, so response header names go out exactly as set.
	c.Response().Header.DisableNormalizing()
	id, hostID := newRequestIDs()
	return &request{
		c: c,
		// fasthttp's context ends when the server starts shutting down;
		// in-flight requests must instead run to completion within the
		// shutdown grace period.
		ctx:     context.WithoutCancel(rc),
		id:      id,
		hostID:  hostID,
		rawPath: string(c.Request().URI().PathOriginal()),
		query:   c.Request().URI().QueryArgs(),
		body:    newConnBody(rc),
	}
}

// header returns a request header's value.
func (r *request) header(name string) string {
	return string(r.c.Request().Header.Peek(name))
}

// hasHeader reports whether a request header is present, even if empty.
func (r *request) hasHeader(name string) bool {
	return r.c.Request().Header.Peek(name) != nil
}

// param returns a query parameter's decoded value.
func (r *request) param(name string) string {
	return string(r.query.Peek(name))
}

// hasParam reports whether the query has name, with or without a value.
func (r *request) hasParam(name string) bool {
	return r.query.Has(name)
}

func (r *request) isHead() bool {
	return r.c.Request().Header.IsHead()
}

func (r *request) method() string {
	return string(r.c.Request().Header.Method())
}

// setHeader sets a response header.
func (r *request) setHeader(name, value string) {
	r.c.Response().Header.Set(name, value)
}

// owner is the identity buckets and objects are attributed to: the
// authenticated user.
func (r *request) owner() string {
	return r.principal
}

// anonymous reports whether the request carries no credentials.
func (r *request) anonymous() bool {
	return r.principal == ""
}

// resource names the target for error bodies: the path as sent.
func (r *request) resource() string {
	if r.rawPath == "" {
		return "/"
	}
	return r.rawPath
}

// newRequestIDs draws a request's x-amz-request-id (16 upper-case hex
// digits) and x-amz-id-2 (32 bytes in base64) from one read of the random
// source.
func newRequestIDs() (id, hostID string) {
	var b [8 + 32]byte
	_, _ = rand.Read(b[:])
	const upperHex = "0123456789ABCDEF"
	var text [16]byte
	for i, c := range b[:8] {
		text[2*i], text[2*i+1] = upperHex[c>>4], upperHex[c&0xf]
	}
	return string(text[:]), base64.StdEncoding.EncodeToString(b[8:])
}
