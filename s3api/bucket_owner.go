package s3api

import (
	"strings"

	"github.com/terngate/terngate/s3err"
)

// checkExpectedOwners enforces x-amz-expected-bucket-owner on the target
// bucket and x-amz-source-expected-bucket-owner on a copy's source bucket:
// a mismatch is AccessDenied (403), as on AWS. AWS compares a 12-digit
// account ID; terngate has no accounts, and the ID it shows as a bucket's
// owner (ListBuckets' and GetBucketAcl's Owner ID) is the owning user's
// name, so that is what the header must name. A missing bucket is left to
// the handler (NoSuchBucket).
func (s *server) checkExpectedOwners(r *request) error {
	if r.hasHeader("x-amz-expected-bucket-owner") && r.bucket != "" {
		access := r.access
		if !access.exists {
			// authorize does not load the bucket for CreateBucket.
			var err error
			if access, err = s.loadAccess(r, r.bucket); err != nil {
				return err
			}
		}
		if access.exists && !ownerMatches(r.header("x-amz-expected-bucket-owner"), access) {
			return s3err.AccessDenied
		}
	}
	if r.hasHeader("x-amz-source-expected-bucket-owner") && r.hasHeader("x-amz-copy-source") {
		src, err := parseCopySource(r.header("x-amz-copy-source"))
		if err != nil {
			return err
		}
		access, err := s.loadAccess(r, src.bucket)
		if err != nil {
			return err
		}
		if access.exists && !ownerMatches(r.header("x-amz-source-expected-bucket-owner"), access) {
			return s3err.AccessDenied
		}
	}
	return nil
}

func ownerMatches(expected string, access bucketAccess) bool {
	return access.owner != "" && strings.TrimSpace(expected) == access.owner
}
