package policy

import "strings"

// The actions the gateway authorizes against.
const (
	ActionGetObject    = "s3:GetObject"
	ActionPutObject    = "s3:PutObject"
	ActionDeleteObject = "s3:DeleteObject"
	ActionListBucket   = "s3:ListBucket"

	ActionGetBucketLocation   = "s3:GetBucketLocation"
	ActionGetBucketVersioning = "s3:GetBucketVersioning"
	ActionPutBucketVersioning = "s3:PutBucketVersioning"
	ActionDeleteBucket        = "s3:DeleteBucket"

	ActionGetBucketPolicy    = "s3:GetBucketPolicy"
	ActionPutBucketPolicy    = "s3:PutBucketPolicy"
	ActionDeleteBucketPolicy = "s3:DeleteBucketPolicy"
)

// operations maps S3 API operation names (as in the AWS API reference) to
// the action a bucket policy grants them by.
//
// Where AWS has a finer action the gateway folds it into a coarser one, so
// one grant covers the whole feature: the multipart operations (AWS:
// s3:AbortMultipartUpload, s3:ListMultipartUploadParts) need s3:PutObject,
// and ListObjectVersions and ListMultipartUploads (AWS: s3:ListBucketVersions,
// s3:ListBucketMultipartUploads) need s3:ListBucket. A policy naming the
// finer actions parses but does not affect those operations, except the
// version actions, which s3api maps as AWS does (s3api/versions_authz.go):
// s3:GetObjectVersion, s3:DeleteObjectVersion, s3:ListBucketVersions.
//
// ListBuckets and CreateBucket are absent: they are not about an existing
// bucket, so no bucket policy governs them.
var operations = map[string]string{
	"GetObject":  ActionGetObject,
	"HeadObject": ActionGetObject,

	// CopyObject is authorized as s3:PutObject on the destination; the
	// handler must also authorize s3:GetObject on the source.
	"PutObject":               ActionPutObject,
	"CopyObject":              ActionPutObject,
	"CreateMultipartUpload":   ActionPutObject,
	"UploadPart":              ActionPutObject,
	"UploadPartCopy":          ActionPutObject,
	"CompleteMultipartUpload": ActionPutObject,
	"AbortMultipartUpload":    ActionPutObject,
	"ListParts":               ActionPutObject,

	"GetObjectTagging":    "s3:GetObjectTagging",
	"PutObjectTagging":    "s3:PutObjectTagging",
	"DeleteObjectTagging": "s3:DeleteObjectTagging",
	"RestoreObject":       "s3:RestoreObject",

	// Object Lock. BypassGovernanceRetention is no operation: the
	// gateway asks for it when a request sends
	// x-amz-bypass-governance-retention: true.
	"GetObjectRetention":         "s3:GetObjectRetention",
	"PutObjectRetention":         "s3:PutObjectRetention",
	"GetObjectLegalHold":         "s3:GetObjectLegalHold",
	"PutObjectLegalHold":         "s3:PutObjectLegalHold",
	"BypassGovernanceRetention":  "s3:BypassGovernanceRetention",
	"GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
	"PutObjectLockConfiguration": "s3:PutBucketObjectLockConfiguration",

	"DeleteObject":  ActionDeleteObject,
	"DeleteObjects": ActionDeleteObject, // authorized per key

	"ListObjects":          ActionListBucket,
	"ListObjectsV2":        ActionListBucket,
	"ListObjectVersions":   ActionListBucket,
	"ListMultipartUploads": ActionListBucket,
	"HeadBucket":           ActionListBucket,

	// Clients (minio-go, some AWS CLI paths) ask for the location before
	// anything else, so it is grantable rather than owner-only.
	"GetBucketLocation": ActionGetBucketLocation,

	"GetBucketVersioning":             ActionGetBucketVersioning,
	"PutBucketVersioning":             ActionPutBucketVersioning,
	"DeleteBucket":                    ActionDeleteBucket,
	"GetBucketPolicy":                 ActionGetBucketPolicy,
	"PutBucketPolicy":                 ActionPutBucketPolicy,
	"DeleteBucketPolicy":              ActionDeleteBucketPolicy,
	"GetBucketPolicyStatus":           "s3:GetBucketPolicyStatus",
	"GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
	"PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
	"DeleteBucketLifecycle":           "s3:PutLifecycleConfiguration",
	"GetBucketCors":                   "s3:GetBucketCORS",
	"PutBucketCors":                   "s3:PutBucketCORS",
	"DeleteBucketCors":                "s3:PutBucketCORS",
	"GetBucketTagging":                "s3:GetBucketTagging",
	"PutBucketTagging":                "s3:PutBucketTagging",
	"DeleteBucketTagging":             "s3:PutBucketTagging",
	"GetBucketAcl":                    "s3:GetBucketAcl",
	"PutBucketAcl":                    "s3:PutBucketAcl",
	// API_DeletePublicAccessBlock and API_DeleteBucketOwnershipControls
	// need the Put permission.
	"GetPublicAccessBlock":          "s3:GetBucketPublicAccessBlock",
	"PutPublicAccessBlock":          "s3:PutBucketPublicAccessBlock",
	"DeletePublicAccessBlock":       "s3:PutBucketPublicAccessBlock",
	"GetBucketOwnershipControls":    "s3:GetBucketOwnershipControls",
	"PutBucketOwnershipControls":    "s3:PutBucketOwnershipControls",
	"DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
}

// ownerOnly are the bucket configuration actions: a policy cannot grant
// them to anyone but the bucket owner (it can still deny them to the owner,
// except policy management, see Authorize).
var ownerOnly = map[string]bool{
	ActionGetBucketVersioning:       true,
	ActionPutBucketVersioning:       true,
	ActionDeleteBucket:              true,
	ActionGetBucketPolicy:           true,
	ActionPutBucketPolicy:           true,
	ActionDeleteBucketPolicy:        true,
	"s3:GetBucketPolicyStatus":      true,
	"s3:GetLifecycleConfiguration":  true,
	"s3:PutLifecycleConfiguration":  true,
	"s3:GetBucketCORS":              true,
	"s3:PutBucketCORS":              true,
	"s3:GetBucketTagging":           true,
	"s3:PutBucketTagging":           true,
	"s3:GetBucketAcl":               true,
	"s3:PutBucketAcl":               true,
	"s3:GetBucketPublicAccessBlock": true,
	"s3:PutBucketPublicAccessBlock": true,
	"s3:GetBucketOwnershipControls": true,
	"s3:PutBucketOwnershipControls": true,

	// Object Lock's bucket configuration.
	"s3:GetBucketObjectLockConfiguration": true,
	"s3:PutBucketObjectLockConfiguration": true,
}

// policyManagement is what the owner can always do, whatever the policy
// says, so that a bad policy can be fixed by the one who wrote it.
var policyManagement = map[string]bool{
	ActionGetBucketPolicy:    true,
	ActionPutBucketPolicy:    true,
	ActionDeleteBucketPolicy: true,
}

// ActionFor returns the policy action that governs an S3 operation, named
// as in the AWS API reference ("GetObject", "ListObjectsV2", ...). ok is
// false for an operation that no bucket policy governs; the caller decides
// those itself (deny by default).
func ActionFor(op string) (action string, ok bool) {
	action, ok = operations[op]
	return action, ok
}

// OwnerOnly reports whether only the bucket owner may be granted action.
func OwnerOnly(action string) bool { return ownerOnly[action] }

// knownActions are the S3 action names a policy may use: the ones above
// plus the other common S3 actions, so that policies written for AWS
// parse. Lower-case, since action names are case-insensitive.
var knownActions = func() map[string]bool {
	names := append([]string{
		"s3:ListBucketVersions", "s3:ListBucketMultipartUploads", "s3:ListAllMyBuckets",
		"s3:CreateBucket", "s3:GetBucketNotification", "s3:PutBucketNotification",
		"s3:GetBucketWebsite", "s3:PutBucketWebsite", "s3:DeleteBucketWebsite",
		"s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
		"s3:GetBucketObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration",
		"s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls",
		"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock",
		"s3:GetBucketLogging", "s3:PutBucketLogging",
		"s3:GetReplicationConfiguration", "s3:PutReplicationConfiguration",
	}, objectActionNames...)
	known := map[string]bool{}
	for _, n := range names {
		known[strings.ToLower(n)] = true
	}
	for _, a := range operations {
		known[strings.ToLower(a)] = true
	}
	return known
}()
