package s3api

import (
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// authorizeLock checks what Object Lock asks beyond the operation's own
// action: a write that sets a retention or a legal hold also needs
// s3:PutObjectRetention or s3:PutObjectLegalHold (API_PutObject: "To use
// ... you must have the s3:PutObjectRetention permission"), and a request
// asking to bypass GOVERNANCE retention gets the bypass only with
// s3:BypassGovernanceRetention; without it the request goes on as if it
// had not asked, and the lock decides (AWS user guide,
// object-lock-managing: bypassing governance mode).
func (s *server) authorizeLock(r *request, access bucketAccess, op string) error {
	if lockHeaderOperations[op] {
		if r.hasHeader(lockModeHeader) && !s.permits(r, access, "PutObjectRetention", r.bucket, r.key) {
			return s3err.AccessDenied
		}
		if r.hasHeader(lockLegalHoldHeader) && !s.permits(r, access, "PutObjectLegalHold", r.bucket, r.key) {
			return s3err.AccessDenied
		}
	}
	// DeleteObjects judges the bypass key by key (deleteObjects).
	if bypassOperations[op] && op != "DeleteObjects" && bypassRequested(r) && s.permits(r, access, "BypassGovernanceRetention", r.bucket, r.key) {
		r.ctx = objects.WithGovernanceBypass(r.ctx)
	}
	if op == "GetObject" || op == "HeadObject" {
		r.lockShown = lockVisibility{
			retention: s.permits(r, access, "GetObjectRetention", r.bucket, r.key),
			legalHold: s.permits(r, access, "GetObjectLegalHold", r.bucket, r.key),
		}
	}
	return nil
}

// lockVisibility says which of a version's lock headers a read answers:
// the retention headers "only ... if the requester has the
// s3:GetObjectRetention permission", the legal hold "only ... if the
// requester has the s3:GetObjectLegalHold permission" (API_HeadObject,
// API_GetObject).
type lockVisibility struct {
	retention, legalHold bool
}
