package auth

// Signature Version 2: "Authorization: AWS AccessKeyId:Signature" where
// Signature is base64(HMAC-SHA1(secret, StringToSign)), or the query form
// AWSAccessKeyId=..&Expires=<epoch seconds>&Signature=<url-encoded base64>
// that `aws s3 presign` and boto3's generate_presigned_url produce against a
// custom endpoint. AWS, "Signing and authenticating REST requests":
// https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html
//
// V2 signs no payload hash: the body is only as trustworthy as its
// Content-MD5 (which the handlers verify when it is sent), exactly as on
// AWS. An x-amz-content-sha256 header, being an x-amz-* header, is signed,
// and a hex digest in it is still checked against the body.

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/terngate/terngate/s3err"
)

// The V2 query-string parameters.
const (
	v2ParamAccessKey = "AWSAccessKeyId"
	v2ParamExpires   = "Expires"
	v2ParamSignature = "Signature"
)

var (
	// ErrSigV2Disabled is what AWS answers a V2-signed request in a region
	// that only takes SigV4 (400 InvalidRequest).
	ErrSigV2Disabled = s3err.InvalidRequest.With("The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")

	errV2HeaderInvalid = s3err.InvalidArgument.With("AWS authorization header is invalid.  Expected AwsAccessKeyId:signature")
	errV2HeaderSpaces  = s3err.InvalidArgument.With("Authorization header is invalid -- one and only one ' ' (space) required")
	errV2QueryMissing  = s3err.AccessDenied.With("Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
	errV2SignedChunks  = s3err.InvalidRequest.With("Signed aws-chunked payloads need a Signature Version 4 seed signature; this request is signed with Signature Version 2.")
)

// hasV2QueryParams reports whether the query carries V2 credentials.
func hasV2QueryParams(params []queryParam) bool {
	for _, p := range params {
		if p.name == v2ParamAccessKey || p.name == v2ParamSignature {
			return true
		}
	}
	return false
}

// VerifyV2 authenticates a Signature Version 2 request (see DetectScheme),
// signed in the Authorization header or in the query string.
func (v *Verifier) VerifyV2(r *Request) (Result, error) {
	params, err := parseQuery(r.RawQuery)
	if err != nil {
		return Result{}, err
	}
	if authz, ok := r.Header["Authorization"]; ok {
		if len(authz) != 1 {
			return Result{}, errV2HeaderInvalid
		}
		return v.verifyV2Header(r, authz[0], params)
	}
	return v.verifyV2Query(r, params)
}

// parseV2Authorization splits "AWS AccessKeyId:Signature". A refusal names
// the header and echoes it, as S3's InvalidArgument about the
// Authorization header does (versity/versitygw#1705 records one).
func parseV2Authorization(header string) (accessKey, signature string, err error) {
	rest, ok := strings.CutPrefix(header, sigV2HeaderPrefix)
	if !ok {
		return "", "", errV2HeaderInvalid.ForArgument("Authorization", header)
	}
	if strings.ContainsAny(rest, " \t") {
		return "", "", errV2HeaderSpaces.ForArgument("Authorization", header)
	}
	accessKey, signature, ok = strings.Cut(rest, ":")
	if !ok || accessKey == "" || signature == "" {
		return "", "", errV2HeaderInvalid.ForArgument("Authorization", header)
	}
	return accessKey, signature, nil
}

func (v *Verifier) verifyV2Header(r *Request, header string, params []queryParam) (Result, error) {
	accessKey, signature, err := parseV2Authorization(header)
	if err != nil {
		return Result{}, err
	}
	// x-amz-date, for clients that cannot set Date, wins; the Date line is
	// then empty (x-amz-date is signed among the x-amz-* headers).
	dateLine, stamp := r.Header.Get("Date"), r.Header.Get("Date")
	if amz := r.Header.Get("X-Amz-Date"); amz != "" {
		dateLine, stamp = "", amz
	}
	when, ok := parseV2Time(stamp)
	if !ok {
		return Result{}, errMissingDate
	}
	if absDuration(v.now().Sub(when)) > v.maxSkew() {
		return Result{}, s3err.RequestTimeTooSkewed
	}
	payload, err := v2PayloadMode(r.Header)
	if err != nil {
		return Result{}, err
	}
	res, err := v.checkV2(accessKey, signature, v2Signed{
		method:      r.Method,
		contentMD5:  strings.TrimSpace(r.Header.Get("Content-Md5")),
		contentType: strings.TrimSpace(r.Header.Get("Content-Type")),
		date:        dateLine,
		amzHeaders:  r.Header,
		resource:    canonicalResourceV2(r.VirtualHostBucket, r.RawPath, params),
	})
	if err != nil {
		return Result{}, err
	}
	res.PayloadHash, res.Date = payload, when
	return res, nil
}

func (v *Verifier) verifyV2Query(r *Request, params []queryParam) (Result, error) {
	vals := map[string]string{}
	for _, p := range params {
		switch p.name {
		case v2ParamAccessKey, v2ParamExpires, v2ParamSignature:
			if _, dup := vals[p.name]; dup {
				return Result{}, s3err.AccessDenied.With("Query-string authentication parameter %s is given more than once.", p.name)
			}
			vals[p.name] = p.value
		}
	}
	accessKey, expiresText, signature := vals[v2ParamAccessKey], vals[v2ParamExpires], vals[v2ParamSignature]
	if accessKey == "" || expiresText == "" || signature == "" {
		return Result{}, errV2QueryMissing
	}
	epoch, err := strconv.ParseInt(expiresText, 10, 64)
	if err != nil {
		return Result{}, s3err.AccessDenied.With("Invalid date (should be seconds since epoch): %s", expiresText)
	}
	expires, now := time.Unix(epoch, 0).UTC(), v.now()
	if now.After(expires) {
		return Result{}, errV2Expired(expires, now)
	}
	headers := queryHeaders(r.Header, params)
	payload, err := v2PayloadMode(headers)
	if err != nil {
		return Result{}, err
	}
	res, err := v.checkV2(accessKey, signature, v2Signed{
		method:      r.Method,
		contentMD5:  strings.TrimSpace(headers.Get("Content-Md5")),
		contentType: strings.TrimSpace(headers.Get("Content-Type")),
		date:        expiresText,
		amzHeaders:  headers,
		resource:    canonicalResourceV2(r.VirtualHostBucket, r.RawPath, params),
	})
	if err != nil {
		return Result{}, err
	}
	res.PayloadHash = payload
	return res, nil
}

// queryHeaders is the header view a V2 presigned URL is signed over:
// presigners (botocore's HmacV1QueryAuth) move x-amz-*, Content-Type and
// Content-MD5 into the query string, signed as if they were headers. A
// header the request itself sends takes precedence over its query copy.
func queryHeaders(h http.Header, params []queryParam) http.Header {
	out := h.Clone()
	for _, p := range params {
		lower := strings.ToLower(p.name)
		if !strings.HasPrefix(lower, "x-amz-") && lower != "content-type" && lower != "content-md5" {
			continue
		}
		if _, sent := h[http.CanonicalHeaderKey(lower)]; sent {
			continue
		}
		out.Add(lower, p.value)
	}
	return out
}

// checkV2 recomputes the signature and compares it in constant time.
func (v *Verifier) checkV2(accessKey, signature string, s v2Signed) (Result, error) {
	if v.Credentials == nil {
		return Result{}, s3err.InternalError.With("auth: verifier has no credentials")
	}
	secret, ok := v.Credentials.Secret(accessKey)
	if !ok {
		return Result{}, errV2UnknownKey(accessKey)
	}
	sts := s.stringToSign()
	if !hmac.Equal([]byte(signV2(secret, sts)), []byte(signature)) {
		return Result{}, errV2SignatureMismatch(accessKey, sts, signature)
	}
	return Result{AccessKey: accessKey, Signature: signature}, nil
}

// signV2 is base64(HMAC-SHA1(secret, stringToSign)).
func signV2(secret, stringToSign string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// v2PayloadMode is the payload mode of a V2 request: no header means an
// unsigned body (Content-MD5 aside); a digest or an unsigned mode stands as
// sent; signed aws-chunked needs a SigV4 seed signature V2 does not have.
func v2PayloadMode(h http.Header) (string, error) {
	sent := strings.TrimSpace(h.Get("X-Amz-Content-Sha256"))
	switch sent {
	case "":
		return UnsignedPayload, nil
	case StreamingPayload, StreamingPayloadTrailer:
		return "", errV2SignedChunks
	}
	return checkPayloadHash(sent)
}

// v2TimeLayouts are the forms of Date and x-amz-date clients send: the
// RFC 2616 forms (RFC 1123 with "GMT" or a numeric zone such as s3cmd's
// "+0000", RFC 850, asctime) and, leniently, ISO 8601 basic.
var v2TimeLayouts = [...]string{http.TimeFormat, time.RFC1123Z, time.RFC1123, time.RFC850, time.ANSIC, iso8601Basic}

func parseV2Time(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	for _, layout := range v2TimeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
