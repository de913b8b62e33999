package s3api

import "github.com/terngate/terngate/s3err"

// refuseAnonymousOverrides refuses GET's response-* parameters on a
// request without credentials: S3 lets only a signed (or presigned)
// request choose the headers of its response.
func refuseAnonymousOverrides(r *request) error {
	if !r.anonymous() {
		return nil
	}
	for _, o := range responseOverrides {
		if r.hasParam(o.param) {
			return s3err.InvalidRequest.With("Request specific response headers cannot be used for anonymous GET requests.")
		}
	}
	return nil
}
