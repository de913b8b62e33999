package s3api

import (
	"strings"

	"github.com/terngate/terngate/checksum"
	"github.com/terngate/terngate/store/objects"
)

// setStoredChecksumHeaders writes an object's stored checksums as
// x-amz-checksum-<alg> headers with their x-amz-checksum-type.
func setStoredChecksumHeaders(r *request, md objects.Metadata) {
	if len(md.Checksums) == 0 {
		return
	}
	for alg, value := range md.Checksums {
		r.setHeader(checksum.HeaderName(checksum.Algorithm(alg)), value)
	}
	typ := md.ChecksumType
	if typ == "" {
		typ = checksumTypeFullObject
	}
	r.setHeader("x-amz-checksum-type", typ)
}

// checksumModeEnabled reports whether a GET or HEAD asked for the stored
// checksums (x-amz-checksum-mode: ENABLED).
func checksumModeEnabled(r *request) bool {
	return strings.EqualFold(strings.TrimSpace(r.header("x-amz-checksum-mode")), "ENABLED")
}

// withoutAWSChunked removes the aws-chunked transfer coding from a
// Content-Encoding list: it describes how this request's body was framed,
// not the object, and must not be served back. Other codings stay, in order.
func withoutAWSChunked(contentEncoding string) string {
	if !strings.Contains(strings.ToLower(contentEncoding), "aws-chunked") {
		return contentEncoding
	}
	var kept []string
	for _, coding := range strings.Split(contentEncoding, ",") {
		coding = strings.TrimSpace(coding)
		if coding == "" || strings.EqualFold(coding, "aws-chunked") {
			continue
		}
		kept = append(kept, coding)
	}
	return strings.Join(kept, ",")
}
