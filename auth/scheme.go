package auth

import "strings"

// Scheme is the way a request says who sent it.
type Scheme int

const (
	// Anonymous requests carry no credentials at all.
	Anonymous Scheme = iota
	// SigV4 is AWS4-HMAC-SHA256, in the Authorization header or the query.
	SigV4
	// SigV2 is the legacy "AWS AccessKeyId:Signature" header or the
	// AWSAccessKeyId/Expires/Signature query string (HMAC-SHA1).
	SigV2
)

// sigV2HeaderPrefix starts a Signature Version 2 Authorization header.
const sigV2HeaderPrefix = "AWS "

// DetectScheme tells which verifier r is for. Credentials in both the
// header and the query, or in two query forms, are refused as S3 does.
func DetectScheme(r *Request) (Scheme, error) {
	params, err := parseQuery(r.RawQuery)
	if err != nil {
		return Anonymous, err
	}
	v4Query := hasPresignParams(params)
	v2Query := hasV2QueryParams(params)
	authz, hasHeader := r.Header["Authorization"]
	switch {
	case hasHeader && (v4Query || v2Query), v4Query && v2Query:
		return Anonymous, errDuplicateAuth
	case hasHeader:
		// Anything but the V2 prefix goes to the V4 verifier, which
		// names the malformed or unsupported header.
		if len(authz) == 1 && strings.HasPrefix(authz[0], sigV2HeaderPrefix) {
			return SigV2, nil
		}
		return SigV4, nil
	case v4Query:
		return SigV4, nil
	case v2Query:
		return SigV2, nil
	}
	return Anonymous, nil
}
