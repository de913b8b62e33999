package auth

import (
	"strings"

	"github.com/terngate/terngate/s3err"
)

// authorization is the parsed Authorization header of a SigV4 request.
type authorization struct {
	credential    string
	signedHeaders string
	signature     string
}

var (
	errUnsupportedAuthType = s3err.InvalidArgument.With("Unsupported Authorization Type")
	// errAuthorizationComponents is S3's answer to a header without exactly
	// the three fields (ex-aws/ex_aws#537 records it).
	errAuthorizationComponents = s3err.AuthorizationHeaderMalformed.With("The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.")
)

// parseAuthorization reads
// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
// The three fields may come in any order, separated by commas with optional
// spaces, each exactly once.
func parseAuthorization(header string) (authorization, error) {
	header = strings.TrimSpace(header)
	alg, rest, _ := strings.Cut(header, " ")
	if alg != algorithmHMAC {
		// S3 names the header and echoes it (versity/versitygw#1705).
		return authorization{}, errUnsupportedAuthType.ForArgument("Authorization", header)
	}
	var a authorization
	seen := 0
	for field := range strings.SplitSeq(rest, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok || value == "" {
			return authorization{}, errAuthorizationComponents
		}
		var dst *string
		switch key {
		case "Credential":
			dst = &a.credential
		case "SignedHeaders":
			dst = &a.signedHeaders
		case "Signature":
			dst = &a.signature
		default:
			return authorization{}, errAuthorizationComponents
		}
		if *dst != "" {
			return authorization{}, errAuthorizationComponents
		}
		*dst = value
		seen++
	}
	if seen != 3 {
		return authorization{}, errAuthorizationComponents
	}
	return a, nil
}
