package auth

import (
	"strings"

	"github.com/terngate/terngate/s3err"
)

// The x-amz-content-sha256 values other than a hex digest.
const (
	UnsignedPayload                 = "UNSIGNED-PAYLOAD"
	StreamingPayload                = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"

	streamingECDSAPayload        = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
	streamingECDSAPayloadTrailer = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
)

// invalidContentSHA256 names the value sent, as S3 does
// (versity/versitygw#1352 and irods/irods_resource_plugin_s3#1833 record
// S3's document).
func invalidContentSHA256(v string) error {
	return errInvalidContentSHA256.ForArgument("x-amz-content-sha256", v)
}

var errInvalidContentSHA256 = s3err.InvalidArgument.With("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")

func isHexDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if _, ok := unhex(s[i]); !ok {
			return false
		}
	}
	return true
}

// checkPayloadHash validates an x-amz-content-sha256 value and returns the
// form Result exposes (hex digests lower-cased).
func checkPayloadHash(v string) (string, error) {
	switch v {
	case UnsignedPayload, StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer:
		return v, nil
	case streamingECDSAPayload, streamingECDSAPayloadTrailer:
		// SigV4a (ECDSA) signing is not implemented.
		return "", s3err.NotImplemented.ForHeader("x-amz-content-sha256")
	}
	if isHexDigest(v) {
		return strings.ToLower(v), nil
	}
	return "", invalidContentSHA256(v)
}
