package auth

import (
	"fmt"
	"time"

	"github.com/terngate/terngate/s3err"
)

// awsTimeFormat is how AWS writes times in error documents.
const awsTimeFormat = "2006-01-02T15:04:05Z"

// errV2SignatureMismatch carries what AWS adds to a V2 SignatureDoesNotMatch
// so a client can see the canonicalisation used: the key, the string signed
// (and its bytes in hex) and the signature that was sent.
func errV2SignatureMismatch(accessKey, stringToSign, provided string) error {
	return s3err.SignatureDoesNotMatch.WithFields(
		"AWSAccessKeyId", accessKey,
		"StringToSign", stringToSign,
		"SignatureProvided", provided,
		"StringToSignBytes", fmt.Sprintf("% x", stringToSign),
	)
}

// errV2Expired is AccessDenied "Request has expired" with the URL's expiry
// and the server's clock.
func errV2Expired(expires, now time.Time) error {
	return s3err.AccessDenied.With("Request has expired").WithFields(
		"Expires", expires.UTC().Format(awsTimeFormat),
		"ServerTime", now.UTC().Format(awsTimeFormat),
	)
}

// errV2UnknownKey names the access key that is not known.
func errV2UnknownKey(accessKey string) error {
	return s3err.InvalidAccessKeyIDFor(accessKey)
}
