package s3api

import (
	"strings"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// The Object Lock headers of PutObject, CopyObject and
// CreateMultipartUpload (API_PutObject), also answered on GET and HEAD.
const (
	lockModeHeader      = "x-amz-object-lock-mode"
	lockUntilHeader     = "x-amz-object-lock-retain-until-date"
	lockLegalHoldHeader = "x-amz-object-lock-legal-hold"
	bypassHeader        = "x-amz-bypass-governance-retention"
)

// S3's answers to bad Object Lock headers. The codes are AWS's; of the
// texts only the checksum one is quoted from AWS answers in public
// threads, the others follow what S3-compatible servers answer.
var (
	errLockHeadersPaired = s3err.InvalidArgument.With("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
	errLockMode          = s3err.InvalidArgument.With("Unknown wormMode directive.")
	errLockDate          = s3err.InvalidArgument.With("The retain until date must be provided in ISO 8601 format")
	errLegalHoldHeader   = s3err.InvalidArgument.With("Legal Hold must be either of 'ON' or 'OFF'")
	// errLockNeedsChecksum: "Content-MD5 OR x-amz-checksum- HTTP header is
	// required for Put Object requests with Object Lock parameters", as
	// AWS answers it in SDK error logs (awslabs/aws-sdk-rust users,
	// AWS Glue's documentation of the same error).
	errLockNeedsChecksum = s3err.InvalidRequest.With("Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters")
)

// namesLock reports whether the request carries any Object Lock header.
func namesLock(r *request) bool {
	return r.hasHeader(lockModeHeader) || r.hasHeader(lockUntilHeader) || r.hasHeader(lockLegalHoldHeader)
}

// lockForWrite sets md's Object Lock fields for a new version: what the
// request's headers ask, else the bucket's default retention (withDefault;
// a multipart upload gets its default when it completes, since the
// retention runs from the object's creation). Lock headers on a bucket
// without Object Lock are InvalidRequest, as before this was implemented.
// A copy never takes its source's lock: md's fields are replaced.
func (s *server) lockForWrite(r *request, md *objects.Metadata, withDefault bool) error {
	md.LockMode, md.LockUntil, md.LegalHold = "", 0, ""
	named := namesLock(r)
	cfg, err := s.layer.BucketLockConfig(r.ctx, r.bucket)
	if err != nil {
		return err
	}
	if cfg == nil {
		if named {
			return s3err.MissingObjectLockConfiguration
		}
		return nil
	}
	now := time.Now()
	if named {
		if err := parseLockHeaders(r, md, now); err != nil {
			return err
		}
	}
	if withDefault {
		cfg.DefaultRetention(md, now)
	}
	return nil
}

// parseLockHeaders reads the three headers into md.
func parseLockHeaders(r *request, md *objects.Metadata, now time.Time) error {
	mode, until := strings.TrimSpace(r.header(lockModeHeader)), strings.TrimSpace(r.header(lockUntilHeader))
	if (mode == "") != (until == "") {
		return errLockHeadersPaired
	}
	if mode != "" {
		if !validLockMode(mode) {
			return errLockMode.ForArgument(lockModeHeader, mode)
		}
		t, err := time.Parse(time.RFC3339Nano, until)
		if err != nil {
			return errLockDate.ForArgument(lockUntilHeader, until)
		}
		if !t.After(now) {
			return errPastRetainDate
		}
		md.LockMode, md.LockUntil = mode, t.UnixNano()
	}
	if r.hasHeader(lockLegalHoldHeader) {
		status := strings.TrimSpace(r.header(lockLegalHoldHeader))
		if !validLegalHold(status) {
			return errLegalHoldHeader.ForArgument(lockLegalHoldHeader, status)
		}
		md.LegalHold = status
	}
	return nil
}

// checkLockedPutIntegrity: a PutObject whose version will carry a lock
// (its own headers or the bucket's default) must carry Content-MD5 or a
// checksum, in a header or announced for the trailer.
func checkLockedPutIntegrity(r *request, md objects.Metadata) error {
	if md.LockMode == "" && md.LegalHold == "" {
		return nil
	}
	if r.hasHeader("Content-MD5") || r.hasHeader("x-amz-sdk-checksum-algorithm") ||
		strings.Contains(strings.ToLower(r.header("x-amz-trailer")), "x-amz-checksum-") {
		return nil
	}
	found := false
	r.c.Request().Header.VisitAll(func(k, _ []byte) {
		name := strings.ToLower(string(k))
		if strings.HasPrefix(name, "x-amz-checksum-") && name != "x-amz-checksum-type" && name != "x-amz-checksum-algorithm" {
			found = true
		}
	})
	if found {
		return nil
	}
	return errLockNeedsChecksum
}

// setLockHeaders reports a version's lock on GET and HEAD, as far as the
// requester may read it (lockVisibility).
func setLockHeaders(r *request, md objects.Metadata) {
	if ret := md.Retention(); ret.Mode != "" && r.lockShown.retention {
		r.setHeader(lockModeHeader, ret.Mode)
		r.setHeader(lockUntilHeader, ret.Until.Format(lockDateFormat))
	}
	if md.LegalHold != "" && r.lockShown.legalHold {
		r.setHeader(lockLegalHoldHeader, md.LegalHold)
	}
}

// bypassRequested reports whether the request asks to bypass GOVERNANCE
// retention (the header's value was checked with the other headers).
func bypassRequested(r *request) bool {
	return strings.EqualFold(strings.TrimSpace(r.header(bypassHeader)), "true")
}

// lockHeaderOperations take the Object Lock headers; bypassOperations the
// bypass header.
var (
	lockHeaderOperations = map[string]bool{"PutObject": true, "CopyObject": true, "CreateMultipartUpload": true}
	bypassOperations     = map[string]bool{"DeleteObject": true, "DeleteObjects": true, "PutObjectRetention": true}
)

// refuseObjectLock lets the lock headers through to the writes that take
// them (their handlers judge them against the bucket); elsewhere they are
// not implemented.
func refuseObjectLock(r *request, name, value string) error {
	if lockHeaderOperations[operationOf(r)] {
		return nil
	}
	return notImplemented(r, name, value)
}

// refuseBypassGovernance accepts true or false where AWS takes the header.
func refuseBypassGovernance(r *request, name, value string) error {
	if !bypassOperations[operationOf(r)] {
		return notImplemented(r, name, value)
	}
	switch strings.ToLower(value) {
	case "true", "false":
		return nil
	}
	return s3err.InvalidArgument.With("Invalid value for %s.", name).ForArgument(name, value)
}

// refuseBucketObjectLock accepts x-amz-bucket-object-lock-enabled on
// CreateBucket, which enables Object Lock for "true".
func refuseBucketObjectLock(r *request, name, value string) error {
	switch strings.ToLower(value) {
	case "false":
		return nil
	case "true":
		if operationOf(r) == "CreateBucket" {
			return nil
		}
		return notImplemented(r, name, value)
	}
	return s3err.InvalidArgument.With("Invalid value for %s.", name).ForArgument(name, value)
}
