package auth

import (
	"strconv"
	"time"

	"github.com/terngate/terngate/s3err"
)

// maxPresignExpiry is S3's limit on X-Amz-Expires: seven days.
const maxPresignExpiry = 7 * 24 * 60 * 60

var (
	errMissingPresignParams = s3err.AuthorizationQueryParametersError.With("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
	errPresignNotYetValid   = s3err.AccessDenied.With("Request is not valid yet")
)

// presignParamNames are the parameters a presigned URL carries.
var presignParamNames = [...]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"}

func hasPresignParams(params []queryParam) bool {
	for _, p := range params {
		switch p.name {
		case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature":
			return true
		}
	}
	return false
}

// presignValues collects the auth parameters, refusing repeats: a second
// X-Amz-Signature would otherwise slip out of the signed string unnoticed.
func presignValues(params []queryParam) (map[string]string, error) {
	vals := make(map[string]string, len(presignParamNames)+1)
	for _, p := range params {
		switch p.name {
		case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Content-Sha256":
			if _, dup := vals[p.name]; dup {
				return nil, s3err.AuthorizationQueryParametersError.With("Query-string authentication parameter %s is given more than once.", p.name)
			}
			vals[p.name] = p.value
		}
	}
	for _, name := range presignParamNames {
		if vals[name] == "" {
			return nil, errMissingPresignParams
		}
	}
	return vals, nil
}

// verifyPresigned handles the query-string form.
func (v *Verifier) verifyPresigned(r *Request, params []queryParam) (Result, error) {
	vals, err := presignValues(params)
	if err != nil {
		return Result{}, err
	}
	if vals["X-Amz-Algorithm"] != algorithmHMAC {
		return Result{}, s3err.AuthorizationQueryParametersError.With("X-Amz-Algorithm only supports \"%s\"", algorithmHMAC)
	}
	cred, err := parseCredential(vals["X-Amz-Credential"], v.Region, queryCredentialErrors)
	if err != nil {
		return Result{}, err
	}
	when, err := time.Parse(iso8601Basic, vals["X-Amz-Date"])
	if err != nil {
		return Result{}, s3err.AuthorizationQueryParametersError.With("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	expires, err := parseExpires(vals["X-Amz-Expires"])
	if err != nil {
		return Result{}, err
	}
	signed, hasHost := parseSignedHeaders(vals["X-Amz-SignedHeaders"])
	if !hasHost {
		return Result{}, s3err.AuthorizationQueryParametersError.With("Query-string authentication version 4 requires the host header to be signed.")
	}
	if when.Format(scopeDate) != cred.date {
		return Result{}, s3err.AuthorizationQueryParametersError.With("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	now := v.now()
	if when.Sub(now) > v.maxSkew() {
		return Result{}, errPresignNotYetValid
	}
	if now.After(when.Add(expires)) {
		return Result{}, s3err.PresignExpired(int64(expires/time.Second), when.Add(expires), now)
	}
	sent := UnsignedPayload
	if h, ok := vals["X-Amz-Content-Sha256"]; ok {
		sent = h
	}
	payload, err := checkPayloadHash(sent)
	if err != nil {
		return Result{}, err
	}
	return v.check(r, params, signedRequest{
		cred:              cred,
		signedHeaders:     signed,
		signature:         vals["X-Amz-Signature"],
		when:              when,
		payloadHash:       sent,
		resultPayloadHash: payload,
		skipParam:         "X-Amz-Signature",
	})
}

// parseExpires reads X-Amz-Expires, which S3 bounds to 1 s .. 7 days.
func parseExpires(v string) (time.Duration, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err != nil:
		return 0, s3err.AuthorizationQueryParametersError.With("X-Amz-Expires should be a number")
	case n < 0:
		return 0, s3err.AuthorizationQueryParametersError.With("X-Amz-Expires must be non-negative")
	case n == 0:
		return 0, s3err.AuthorizationQueryParametersError.With("X-Amz-Expires must be at least 1 second")
	case n > maxPresignExpiry:
		return 0, s3err.AuthorizationQueryParametersError.With("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than %d seconds", maxPresignExpiry)
	}
	return time.Duration(n) * time.Second, nil
}
