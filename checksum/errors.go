package checksum

import (
	"net/http"
	"strings"

	"github.com/terngate/terngate/s3err"
)

// The constructors below give AWS's exact messages (as observed by S3
// compatibility suites that run against AWS); the codes come from the s3err
// catalogue.

// errUnsupportedAlgorithm lists the valid types as AWS's message does; the
// list is built from Algorithms() so it names exactly what we accept.
func errUnsupportedAlgorithm() *s3err.Error {
	names := make([]string, 0, len(Algorithms()))
	for _, a := range Algorithms() {
		names = append(names, string(a))
	}
	return s3err.InvalidRequest.With("Checksum algorithm provided is unsupported. "+
		"Please try again with any of the valid types: [%s]", strings.Join(names, ", "))
}

func errInvalidSDKAlgorithm() *s3err.Error {
	return s3err.InvalidRequest.With("Value for x-amz-sdk-checksum-algorithm header is invalid.")
}

func errSDKAlgorithmWithoutValue() *s3err.Error {
	return s3err.InvalidRequest.With("x-amz-sdk-checksum-algorithm specified, " +
		"but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
}

func errMultipleChecksumHeaders() *s3err.Error {
	return s3err.InvalidRequest.With("Expecting a single x-amz-checksum- header. " +
		"Multiple checksum Types are not allowed.")
}

// errHeaderAndTrailer is AWS's (shorter) message when one checksum comes as a
// header and another is promised as a trailer.
func errHeaderAndTrailer() *s3err.Error {
	return s3err.InvalidRequest.With("Expecting a single x-amz-checksum- header")
}

func errUnknownChecksumHeader() *s3err.Error {
	return s3err.InvalidRequest.With("The algorithm type you specified in x-amz-checksum- header is invalid.")
}

func errUnsupportedTrailer() *s3err.Error {
	return s3err.InvalidRequest.With("The value specified in the x-amz-trailer header is not supported")
}

func errInvalidHeaderValue(a Algorithm) *s3err.Error {
	return s3err.InvalidRequest.With("Value for %s header is invalid.", HeaderName(a))
}

func errInvalidTrailerValue(a Algorithm) *s3err.Error {
	return s3err.InvalidRequest.With("Value for %s trailing header is invalid.", HeaderName(a))
}

func errMismatch(a Algorithm) *s3err.Error {
	return s3err.BadDigest.With("The %s you specified did not match the calculated checksum.", a)
}

// errMissingTrailer is S3's MalformedTrailerError, for a checksum promised in
// x-amz-trailer that never arrived. The s3err catalogue has no entry for it
// yet, so it is built here with AWS's code, status and message.
func errMissingTrailer() *s3err.Error {
	return &s3err.Error{
		Code:    "MalformedTrailerError",
		Status:  http.StatusBadRequest,
		Message: "The request contained trailing data that was not well-formed or did not conform to our published schema.",
	}
}
