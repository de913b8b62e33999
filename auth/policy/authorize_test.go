package policy

import (
	"strings"
	"testing"
)

func TestAuthorizeOwner(t *testing.T) {
	// No policy: the owner may do anything, nobody else anything.
	for _, action := range []string{ActionGetObject, ActionPutObject, ActionListBucket, ActionPutBucketPolicy, ActionDeleteBucket} {
		if !Authorize("olga", "olga", nil, action, "b", "k", nil) {
			t.Errorf("owner denied %s without a policy", action)
		}
		if Authorize("olga", "alice", nil, action, "b", "k", nil) {
			t.Errorf("other user allowed %s without a policy", action)
		}
		if Authorize("olga", "", nil, action, "b", "k", nil) {
			t.Errorf("anonymous allowed %s without a policy", action)
		}
	}
	// An empty owner never makes anonymous requests the owner's.
	if Authorize("", "", nil, ActionGetObject, "b", "k", nil) {
		t.Error("anonymous treated as the owner of an ownerless bucket")
	}
}

func TestAuthorizeOwnerDenied(t *testing.T) {
	p := mustParse(t, "b", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}`)
	if Authorize("olga", "olga", p, ActionDeleteObject, "b", "k", nil) {
		t.Error("explicit Deny did not apply to the owner")
	}
	if Authorize("olga", "olga", p, ActionPutBucketVersioning, "b", "", nil) {
		t.Error("explicit Deny did not apply to the owner's bucket configuration")
	}
	// ...but the owner can always fix the policy.
	for _, action := range []string{ActionGetBucketPolicy, ActionPutBucketPolicy, ActionDeleteBucketPolicy} {
		if !Authorize("olga", "olga", p, action, "b", "", nil) {
			t.Errorf("owner locked out of %s", action)
		}
		if Authorize("olga", "alice", p, action, "b", "", nil) {
			t.Errorf("non-owner allowed %s", action)
		}
	}
}

func TestAuthorizeOthers(t *testing.T) {
	p := mustParse(t, "b", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]},
		{"Effect":"Deny","Principal":{"AWS":"alice"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/keep/*"}]}`)
	for _, c := range []struct {
		principal, action, key string
		want                   bool
	}{
		{"alice", ActionGetObject, "k", true},
		{"alice", ActionPutObject, "k", true},
		{"alice", ActionListBucket, "", true},
		{"alice", ActionDeleteObject, "tmp/x", true},
		{"alice", ActionDeleteObject, "keep/x", false},
		// s3:* cannot hand out the owner's bucket configuration.
		{"alice", ActionPutBucketPolicy, "", false},
		{"alice", ActionGetBucketVersioning, "", false},
		{"alice", ActionDeleteBucket, "", false},
		// A grant to alice is not a grant to anyone else.
		{"bob", ActionGetObject, "k", false},
		{"", ActionGetObject, "k", false},
	} {
		if got := Authorize("olga", c.principal, p, c.action, "b", c.key, nil); got != c.want {
			t.Errorf("Authorize(%q, %s, %q) = %v, want %v", c.principal, c.action, c.key, got, c.want)
		}
	}
}

func TestActionFor(t *testing.T) {
	for op, want := range map[string]string{
		"GetObject": ActionGetObject, "HeadObject": ActionGetObject,
		"PutObject": ActionPutObject, "CopyObject": ActionPutObject,
		"CreateMultipartUpload": ActionPutObject, "UploadPart": ActionPutObject,
		"CompleteMultipartUpload": ActionPutObject, "AbortMultipartUpload": ActionPutObject,
		"ListParts":    ActionPutObject,
		"DeleteObject": ActionDeleteObject, "DeleteObjects": ActionDeleteObject,
		"ListObjects": ActionListBucket, "ListObjectsV2": ActionListBucket,
		"ListObjectVersions": ActionListBucket, "ListMultipartUploads": ActionListBucket,
		"HeadBucket":      ActionListBucket,
		"GetBucketPolicy": ActionGetBucketPolicy, "PutBucketPolicy": ActionPutBucketPolicy,
		"DeleteBucketPolicy": ActionDeleteBucketPolicy,
	} {
		if got, ok := ActionFor(op); !ok || got != want {
			t.Errorf("ActionFor(%s) = %q, %v; want %s", op, got, ok, want)
		}
	}
	for _, op := range []string{"ListBuckets", "CreateBucket", "Nonsense"} {
		if a, ok := ActionFor(op); ok {
			t.Errorf("ActionFor(%s) = %q, want none", op, a)
		}
	}
	if !OwnerOnly(ActionPutBucketPolicy) || OwnerOnly(ActionGetObject) || OwnerOnly(ActionGetBucketLocation) {
		t.Error("OwnerOnly misclassifies")
	}
}

// Every action the table hands out must be one a policy can name, or a
// grant for it could never be written.
func TestActionForActionsAreNameable(t *testing.T) {
	for op, action := range operations {
		if !validAction(strings.ToLower(action)) {
			t.Errorf("%s maps to %s, which Parse rejects", op, action)
		}
	}
	for action := range ownerOnly {
		if !validAction(strings.ToLower(action)) {
			t.Errorf("owner-only %s is not a valid action", action)
		}
	}
}
