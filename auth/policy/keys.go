package policy

import "strings"

// keyKind is the type of a condition key's value, which decides the
// operators that can test it.
type keyKind int

const (
	kindString keyKind = iota
	kindBool
	kindNumeric
	kindDate // aws:CurrentTime: ISO 8601
	kindEpoch
	kindIP
	kindARN
)

// conditionKey describes a condition key the gateway can evaluate.
type conditionKey struct {
	kind keyKind
	// actions, when not nil, are the only actions (lower-case) whose
	// requests carry the key, after the AWS service authorization
	// reference, "Actions, resources, and condition keys for Amazon S3";
	// for any other action the key is absent.
	actions map[string]bool
	// principal keys come from the principal rather than the Context.
	principal bool
}

func actionSet(names ...string) map[string]bool {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[strings.ToLower(n)] = true
	}
	return set
}

var (
	listActions    = actionSet(ActionListBucket, "s3:ListBucketVersions")
	putActions     = actionSet(ActionPutObject)
	aclActions     = actionSet(ActionPutObject, "s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:PutBucketAcl", "s3:CreateBucket")
	versionActions = actionSet("s3:GetObjectVersion", "s3:DeleteObjectVersion", "s3:GetObjectVersionTagging",
		"s3:PutObjectVersionTagging", "s3:DeleteObjectVersionTagging", "s3:GetObjectVersionAcl", "s3:PutObjectVersionAcl")
)

// Condition key names as policies spell them. Names are matched
// case-insensitively, as AWS does (IAM user guide,
// reference_policies_elements_condition: "Condition key names are not
// case-sensitive").
const (
	KeySecureTransport   = "aws:SecureTransport"
	KeySourceIP          = "aws:SourceIp"
	KeyCurrentTime       = "aws:CurrentTime"
	KeyEpochTime         = "aws:EpochTime"
	KeyUserAgent         = "aws:UserAgent"
	KeyReferer           = "aws:Referer"
	KeyUsername          = "aws:username"
	KeyPrincipalArn      = "aws:PrincipalArn"
	KeyPrincipalType     = "aws:PrincipalType"
	KeyPrefix            = "s3:prefix"
	KeyDelimiter         = "s3:delimiter"
	KeyMaxKeys           = "s3:max-keys"
	KeySSE               = "s3:x-amz-server-side-encryption"
	KeySSEKMSKeyID       = "s3:x-amz-server-side-encryption-aws-kms-key-id"
	KeyACL               = "s3:x-amz-acl"
	KeyContentSHA256     = "s3:x-amz-content-sha256"
	KeySignatureVersion  = "s3:signatureversion"
	KeyAuthType          = "s3:authType"
	KeyVersionID         = "s3:VersionId"
	KeyCopySource        = "s3:x-amz-copy-source"
	KeyMetadataDirective = "s3:x-amz-metadata-directive"

	// KeyExistingObjectTagPrefix starts the keys
	// s3:ExistingObjectTag/<tag-key>: the value of the object's tag of
	// that key. The policy's spelling of <tag-key> is kept (tag keys are
	// case-sensitive); only the prefix is matched case-insensitively.
	KeyExistingObjectTagPrefix = "s3:ExistingObjectTag/"
)

// existingTagActions are the actions whose requests carry
// s3:ExistingObjectTag/<tag-key>: those on an existing object's data, ACL
// or tags; never PutObject or DeleteObject (AWS S3 user guide,
// tagging-and-policies: "When granting permissions for the PUT Object and
// DELETE Object operations, this condition key is not supported").
var existingTagActions = actionSet(ActionGetObject, "s3:GetObjectVersion",
	"s3:GetObjectAcl", "s3:GetObjectVersionAcl", "s3:PutObjectAcl", "s3:PutObjectVersionAcl",
	"s3:GetObjectTagging", "s3:GetObjectVersionTagging", "s3:PutObjectTagging",
	"s3:PutObjectVersionTagging", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging")

// lookupConditionKey describes the condition key named name (as the policy
// spells it) and returns the name Context.Value is asked for: the
// lower-case name, or for s3:ExistingObjectTag/<tag-key> the lower-case
// prefix and the tag key as written.
func lookupConditionKey(name string) (conditionKey, string, bool) {
	lower := strings.ToLower(name)
	if k, ok := conditionKeys[lower]; ok {
		return k, lower, true
	}
	prefix := strings.ToLower(KeyExistingObjectTagPrefix)
	if len(name) > len(prefix) && strings.EqualFold(name[:len(prefix)], prefix) {
		return conditionKey{kind: kindString, actions: existingTagActions}, prefix + name[len(prefix):], true
	}
	return conditionKey{}, lower, false
}

// conditionKeys are the keys the gateway evaluates, by lower-case name.
// Any other key is refused when the policy is stored: treating it as
// absent could grant more than the author meant.
var conditionKeys = func() map[string]conditionKey {
	keys := map[string]conditionKey{
		KeySecureTransport:   {kind: kindBool},
		KeySourceIP:          {kind: kindIP},
		KeyCurrentTime:       {kind: kindDate},
		KeyEpochTime:         {kind: kindEpoch},
		KeyUserAgent:         {kind: kindString},
		KeyReferer:           {kind: kindString},
		KeyUsername:          {kind: kindString, principal: true},
		KeyPrincipalArn:      {kind: kindARN, principal: true},
		KeyPrincipalType:     {kind: kindString, principal: true},
		KeyPrefix:            {kind: kindString, actions: listActions},
		KeyDelimiter:         {kind: kindString, actions: listActions},
		KeyMaxKeys:           {kind: kindNumeric, actions: listActions},
		KeySSE:               {kind: kindString, actions: putActions},
		KeySSEKMSKeyID:       {kind: kindString, actions: putActions},
		KeyACL:               {kind: kindString, actions: aclActions},
		KeyContentSHA256:     {kind: kindString},
		KeySignatureVersion:  {kind: kindString},
		KeyAuthType:          {kind: kindString},
		KeyVersionID:         {kind: kindString, actions: versionActions},
		KeyCopySource:        {kind: kindString, actions: putActions},
		KeyMetadataDirective: {kind: kindString, actions: putActions},
	}
	lower := make(map[string]conditionKey, len(keys))
	for name, k := range keys {
		lower[strings.ToLower(name)] = k
	}
	return lower
}()

// principalValue is the value of a principal key for principal (a user
// name, "" for anonymous). Anonymous requests carry none of them (IAM user
// guide, reference_policies_condition-keys: aws:PrincipalArn and
// aws:PrincipalType are "included in the request context for all signed
// requests", aws:username "for IAM users").
func principalValue(key, principal string) (string, bool) {
	if principal == "" {
		return "", false
	}
	switch key {
	case "aws:username":
		return principal, true
	case "aws:principaltype":
		return "User", true
	case "aws:principalarn":
		// The account is matched as the Principal element matches it:
		// the gateway has one account, so any account names it (see
		// arnMatches).
		return userARNPrefix + userARNMarker + principal, true
	}
	return "", false
}
