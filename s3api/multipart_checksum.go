package s3api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/terngate/terngate/checksum"
)

// completeChecksum reads the whole-object x-amz-checksum-<alg> of a
// CompleteMultipartUpload. A COMPOSITE value comes as "<base64>-<parts>"
// or bare (minio-go sends it bare); the suffix is checked for form here and
// kept, the rest is checked as any checksum header is. Which form matches
// the object is the multipart package's business.
func completeChecksum(h http.Header) (checksum.Spec, error) {
	bare := h.Clone()
	var suffix string
	for name, values := range bare {
		if len(values) != 1 || !strings.HasPrefix(strings.ToLower(name), "x-amz-checksum-") {
			continue
		}
		value, parts, found := strings.Cut(values[0], "-")
		if !found {
			continue
		}
		if n, err := strconv.Atoi(parts); err != nil || n < 1 || strconv.Itoa(n) != parts {
			continue // left whole, so the value check below refuses it
		}
		bare[name] = []string{value}
		suffix = "-" + parts
	}
	spec, err := checksum.FromHeaders(bare)
	if err != nil || spec.Trailer {
		return checksum.Spec{}, err
	}
	if spec.Value != "" {
		spec.Value += suffix
	}
	return spec, nil
}
