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
