package s3api

import (
	"net/http"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/terngate/terngate/s3err"
)

// drainLimit is how much of an unread request body the router reads away to
// keep the connection; past it the connection is closed instead.
const drainLimit = 256 << 10

// handlerFunc serves one S3 operation. It writes the success response
// itself and returns errors for the router to render.
type handlerFunc func(*server, *request) error

// handle is the single entry point: it stamps the response headers, resolves
// the addressing, authenticates, dispatches and renders errors.
func (s *server) handle(c *fiber.Ctx) error {
	r := newRequest(c)
	r.sse = s.sseSettings()
	c.Set("x-amz-request-id", r.id)
	c.Set("x-amz-id-2", r.hostID)
	obs := s.observe(r)

	if err := s.serve(r); err != nil {
		s.writeError(r, err)
	}
	s.addCORSHeaders(r)
	if !r.body.drain(drainLimit) {
		closeAfterResponse(c)
	}
	obs.handled()
	return nil
}

func (s *server) serve(r *request) error {
	r.body.limitRate(s.cfg.MinBodyRate, s.cfg.MinBodyRateWindow)
	if err := s.screen.refusal(r); err != nil {
		// The client may send the body it announced anyway.
		closeAfterResponse(r.c)
		return err
	}
	h, err := s.admit(r)
	if err != nil {
		return err
	}
	return h(s, r)
}

// admit checks what the request head alone decides (framing, addressing,
// signature, policy) and picks the operation. It reads no body, so it can
// also screen an Expect: 100-continue request (see continueScreen).
func (s *server) admit(r *request) (handlerFunc, error) {
	if err := checkFraming(&r.c.Request().Header); err != nil {
		closeAfterResponse(r.c)
		return nil, err
	}
	t, err := resolveTarget(string(r.c.Request().Header.Host()), r.rawPath, s.cfg.Domain)
	if err != nil {
		return nil, err
	}
	r.bucket, r.key = t.bucket, t.key
	if r.bucket != "" {
		if err := validateBucketName(r.bucket); err != nil {
			return nil, err
		}
	}
	if err := validateKey(r.key); err != nil {
		return nil, err
	}
	if h, ok := routeUnsigned(r); ok {
		return h, nil
	}
	if err := s.authenticate(r); err != nil {
		return nil, err
	}
	h, err := route(r)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r); err != nil {
		return nil, err
	}
	if err := s.checkExpectedOwners(r); err != nil {
		return nil, err
	}
	if err := checkUnsupportedHeaders(r); err != nil {
		return nil, err
	}
	return h, nil
}

// route picks the operation from the method, the target and the query's
// subresources.
func route(r *request) (handlerFunc, error) {
	if h, ok := routeUnsigned(r); ok {
		return h, nil
	}
	if h, ok, err := routeCORS(r); ok {
		return h, err
	}
	if h, ok, err := routeBucketTagging(r); ok {
		return h, err
	}
	if h, ok, err := routeBucketEncryption(r); ok {
		return h, err
	}
	if h, ok, err := routeAccessControl(r); ok {
		return h, err
	}
	if h, ok, err := routeMultipart(r); ok {
		return h, err
	}
	if h, ok, err := routeBucketObjectLock(r); ok {
		return h, err
	}
	switch {
	case r.bucket == "":
		return routeService(r)
	case r.key == "":
		return routeBucket(r)
	default:
		return routeObject(r)
	}
}

func routeService(r *request) (handlerFunc, error) {
	if r.method() == http.MethodGet {
		return (*server).listBuckets, nil
	}
	return nil, s3err.MethodNotAllowedAllowing(http.MethodGet)
}

func routeBucket(r *request) (handlerFunc, error) {
	method := r.method()
	switch {
	case r.hasParam("location"):
		return onlyMethod(method, http.MethodGet, (*server).getBucketLocation)
	case r.hasParam("versioning"):
		switch method {
		case http.MethodGet:
			return (*server).getBucketVersioning, nil
		case http.MethodPut:
			return (*server).putBucketVersioning, nil
		}
		return nil, s3err.MethodNotAllowedAllowing(http.MethodGet, http.MethodPut)
	case r.hasParam("versions"):
		return onlyMethod(method, http.MethodGet, (*server).listObjectVersions)
	case r.hasParam("delete"):
		return onlyMethod(method, http.MethodPost, (*server).deleteObjects)
	}
	if unsupportedSubresource(r, bucketSubresources) {
		return nil, s3err.NotImplemented
	}
	switch method {
	case http.MethodGet:
		return (*server).listObjects, nil
	case http.MethodPut:
		return (*server).createBucket, nil
	case http.MethodHead:
		return (*server).headBucket, nil
	case http.MethodDelete:
		return (*server).deleteBucket, nil
	case http.MethodPost:
		// A browser-form upload (POST Object) has no query and is routed
		// by routeUnsigned; a bucket POST with another query names no
		// operation terngate implements.
		return nil, s3err.NotImplemented
	}
	return nil, s3err.MethodNotAllowedAllowing(http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete)
}

func routeObject(r *request) (handlerFunc, error) {
	if h, ok, err := routeObjectTagging(r); ok {
		return h, err
	}
	if h, ok, err := routeObjectRestore(r); ok {
		return h, err
	}
	if h, ok, err := routeObjectLock(r); ok {
		return h, err
	}
	if unsupportedSubresource(r, objectSubresources) {
		return nil, s3err.NotImplemented
	}
	switch r.method() {
	case http.MethodGet:
		return (*server).getObject, nil
	case http.MethodHead:
		return (*server).headObject, nil
	case http.MethodPut:
		if r.hasHeader("x-amz-copy-source") {
			return (*server).copyObject, nil
		}
		return (*server).putObject, nil
	case http.MethodDelete:
		return (*server).deleteObject, nil
	}
	return nil, s3err.MethodNotAllowedAllowing(http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete)
}

func onlyMethod(got, want string, h handlerFunc) (handlerFunc, error) {
	if got != want {
		return nil, s3err.MethodNotAllowedAllowing(want)
	}
	return h, nil
}

// Subresources the gateway recognises but does not implement yet. S3 has
// one NotImplemented text, about headers, and sends it for whatever it
// does not implement (chilts/awssum#30, pinpoint-apm/pinpoint#2298 record
// it); servers that lack an API answer the same (minio/mc#3370), so these
// are refused with it unchanged. Query parameters not listed (x-id,
// prefix, ...) are operation arguments.
var (
	bucketSubresources = []string{
		"abac", "accelerate", "acl", "analytics",
		"intelligent-tiering", "inventory", "lifecycle", "logging", "metadataConfiguration",
		"metadataInventoryTable", "metadataJournalTable",
		"metadataTable", "metrics", "notification",
		"policy", "replication", "requestPayment",
		"session", "uploads", "website",
	}
	objectSubresources = []string{
		"acl", "attributes", "select",
		"torrent", "uploadId", "uploads", "renameObject",
	}
)

func unsupportedSubresource(r *request, names []string) bool {
	return slices.ContainsFunc(names, r.hasParam)
}
