package s3api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/terngate/terngate/s3err"
)

// routeCORS routes ?cors on a bucket: Put/Get/DeleteBucketCors.
func routeCORS(r *request) (handlerFunc, bool, error) {
	return routeBucketDocument(r, "cors", (*server).getBucketCors, (*server).putBucketCors, (*server).deleteBucketCors)
}

// putBucketCors validates and stores a CORSConfiguration. S3 requires
// Content-MD5 or an x-amz-checksum-* header (API_PutBucketCors); like
// PutBucketLifecycle the gateway verifies whichever is sent.
func (s *server) putBucketCors(r *request) error {
	data, err := s.configurationBody(r)
	if err != nil {
		return err
	}
	if _, err := parseCORS(data); err != nil {
		return err
	}
	if err := s.layer.SetBucketCORS(r.ctx, r.bucket, data); err != nil {
		return err
	}
	r.c.Status(http.StatusOK)
	return nil
}

// getBucketCors returns the configuration as it was stored.
func (s *server) getBucketCors(r *request) error {
	doc, err := s.layer.BucketCORS(r.ctx, r.bucket)
	if err != nil {
		return err
	}
	return writeStoredXML(r, doc)
}

// deleteBucketCors removes the configuration; removing none succeeds.
func (s *server) deleteBucketCors(r *request) error {
	if err := s.layer.SetBucketCORS(r.ctx, r.bucket, nil); err != nil {
		return err
	}
	r.c.Status(http.StatusNoContent)
	return nil
}

// bucketCORS loads and parses the bucket's stored CORS configuration; ok is
// false when the bucket has none.
func (s *server) bucketCORS(r *request) (*corsConfiguration, bool, error) {
	doc, err := s.layer.BucketCORS(r.ctx, r.bucket)
	if errors.Is(err, s3err.NoSuchCORSConfiguration) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	cfg, err := parseStoredCORS(doc)
	if err != nil {
		// It parsed when it was stored: the record is damaged.
		return nil, false, errors.Join(errors.New("stored CORS configuration of bucket "+r.bucket), err)
	}
	return cfg, true, nil
}

// preflightCORS answers an OPTIONS preflight request. S3 serves it without
// authentication: the browser sends no credentials with it
// (AmazonS3/latest/userguide/cors.html, "How does Amazon S3 evaluate the
// CORS configuration on a bucket?").
func (s *server) preflightCORS(r *request) error {
	origin := r.header("Origin")
	if origin == "" {
		return s3err.BadRequest.With("Insufficient information. Origin request header needed.")
	}
	method := r.header("Access-Control-Request-Method")
	if !corsMethods[method] {
		if method == "" {
			method = "null"
		}
		return s3err.BadRequest.With("Invalid Access-Control-Request-Method: %s", method)
	}
	cfg, ok, err := s.bucketCORS(r)
	if err != nil {
		return err
	}
	refused := func(e *s3err.Error) error {
		return e.WithFields("Method", method, "ResourceType", resourceType(r))
	}
	if !ok {
		return refused(s3err.CORSNotEnabled)
	}
	headers := requestedHeaders(r.header("Access-Control-Request-Headers"))
	rule, ok := cfg.match(origin, method, headers)
	if !ok {
		return refused(s3err.CORSNotAllowed)
	}
	setCORSHeaders(r, rule, origin)
	if len(headers) > 0 {
		r.setHeader("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	}
	r.c.Status(http.StatusOK)
	return nil
}

// requestedHeaders splits Access-Control-Request-Headers into lower-case
// names.
func requestedHeaders(v string) []string {
	var names []string
	for _, h := range strings.Split(v, ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			names = append(names, h)
		}
	}
	return names
}

// addCORSHeaders adds the CORS response headers to a request sent with an
// Origin (a browser's cross-origin request) when a rule of the bucket's
// configuration allows its origin and method; S3 adds them to every such
// response, errors included. Requests without an Origin pay one header
// lookup.
func (s *server) addCORSHeaders(r *request) {
	origin := r.c.Request().Header.Peek("Origin")
	if len(origin) == 0 || r.bucket == "" || r.method() == http.MethodOptions {
		return
	}
	cfg, ok, err := s.bucketCORS(r)
	if err != nil || !ok {
		// A missing bucket or configuration adds nothing; a read error
		// has already been or will be reported by the operation itself.
		return
	}
	if rule, ok := cfg.match(string(origin), r.method(), nil); ok {
		setCORSHeaders(r, rule, string(origin))
	}
}

// setCORSHeaders writes what a matching rule grants. A rule allowing any
// origin ("*") answers "*" and no credentials; one naming origins echoes
// the request's origin and allows credentials, as S3 does.
func setCORSHeaders(r *request, rule *corsRule, origin string) {
	if rule.allowsAnyOrigin() {
		r.setHeader("Access-Control-Allow-Origin", "*")
	} else {
		r.setHeader("Access-Control-Allow-Origin", origin)
		r.setHeader("Access-Control-Allow-Credentials", "true")
	}
	r.setHeader("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if len(rule.ExposeHeaders) > 0 {
		r.setHeader("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	if rule.MaxAgeSeconds != nil {
		r.setHeader("Access-Control-Max-Age", strconv.Itoa(*rule.MaxAgeSeconds))
	}
	r.setHeader("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
}

// routeUnsigned picks the operations S3 serves without a signed request:
// a CORS preflight, which browsers send without credentials, and a
// browser-form upload (POST to the bucket, no query), which carries its
// signature in the form. They authorize themselves.
func routeUnsigned(r *request) (handlerFunc, bool) {
	switch {
	case r.bucket == "":
		return nil, false
	case r.method() == http.MethodOptions:
		return (*server).preflightCORS, true
	case r.method() == http.MethodPost && r.key == "" && r.query.Len() == 0:
		return (*server).postObject, true
	}
	return nil, false
}
