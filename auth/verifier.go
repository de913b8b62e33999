package auth

import (
	"fmt"
	"strings"
	"time"

	"github.com/terngate/terngate/s3err"
)

// DefaultMaxSkew is how far a header-signed request's time may be from the
// server clock when Verifier.MaxSkew is zero; it is S3's limit.
const DefaultMaxSkew = 15 * time.Minute

// Verifier checks AWS Signature Version 4 requests, signed either in the
// Authorization header or in the query string (presigned URLs).
type Verifier struct {
	// Region the endpoint serves; credential scopes naming another region
	// are refused. Empty accepts any region the client signed for.
	Region      string
	Credentials Credentials
	// Now is the server clock; nil means time.Now.
	Now func() time.Time
	// MaxSkew bounds the request time's distance from Now; zero means
	// DefaultMaxSkew.
	MaxSkew time.Duration

	keys signingKeys
}

var errDuplicateAuth = s3err.InvalidArgument.With("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")

// Verify authenticates r. An anonymous request (see IsAnonymous) yields
// s3err.AccessDenied; every other failure is the S3 error AWS would send.
func (v *Verifier) Verify(r *Request) (Result, error) {
	params, err := parseQuery(r.RawQuery)
	if err != nil {
		return Result{}, err
	}
	authz, hasHeader := r.Header["Authorization"]
	presigned := hasPresignParams(params)
	switch {
	case hasHeader && presigned:
		return Result{}, errDuplicateAuth
	case hasHeader:
		if len(authz) != 1 {
			return Result{}, s3err.AuthorizationHeaderMalformed
		}
		return v.verifyHeader(r, authz[0], params)
	case presigned:
		return v.verifyPresigned(r, params)
	}
	return Result{}, s3err.AccessDenied
}

// IsAnonymous reports whether r carries no credentials at all (neither
// SigV4 nor SigV2), so the caller can answer AccessDenied (or apply
// anonymous access rules).
func IsAnonymous(r *Request) bool {
	s, err := DetectScheme(r)
	return err == nil && s == Anonymous // an error is Verify's to report
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return DefaultMaxSkew
}

// signedRequest is what either auth form claims; check proves it.
type signedRequest struct {
	cred          credential
	signedHeaders []string
	signature     string
	when          time.Time
	// payloadHash is the value as sent; the canonical request uses it
	// verbatim while Result gets the normalised form.
	payloadHash, resultPayloadHash string
	// skipParam is the query parameter that carries the signature itself.
	skipParam string
}

// check recomputes the signature over the canonical request and compares it
// with the claimed one.
func (v *Verifier) check(r *Request, params []queryParam, s signedRequest) (Result, error) {
	if v.Credentials == nil {
		return Result{}, fmt.Errorf("auth: verifier has no credentials: %w", s3err.InternalError)
	}
	secret, ok := v.Credentials.Secret(s.cred.accessKey)
	if !ok {
		return Result{}, s3err.InvalidAccessKeyIDFor(s.cred.accessKey)
	}
	if missing := unsignedAmzHeaders(r.Header, s.signedHeaders); len(missing) > 0 {
		return Result{}, s3err.HeadersNotSigned(strings.Join(missing, ", "))
	}
	scope := s.cred.scope()
	key := v.keys.get(secret, s.cred.date, s.cred.region, s.cred.service)
	query := canonicalQuery(params, s.skipParam)
	uri, err := canonicalURI(r.RawPath)
	if err != nil {
		return Result{}, err
	}
	canonical := canonicalRequest(r, uri, query, s.signedHeaders, s.payloadHash)
	signed := stringToSign(s.when, scope, canonical)
	if !signatureMatches(hmacSHA256(key, signed), s.signature) {
		alt, ok, err := canonicalURIKeepingSlashes(r.RawPath)
		if err != nil {
			return Result{}, err
		}
		if !ok || !signatureMatches(hmacSHA256(key, stringToSign(s.when, scope,
			canonicalRequest(r, alt, query, s.signedHeaders, s.payloadHash))), s.signature) {
			// S3 shows the canonicalisation it used, so a client can diff it
			// against its own.
			return Result{}, s3err.SignatureMismatchV4(s.cred.accessKey, signed, s.signature, canonical)
		}
	}
	return Result{
		AccessKey:   s.cred.accessKey,
		PayloadHash: s.resultPayloadHash,
		SigningKey:  key,
		Scope:       scope,
		Signature:   s.signature,
		Date:        s.when,
	}, nil
}
