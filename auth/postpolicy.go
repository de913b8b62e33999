package auth

import (
	"bytes"
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

// postSignatureFields are the fields a signed form must carry, in the
// order S3 reports a missing one, with the spelling it names them by.
var postSignatureFields = []struct{ name, spelled string }{
	{PostFieldAlgorithm, "X-Amz-Algorithm"},
	{PostFieldCredential, "X-Amz-Credential"},
	{PostFieldSignature, "X-Amz-Signature"},
	{PostFieldDate, "X-Amz-Date"},
	{PostFieldPolicy, "Policy"},
}

// VerifyPost authenticates a signed form: the x-amz-signature field must be
// the SigV4 signature of the policy field, as received, under the
// x-amz-credential scope. Signature Version 2 forms are refused as not
// implemented. The errors are S3's as recorded in public captures
// (LocalStack's AWS-validated TestS3PresignedPost; aws/aws-sdk-js#2529,
// outline/outline#7060, michaeldyrynda/s3upload#1, Fausto95/aws-s3#65).
func (v *Verifier) VerifyPost(fields map[string]string) (Result, error) {
	if _, ok := fields["awsaccesskeyid"]; ok {
		return Result{}, s3err.NotImplemented.With("Signature Version 2 POST uploads are not implemented; sign the form with AWS4-HMAC-SHA256.")
	}
	for _, f := range postSignatureFields {
		if _, ok := fields[f.name]; !ok {
			return Result{}, missingPostField(f.spelled)
		}
	}
	if alg := fields[PostFieldAlgorithm]; alg != algorithmHMAC {
		return Result{}, s3err.InvalidArgument.With("X-Amz-Algorithm only supports \"%s\"", algorithmHMAC).ForArgument("X-Amz-Algorithm", alg)
	}
	credValue := fields[PostFieldCredential]
	cred, err := parseCredential(credValue, v.Region, credentialErrors{s3err.InvalidArgument, postCredentialPrefix})
	if err != nil {
		return Result{}, postCredentialError(err, credValue)
	}
	when, err := time.Parse(iso8601Basic, fields[PostFieldDate])
	if err != nil {
		// "formated" is S3's spelling.
		return Result{}, s3err.InvalidArgument.With("X-Amz-Date must be formated via ISO8601 Long format").ForArgument("X-Amz-Date", fields[PostFieldDate])
	}
	if v.Credentials == nil {
		return Result{}, fmt.Errorf("auth: verifier has no credentials: %w", s3err.InternalError)
	}
	secret, ok := v.Credentials.Secret(cred.accessKey)
	if !ok {
		return Result{}, s3err.InvalidAccessKeyIDFor(cred.accessKey)
	}
	key := deriveSigningKey(secret, cred.date, cred.region, cred.service)
	policy, signature := fields[PostFieldPolicy], fields[PostFieldSignature]
	if !signatureMatches(hmacSHA256(key, policy), signature) {
		return Result{}, s3err.SignatureDoesNotMatch.WithFields("AWSAccessKeyId", cred.accessKey,
			"StringToSign", policy, "SignatureProvided", signature, "StringToSignBytes", fmt.Sprintf("% x", policy))
	}
	return Result{AccessKey: cred.accessKey, PayloadHash: UnsignedPayload, SigningKey: key,
		Scope: cred.scope(), Signature: signature, Date: when}, nil
}

// postCredentialPrefix marks the presigned-URL prefix parseCredential puts
// on its messages; a form's errors go without it and name the field.
const postCredentialPrefix = "\x00post"

func postCredentialError(err error, value string) error {
	e := s3err.As(err)
	if e.Code != s3err.InvalidArgument.Code {
		return err
	}
	msg := strings.TrimPrefix(e.Message, postCredentialPrefix+"; ")
	out := s3err.InvalidArgument.With("%s", msg).ForArgument("X-Amz-Credential", value)
	if region := e.Field("Region"); region != "" {
		out = out.WithFields("Region", region)
	}
	return out
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

// postCondition is one eq or starts-with condition on a field; field is
// lower-cased without its '$', spelled as the policy wrote it (S3 quotes a
// failed condition in the policy's spelling).
type postCondition struct {
	op, field, spelled, value string
}

func (c postCondition) String() string {
	return fmt.Sprintf("[%q, %q, %q]", c.op, c.spelled, c.value)
}

// ParsePostPolicy decodes the base64 policy field and refuses an expired
// policy. The texts are S3's where public captures record them (see the
// tests), versitygw's model of them elsewhere.
func ParsePostPolicy(b64 string, now time.Time) (*PostPolicy, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, invalidPolicy("invalid Base64 encoding.")
	}
	var doc map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, invalidPolicy("Invalid JSON.")
	}
	// Member names are case-sensitive (ceph/s3-tests
	// test_post_object_expires_is_case_sensitive).
	for name := range doc {
		if name != "expiration" && name != "conditions" {
			return nil, invalidPolicy("Unexpected: '%s'", strings.ToLower(name))
		}
	}
	expRaw, ok := doc["expiration"]
	if !ok {
		return nil, invalidPolicy("Policy missing expiration.")
	}
	condRaw, ok := doc["conditions"]
	if !ok {
		return nil, invalidPolicy("Policy missing conditions.")
	}
	var expText string
	if json.Unmarshal(expRaw, &expText) != nil {
		return nil, invalidPolicy("Invalid JSON.")
	}
	// Only UTC is accepted: an offset or a space for the T is refused
	// (dwilkie/carrierwave_direct#2, #189).
	exp, err := time.Parse(time.RFC3339Nano, expText)
	if err != nil || !strings.HasSuffix(expText, "Z") {
		return nil, invalidPolicy("Invalid 'expiration' value: '%s'", expText)
	}
	var conds []json.RawMessage
	if json.Unmarshal(condRaw, &conds) != nil {
		return nil, invalidPolicy("Invalid 'conditions' value: must be a List.")
	}
	p := &PostPolicy{Expiration: exp}
	for _, c := range conds {
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
	switch bytes.TrimSpace(raw)[0] {
	case '{':
		return p.addSimpleCondition(raw)
	case '[':
	default:
		return invalidPolicy("Invalid condition test: must be a List or Object.")
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return invalidPolicy("Invalid JSON.")
	}
	if len(list) == 0 {
		return invalidPolicy("Invalid Condition: missing operation identifier.")
	}
	var op string
	if json.Unmarshal(list[0], &op) != nil {
		return invalidPolicy("Invalid JSON.")
	}
	if len(list) != 3 {
		return invalidPolicy("Invalid %s: wrong number of arguments.", op)
	}
	switch strings.ToLower(op) {
	case "content-length-range":
		lo, err1 := policyInt(list[1])
		hi, err2 := policyInt(list[2])
		if err1 != nil || err2 != nil {
			// A float bound is "Invalid JSON." (repost.aws QUo27u4OYpTA).
			return invalidPolicy("Invalid JSON.")
		}
		if lo < 0 || hi < lo {
			return invalidPolicy("Invalid content-length-range: %s", raw)
		}
		p.sizeRange = &[2]int64{lo, hi}
		return nil
	case "eq", "starts-with":
		var field, value string
		if json.Unmarshal(list[1], &field) != nil || json.Unmarshal(list[2], &value) != nil {
			return invalidPolicy("Invalid JSON.")
		}
		// A field without its '$' names no form field: the condition
		// always fails, quoted as written (LocalStack's AWS-validated
		// test_s3_presigned_post_success_action_redirect_eq).
		name := strings.ToLower(strings.TrimPrefix(field, "$"))
		if !strings.HasPrefix(field, "$") {
			name = "\x00" + name
		}
		p.conditions = append(p.conditions, postCondition{strings.ToLower(op), name, field, value})
		return nil
	}
	return invalidPolicy("Invalid Condition: unknown operation '%s'.", op)
}

// addSimpleCondition parses {"field": "value"}, which S3 quotes as an eq
// condition when it fails (boto/boto3#4514).
func (p *PostPolicy) addSimpleCondition(raw json.RawMessage) error {
	var exact map[string]json.RawMessage
	if json.Unmarshal(raw, &exact) != nil {
		return invalidPolicy("Invalid JSON.")
	}
	if len(exact) != 1 {
		return invalidPolicy("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
	}
	for field, rawValue := range exact {
		var value *string
		if json.Unmarshal(rawValue, &value) != nil {
			return invalidPolicy("Invalid Simple-Condition: value must be a string.")
		}
		if value == nil {
			return invalidPolicy("Invalid JSON.")
		}
		p.conditions = append(p.conditions, postCondition{"eq", strings.ToLower(field), "$" + field, *value})
	}
	return nil
}

// policyInt reads a whole number that a policy may write as a JSON number
// or a string.
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

// Check verifies the form's fields (names lower-cased) against every
// condition, a condition on $bucket against the addressed bucket, and that
// each field is covered by one. A condition on a field the form lacks fails, even starts-with ""
// (waynehoover/s3_direct_upload#29). spelled gives a field's name as the
// form sent it, which S3 names an uncovered field by
// (stackoverflow.com/q/54014351).
func (p *PostPolicy) Check(bucket string, fields, spelled map[string]string) error {
	covered := make(map[string]bool, len(p.conditions))
	for _, c := range p.conditions {
		covered[c.field] = true
		v, present := fields[c.field]
		if c.field == "bucket" {
			v, present = bucket, true
		}
		ok := present && v == c.value
		if c.op == "starts-with" {
			ok = present && strings.HasPrefix(v, c.value)
		}
		if !ok {
			return policyFailure("Policy Condition failed: %s", c)
		}
	}
	var extra []string
	for name := range fields {
		if !covered[name] && !postUncheckedFields[name] && !strings.HasPrefix(name, "x-ignore-") {
			sent := spelled[name]
			if sent == "" {
				sent = name
			}
			extra = append(extra, sent)
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
