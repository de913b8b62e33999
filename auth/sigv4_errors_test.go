package auth

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/s3err"
)

// TestSignatureMismatchElements sends AWS's documented GET example
// (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html)
// with a wrong signature: S3's SignatureDoesNotMatch then carries the key,
// the string to sign, the signature sent, the canonical request and the
// bytes of both, in that order (S3's document as quoted in
// minio/minio#2986). The canonical request and string to sign are the
// ones the AWS page lists for that example.
func TestSignatureMismatchElements(t *testing.T) {
	docTime := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	v := &Verifier{
		Region:      "us-east-1",
		Credentials: staticCreds{"AKIAIOSFODNN7EXAMPLE": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
		Now:         func() time.Time { return docTime },
	}
	wrong := strings.Repeat("0", 64)
	r := &Request{Method: "GET", Host: "examplebucket.s3.amazonaws.com", RawPath: "/test.txt", Header: http.Header{
		"Range":                {"bytes=0-9"},
		"X-Amz-Content-Sha256": {emptySHA256},
		"X-Amz-Date":           {"20130524T000000Z"},
		"Authorization": {"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
			"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=" + wrong},
	}}
	const canonical = "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n" +
		"x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n" +
		"x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n" +
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	const stringToSign = "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n" +
		"7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"

	_, err := v.Verify(r)
	var e *s3err.Error
	if !errors.As(err, &e) || e.Code != "SignatureDoesNotMatch" {
		t.Fatalf("err = %v, want SignatureDoesNotMatch", err)
	}
	want := []s3err.Field{
		{Name: "AWSAccessKeyId", Value: "AKIAIOSFODNN7EXAMPLE"},
		{Name: "StringToSign", Value: stringToSign},
		{Name: "SignatureProvided", Value: wrong},
		{Name: "StringToSignBytes", Value: spacedHex(stringToSign)},
		{Name: "CanonicalRequest", Value: canonical},
		{Name: "CanonicalRequestBytes", Value: spacedHex(canonical)},
	}
	if len(e.Fields) != len(want) {
		t.Fatalf("fields %q, want %q", e.Fields, want)
	}
	for i := range want {
		if e.Fields[i] != want[i] {
			t.Errorf("field %d = %q, want %q", i, e.Fields[i], want[i])
		}
	}
	if !strings.HasPrefix(e.Field("StringToSignBytes"), "41 57 53 34 2d 48 4d 41 43") { // "AWS4-HMAC"
		t.Errorf("StringToSignBytes = %.30q..., want S3's space-separated hex", e.Field("StringToSignBytes"))
	}
}

func spacedHex(s string) string {
	const digits = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(digits[s[i]>>4])
		b.WriteByte(digits[s[i]&15])
	}
	return b.String()
}

// TestHeadersNotSignedListsAll names every unsigned x-amz-* header, sorted.
// S3 is on record with one name only; several are joined with ", " here.
func TestHeadersNotSignedListsAll(t *testing.T) {
	r := signedServerRequest(t)
	r.Header.Set("X-Amz-Meta-B", "1")
	r.Header.Set("X-Amz-Meta-A", "1")
	_, err := newTestVerifier().Verify(r)
	wantS3Err(t, err, s3err.AccessDenied, "There were headers present in the request which were not signed")
	if got := s3err.As(err).Field("HeadersNotSigned"); got != "x-amz-meta-a, x-amz-meta-b" {
		t.Errorf("HeadersNotSigned = %q", got)
	}
}

// TestAuthErrorTextsAsS3Sends pins the messages S3 sends for malformed
// SigV4 authentication, each as recorded from S3 in the issue named:
//   - ex-aws/ex_aws#537, robmcvey/cakephp-amazon-s3#15: a header without
//     its three fields;
//   - ex-aws/ex_aws#987, s3fs-fuse/s3fs-fuse#2612: an empty access key;
//   - krobertson/deb-s3#157: a credential of the wrong shape;
//   - JuliaServices/CloudStore.jl#52: another region, named in <Region>;
//   - bryanjos/aws_auth#31, aws/aws-cli#5464: X-Amz-Expires over a week;
//   - minio/minio-js#1312: X-Amz-Expires not a number;
//   - JustinM1/S3SignerAWS#12: X-Amz-Date not ISO 8601 basic.
func TestAuthErrorTextsAsS3Sends(t *testing.T) {
	authz := func(r *Request) string { return r.Header.Get("Authorization") }
	header := []struct {
		name   string
		mutate func(r *Request)
		msg    string
	}{
		{"no signature field", func(r *Request) {
			a := authz(r)
			r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
		}, "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature."},
		{"unknown field", func(r *Request) {
			r.Header.Set("Authorization", strings.Replace(authz(r), "SignedHeaders=", "Headers=", 1))
		}, "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature."},
		{"empty access key", func(r *Request) {
			r.Header.Set("Authorization", strings.Replace(authz(r), "Credential="+testAccessKey, "Credential=", 1))
		}, "The authorization header is malformed; a non-empty Access Key (AKID) must be provided in the credential."},
		{"short credential", func(r *Request) {
			r.Header.Set("Authorization", strings.Replace(authz(r), "/s3/aws4_request", "", 1))
		}, `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`},
	}
	for _, tc := range header {
		t.Run("header/"+tc.name, func(t *testing.T) {
			r := signedServerRequest(t)
			tc.mutate(r)
			_, err := newTestVerifier().Verify(r)
			wantS3Err(t, err, s3err.AuthorizationHeaderMalformed, tc.msg)
			if e := s3err.As(err); e.Status != 400 || len(e.Fields) != 0 {
				t.Errorf("status %d, elements %v; want 400 and none", e.Status, e.Fields)
			}
		})
	}

	query := []struct {
		name   string
		mutate func(r *Request, v *Verifier)
		msg    string
		fields []s3err.Field
	}{
		{"expires over a week", func(r *Request, v *Verifier) { r.RawQuery = setParam(r.RawQuery, "X-Amz-Expires", "604801") },
			"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds", nil},
		{"expires not a number", func(r *Request, v *Verifier) { r.RawQuery = setParam(r.RawQuery, "X-Amz-Expires", "soon") },
			"X-Amz-Expires should be a number", nil},
		{"date not ISO 8601", func(r *Request, v *Verifier) { r.RawQuery = setParam(r.RawQuery, "X-Amz-Date", "2024-05-17") },
			`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`, nil},
		{"no signature", func(r *Request, v *Verifier) { r.RawQuery = delParam(r.RawQuery, "X-Amz-Signature") },
			"Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.", nil},
		{"empty access key", func(r *Request, v *Verifier) {
			r.RawQuery = setParam(r.RawQuery, "X-Amz-Credential", "/20240517/us-east-1/s3/aws4_request")
		}, "Error parsing the X-Amz-Credential parameter; a non-empty Access Key (AKID) must be provided in the credential.", nil},
		{"another region", func(r *Request, v *Verifier) { v.Region = "eu-west-1" },
			"Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
			[]s3err.Field{{Name: "Region", Value: "eu-west-1"}}},
	}
	for _, tc := range query {
		t.Run("query/"+tc.name, func(t *testing.T) {
			r := presignedServerRequest(t, "GET", "/bucket/key", "", nil, 900)
			v := newTestVerifier()
			tc.mutate(r, v)
			_, err := v.Verify(r)
			wantS3Err(t, err, s3err.AuthorizationQueryParametersError, tc.msg)
			e := s3err.As(err)
			if e.Status != 400 || len(e.Fields) != len(tc.fields) {
				t.Fatalf("status %d, elements %v; want 400 and %v", e.Status, e.Fields, tc.fields)
			}
			for i := range tc.fields {
				if e.Fields[i] != tc.fields[i] {
					t.Errorf("element %d = %v, want %v", i, e.Fields[i], tc.fields[i])
				}
			}
		})
	}
}

// TestInvalidArgumentNamesTheHeader: S3's InvalidArgument about a header
// names it and echoes its value: "Unsupported Authorization Type"
// (versity/versitygw#1705 records S3's document) and a bad
// x-amz-content-sha256 (versity/versitygw#1352,
// irods/irods_resource_plugin_s3#1833).
func TestInvalidArgumentNamesTheHeader(t *testing.T) {
	for _, tc := range []struct {
		name, header, value, msg, argument string
	}{
		{"authorization scheme", "Authorization", "AWS4-HMAC-SHA25 Credential=x", "Unsupported Authorization Type", "Authorization"},
		{"content sha256", "X-Amz-Content-Sha256", "GIBBERISH", errInvalidContentSHA256.Message, "x-amz-content-sha256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signedServerRequest(t)
			r.Header.Set(tc.header, tc.value)
			_, err := newTestVerifier().Verify(r)
			wantS3Err(t, err, s3err.InvalidArgument, tc.msg)
			e := s3err.As(err)
			if e.Field("ArgumentName") != tc.argument || e.Field("ArgumentValue") != tc.value {
				t.Errorf("elements %v, want ArgumentName %s, ArgumentValue %q", e.Fields, tc.argument, tc.value)
			}
		})
	}
}

// TestSigV2HeaderErrorsNameTheHeader: a malformed SigV2 Authorization header
// is InvalidArgument with S3's texts, naming and echoing the header as S3's
// InvalidArgument about that header does (versity/versitygw#1705).
func TestSigV2HeaderErrorsNameTheHeader(t *testing.T) {
	for _, tc := range []struct{ header, msg string }{
		{"AWS AKID", "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature"},
		{"AWS AKID: sig", "Authorization header is invalid -- one and only one ' ' (space) required"},
	} {
		_, _, err := parseV2Authorization(tc.header)
		wantS3Err(t, err, s3err.InvalidArgument, tc.msg)
		if e := s3err.As(err); e.Field("ArgumentName") != "Authorization" || e.Field("ArgumentValue") != tc.header {
			t.Errorf("%q: elements %v", tc.header, e.Fields)
		}
	}
}
