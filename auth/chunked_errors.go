package auth

import (
	"net/http"

	"github.com/terngate/terngate/s3err"
)

// Errors of aws-chunked decoding that the shared catalogue lacks. Codes,
// statuses and default messages are AWS's; the decoder specialises the
// message with With.
var (
	// ErrInvalidChunkSize reports a chunk size that is not hex or is beyond
	// what the decoder accepts.
	ErrInvalidChunkSize = &s3err.Error{Code: "InvalidChunkSizeError", Status: http.StatusForbidden, Message: "Only the last chunk is allowed to have a size less than 8192 bytes"}
	// ErrMalformedTrailer reports a trailer section that cannot be parsed or
	// lacks its signature.
	ErrMalformedTrailer = &s3err.Error{Code: "MalformedTrailerError", Status: http.StatusBadRequest, Message: "The request contained trailing data that was not well-formed or did not conform to our published schema."}
)

var (
	errChunkTruncated    = s3err.IncompleteBody.With("The request body ended before its aws-chunked encoding was complete.")
	errChunkFraming      = s3err.IncompleteBody.With("The aws-chunked encoding of the request body is malformed.")
	errChunkTrailingData = s3err.IncompleteBody.With("The request body continues after the end of its aws-chunked encoding.")
)
