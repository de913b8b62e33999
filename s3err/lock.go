package s3err

import "net/http"

// Object Lock's own answers. Codes and statuses are pinned against AWS by
// ceph/s3-tests (test_object_lock_*); the texts are AWS's as its answers
// are quoted in public threads (CloudFormation's "Versioning must be
// 'Enabled' on the bucket to apply a Object Lock configuration", SDK
// error logs for the checksum requirement).
var (
	// ObjectLockConfigurationNotFound answers GetObjectLockConfiguration on
	// a bucket without Object Lock, with a BucketName element.
	ObjectLockConfigurationNotFound = newErr("ObjectLockConfigurationNotFoundError", http.StatusNotFound,
		"Object Lock configuration does not exist for this bucket")
	// NoSuchObjectLockConfiguration answers GetObjectRetention on an
	// object version that has no retention.
	NoSuchObjectLockConfiguration = newErr("NoSuchObjectLockConfiguration", http.StatusNotFound,
		"The specified object does not have a ObjectLock configuration")
	// InvalidBucketState answers an Object Lock configuration put on a
	// bucket whose versioning is not Enabled.
	InvalidBucketState = newErr("InvalidBucketState", http.StatusConflict,
		"Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
	// InvalidRetentionPeriod answers a default retention of zero or fewer
	// days or years.
	InvalidRetentionPeriod = newErr("InvalidRetentionPeriod", http.StatusBadRequest,
		"Default retention period must be a positive integer value")
	// ObjectLocked refuses to delete, or to weaken the retention of, an
	// object version the lock protects.
	ObjectLocked = AccessDenied.With("Access Denied because object protected by object lock.")
	// MissingObjectLockConfiguration refuses Object Lock headers on a write
	// to a bucket without Object Lock (versity/versitygw#1755 records the
	// text, PutObject_missing_bucket_lock).
	MissingObjectLockConfiguration = InvalidRequest.With("Bucket is missing ObjectLockConfiguration")
	// NoObjectLockConfiguration answers the retention and legal hold APIs
	// on a bucket without Object Lock: S3's text differs from the headers'
	// (versity/versitygw#883 quotes S3's answer to GetObjectLegalHold).
	NoObjectLockConfiguration = InvalidRequest.With("Bucket is missing Object Lock Configuration")
)
