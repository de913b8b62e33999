package policy

import "strings"

// objectActionNames are the known actions whose resource is an object
// (arn:aws:s3:::bucket/key); every other known action's is the bucket
// (arn:aws:s3:::bucket), except s3:ListAllMyBuckets, which has no resource
// a bucket policy can name (AWS service authorization reference, "Actions,
// resources, and condition keys for Amazon S3", the Resource types column).
var objectActionNames = []string{
	ActionGetObject, ActionPutObject, ActionDeleteObject,
	"s3:GetObjectVersion", "s3:GetObjectAcl", "s3:GetObjectVersionAcl",
	"s3:GetObjectTagging", "s3:GetObjectVersionTagging", "s3:GetObjectAttributes",
	"s3:GetObjectRetention", "s3:GetObjectLegalHold",
	"s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:PutObjectTagging",
	"s3:PutObjectVersionTagging", "s3:PutObjectRetention", "s3:PutObjectLegalHold",
	"s3:DeleteObjectVersion", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging",
	"s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:RestoreObject",
	"s3:BypassGovernanceRetention",
}

// objectActions is objectActionNames by lower-case name.
var objectActions = actionSet(objectActionNames...)

// resourceless are known actions no bucket or object ARN names.
var resourceless = map[string]bool{"s3:listallmybuckets": true}

// checkActionsApply refuses a statement with an action that applies to none
// of its resources, as S3 does: MalformedPolicy "Action does not apply to
// any resource(s) in statement" (its answer to s3:GetObject granted on
// arn:aws:s3:::bucket, or s3:ListBucket on arn:aws:s3:::bucket/* alone).
// A wildcard action passes if any action it matches applies.
func checkActionsApply(actions, resources []string) error {
	var bucket, object bool
	for _, r := range resources {
		if strings.Contains(strings.TrimPrefix(r, s3ARNPrefix), "/") {
			object = true
		} else {
			bucket = true
		}
	}
	applies := func(action string) bool {
		switch {
		case resourceless[action]:
			return false
		case objectActions[action]:
			return object
		}
		return bucket
	}
	for _, pattern := range actions {
		ok := false
		if pattern == "*" || hasWildcard(pattern) {
			for known := range knownActions {
				if (pattern == "*" || match(pattern, known)) && applies(known) {
					ok = true
					break
				}
			}
		} else {
			ok = applies(pattern)
		}
		if !ok {
			return malformed("Action does not apply to any resource(s) in statement")
		}
	}
	return nil
}
