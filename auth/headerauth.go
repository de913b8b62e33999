package auth

import (
	"github.com/terngate/terngate/s3err"
)

var errMissingContentSHA256 = s3err.InvalidRequest.With("Missing required header for this request: x-amz-content-sha256")

// verifyHeader handles the Authorization header form.
func (v *Verifier) verifyHeader(r *Request, header string, params []queryParam) (Result, error) {
	a, err := parseAuthorization(header)
	if err != nil {
		return Result{}, err
	}
	cred, err := parseCredential(a.credential, v.Region, headerCredentialErrors)
	if err != nil {
		return Result{}, err
	}
	signed, hasHost := parseSignedHeaders(a.signedHeaders)
	if signed == nil {
		return Result{}, s3err.AuthorizationHeaderMalformed
	}
	if !hasHost {
		return Result{}, s3err.AuthorizationHeaderMalformed.With("The authorization header is malformed; the host header must be signed.")
	}
	sent := r.Header.Get("X-Amz-Content-Sha256")
	if sent == "" {
		return Result{}, errMissingContentSHA256
	}
	payload, err := checkPayloadHash(sent)
	if err != nil {
		return Result{}, err
	}
	when, err := requestTime(r.Header)
	if err != nil {
		return Result{}, err
	}
	if when.Format(scopeDate) != cred.date {
		return Result{}, s3err.AuthorizationHeaderMalformed.With("The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	if absDuration(v.now().Sub(when)) > v.maxSkew() {
		return Result{}, s3err.RequestTimeTooSkewedAt(requestTimeText(r.Header), v.now(), v.maxSkew())
	}
	return v.check(r, params, signedRequest{
		cred:              cred,
		signedHeaders:     signed,
		signature:         a.signature,
		when:              when,
		payloadHash:       sent,
		resultPayloadHash: payload,
	})
}
