package auth

import (
	"net/http"
	"strconv"

	"github.com/terngate/terngate/s3err"
)

// minChunkSize is the smallest chunk AWS accepts before the last one.
const minChunkSize = 8192

// Errors of aws-chunked decoding that the shared catalogue lacks. Codes,
// statuses and messages are AWS's: S3 answers every variant of a malformed
// trailer, and of a broken chunk framing, with one fixed sentence.
//
// Sources: the MalformedTrailerError and InvalidChunkSizeError rows of the
// S3 error code list (docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html);
// "The request body terminated unexpectedly" is what S3 answers to a broken
// or short aws-chunked body, as recorded by S3 reimplementations tested
// against it (s3rver lib/signature/v4.js, OpenStack Swift s3api
// translate_read_errors, versitygw's IncompleteBody tests).
var (
	// ErrInvalidChunkSize reports a chunk before the last one that is
	// smaller than 8 KiB (or larger than the decoder accepts).
	ErrInvalidChunkSize = &s3err.Error{Code: "InvalidChunkSizeError", Status: http.StatusForbidden, Message: "Only the last chunk is allowed to have a size less than 8192 bytes"}
	// ErrMalformedTrailer reports a trailer section that cannot be parsed,
	// lacks its signature, or holds a trailer x-amz-trailer did not declare.
	ErrMalformedTrailer = &s3err.Error{Code: "MalformedTrailerError", Status: http.StatusBadRequest, Message: "The request contained trailing data that was not well-formed or did not conform to our published schema."}
	// ErrChunkedBodyIncomplete reports an aws-chunked body whose framing is
	// broken, truncated or continued past its end, or whose decoded length
	// is not x-amz-decoded-content-length.
	ErrChunkedBodyIncomplete = s3err.IncompleteBody.With("The request body terminated unexpectedly")
)

// invalidChunkSize is ErrInvalidChunkSize with AWS's Chunk and BadChunkSize
// elements. S3 notices an undersized chunk when it parses the next chunk's
// header, and Chunk is the 1-based number of that next chunk (s3rver
// lib/signature/v4.js notes the same off-by-one in S3's answers).
func invalidChunkSize(chunk int, size int64) *s3err.Error {
	return ErrInvalidChunkSize.WithFields("Chunk", strconv.Itoa(chunk), "BadChunkSize", strconv.FormatInt(size, 10))
}
