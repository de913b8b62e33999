package auth

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/terngate/terngate/s3err"
)

// Browser-form uploads (POST Object) carry their signature in form fields:
// the client signs the base64 policy document itself with its SigV4 signing
// key (AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html and
// sigv4-post-example.html). Field names are matched without regard to case.

// Form field names the POST signature uses.
const (
	PostFieldPolicy     = "policy"
	PostFieldAlgorithm  = "x-amz-algorithm"
	PostFieldCredential = "x-amz-credential"
	PostFieldDate       = "x-amz-date"
	PostFieldSignature  = "x-amz-signature"
)

// errInvalidPolicyDocument is S3's code for a policy it cannot read.
var errInvalidPolicyDocument = &s3err.Error{Code: "InvalidPolicyDocument", Status: http.StatusBadRequest, Message: "Invalid Policy"}

func invalidPolicy(format string, args ...any) *s3err.Error {
	return errInvalidPolicyDocument.With("Invalid Policy: "+format, args...)
}

// policyFailure is S3's AccessDenied for a form the policy does not allow:
// "Invalid according to Policy: ...".
func policyFailure(format string, args ...any) *s3err.Error {
	return s3err.AccessDenied.With("Invalid according to Policy: "+format, args...)
}

// IsSignedPost reports whether a form's fields (names lower-cased) carry
// a signature; a form without one is an anonymous upload.
func IsSignedPost(fields map[string]string) bool {
	for _, name := range []string{PostFieldPolicy, PostFieldSignature, PostFieldCredential, "awsaccesskeyid", "signature"} {
		if _, ok := fields[name]; ok {
			return true
		}
	}
	return false
}

// VerifyPost authenticates a signed form: the x-amz-signature field must be
// the SigV4 signature of the policy field under the x-amz-credential
// scope. Signature Version 2 forms are refused as not implemented.
func (v *Verifier) VerifyPost(fields map[string]string) (Result, error) {
	if _, ok := fields["awsaccesskeyid"]; ok {
		return Result{}, s3err.NotImplemented.With("Signature Version 2 POST uploads are not implemented; sign the form with AWS4-HMAC-SHA256.")
	}
	for _, name := range []string{PostFieldPolicy, PostFieldAlgorithm, PostFieldCredential, PostFieldDate, PostFieldSignature} {
		if _, ok := fields[name]; !ok {
			return Result{}, missingPostField(name)
		}
	}
	if alg := fields[PostFieldAlgorithm]; alg != algorithmHMAC {
		return Result{}, s3err.InvalidArgument.With("Invalid X-Amz-Algorithm: %s; only %s is supported.", alg, algorithmHMAC).ForArgument(PostFieldAlgorithm, alg)
	}
	cred, err := parseCredential(fields[PostFieldCredential], v.Region, credentialErrors{s3err.InvalidArgument, "Error parsing the X-Amz-Credential parameter"})
	if err != nil {
		return Result{}, err
	}
	when, err := time.Parse(iso8601Basic, fields[PostFieldDate])
	if err != nil {
		return Result{}, s3err.InvalidArgument.With("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"").ForArgument(PostFieldDate, fields[PostFieldDate])
	}
	if v.Credentials == nil {
		return Result{}, fmt.Errorf("auth: verifier has no credentials: %w", s3err.InternalError)
	}
	secret, ok := v.Credentials.Secret(cred.accessKey)
	if !ok {
		return Result{}, s3err.InvalidAccessKeyIDFor(cred.accessKey)
	}
	key := deriveSigningKey(secret, cred.date, cred.region, cred.service)
	signature := fields[PostFieldSignature]
	if !signatureMatches(hmacSHA256(key, fields[PostFieldPolicy]), signature) {
		return Result{}, s3err.SignatureDoesNotMatch.WithFields("AWSAccessKeyId", cred.accessKey,
			"StringToSign", fields[PostFieldPolicy], "SignatureProvided", signature)
	}
	return Result{AccessKey: cred.accessKey, PayloadHash: UnsignedPayload, SigningKey: key,
		Scope: cred.scope(), Signature: signature, Date: when}, nil
}

// missingPostField is S3's answer to a form lacking a field it needs, or
// sending it after the file, where S3 no longer reads (the two spaces
// are S3's).
func missingPostField(name string) *s3err.Error {
	return s3err.InvalidArgument.With("Bucket POST must contain a field named '%s'.  If it is specified, please check the order of the fields.", name).ForArgument(name, "")
}

// MissingPostField is missingPostField for the form fields the HTTP layer
// requires (key).
func MissingPostField(name string) error { return missingPostField(name) }

// PostPolicy is a decoded POST policy document.
type PostPolicy struct {
	Expiration time.Time
	conditions []postCondition
	// sizeRange is the content-length-range condition, if any.
	sizeRange *[2]int64
}

// postCondition is one eq or starts-with condition on a field (lower-case,
// without its '$'); raw is how S3 quotes it when it fails.
type postCondition struct {
	op, field, value string
}

func (c postCondition) String() string {
	return fmt.Sprintf("[%q, \"$%s\", %q]", c.op, c.field, c.value)
}

// ParsePostPolicy decodes the base64 policy field and refuses an expired
// policy.
func ParsePostPolicy(b64 string, now time.Time) (*PostPolicy, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, invalidPolicy("Invalid JSON.")
	}
	var doc struct {
		Expiration *string            `json:"expiration"`
		Conditions *[]json.RawMessage `json:"conditions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, invalidPolicy("Invalid JSON.")
	}
	if doc.Expiration == nil {
		return nil, invalidPolicy("Policy missing expiration.")
	}
	if doc.Conditions == nil {
		return nil, invalidPolicy("Policy missing conditions.")
	}
	exp, err := time.Parse(time.RFC3339Nano, *doc.Expiration)
	if err != nil {
		return nil, invalidPolicy("Invalid 'expiration' value: '%s'", *doc.Expiration)
	}
	p := &PostPolicy{Expiration: exp}
	for _, c := range *doc.Conditions {
		if err := p.addCondition(c); err != nil {
			return nil, err
		}
	}
	if !now.Before(exp) {
		return nil, policyFailure("Policy expired.")
	}
	return p, nil
}

// addCondition parses one condition: {"field": "value"} (exact match),
// ["eq"|"starts-with", "$field", "value"] or
// ["content-length-range", min, max].
func (p *PostPolicy) addCondition(raw json.RawMessage) error {
	var exact map[string]string
	if err := json.Unmarshal(raw, &exact); err == nil {
		if len(exact) != 1 {
			return invalidPolicy("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
		}
		for field, value := range exact {
			p.conditions = append(p.conditions, postCondition{"eq", strings.ToLower(field), value})
		}
		return nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || len(list) != 3 {
		return invalidPolicy("Invalid Condition: %s", raw)
	}
	var op string
	if err := json.Unmarshal(list[0], &op); err != nil {
		return invalidPolicy("Invalid Condition: %s", raw)
	}
	switch op = strings.ToLower(op); op {
	case "content-length-range":
		lo, err1 := policyInt(list[1])
		hi, err2 := policyInt(list[2])
		if err1 != nil || err2 != nil || lo < 0 || hi < lo {
			return invalidPolicy("Invalid content-length-range: %s", raw)
		}
		p.sizeRange = &[2]int64{lo, hi}
		return nil
	case "eq", "starts-with":
		var field, value string
		if json.Unmarshal(list[1], &field) != nil || json.Unmarshal(list[2], &value) != nil || !strings.HasPrefix(field, "$") {
			return invalidPolicy("Invalid Condition: %s", raw)
		}
		p.conditions = append(p.conditions, postCondition{op, strings.ToLower(field[1:]), value})
		return nil
	}
	return invalidPolicy("Invalid Condition: %s", raw)
}

// policyInt reads a number that a policy may write as a JSON number or a
// string.
func policyInt(raw json.RawMessage) (int64, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strconv.ParseInt(s, 10, 64)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, err
	}
	return n.Int64()
}

// postUncheckedFields need no condition: the signature and the policy
// itself, the file, and the x-ignore- prefix (sigv4-HTTPPOSTConstructPolicy:
// "Each form field that you specify in a form (except x-amz-signature,
// file, policy, and field names that have an x-ignore- prefix) must appear
// in the list of conditions.").
var postUncheckedFields = map[string]bool{PostFieldSignature: true, "file": true, PostFieldPolicy: true}

// Check verifies fields (names lower-cased; the request's bucket under
// "bucket") against every condition, and that each field is covered by
// one.
func (p *PostPolicy) Check(fields map[string]string) error {
	covered := make(map[string]bool, len(p.conditions))
	for _, c := range p.conditions {
		covered[c.field] = true
		v := fields[c.field]
		ok := v == c.value
		if c.op == "starts-with" {
			ok = strings.HasPrefix(v, c.value)
		}
		if !ok {
			return policyFailure("Policy Condition failed: %s", c)
		}
	}
	var extra []string
	for name := range fields {
		if !covered[name] && !postUncheckedFields[name] && !strings.HasPrefix(name, "x-ignore-") {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		return policyFailure("Extra input fields: %s", strings.Join(extra, ", "))
	}
	return nil
}

// SizeRange returns the content-length-range condition; ok is false when
// the policy has none.
func (p *PostPolicy) SizeRange() (min, max int64, ok bool) {
	if p.sizeRange == nil {
		return 0, 0, false
	}
	return p.sizeRange[0], p.sizeRange[1], true
}
