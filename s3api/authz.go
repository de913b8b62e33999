package s3api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/terngate/terngate/auth/policy"
	"github.com/terngate/terngate/s3err"
)

// bucketAccess is what authorization needs to know about a bucket.
type bucketAccess struct {
	exists bool
	// owner is the owning user's name ("" if nobody owns the bucket).
	owner  string
	policy *policy.Policy
	// restrictPublic is the bucket's RestrictPublicBuckets setting.
	restrictPublic bool
	// versioning is the bucket's versioning status ("" if never enabled).
	versioning string
}

// actionOverrides maps operations that policy.ActionFor does not know onto
// the action that grants them.
var actionOverrides = map[string]string{
	"GetObjectAttributes": policy.ActionGetObject,
	// The version actions (versions_authz.go).
	opGetObjectVersion:    actionGetObjectVersion,
	opDeleteObjectVersion: actionDeleteObjectVersion,
	"ListObjectVersions":  actionListBucketVersions,
}

// authorize decides whether the request's principal may perform the
// operation it routes to: the bucket owner may, anyone else (anonymous
// included) only where the bucket policy allows. CopyObject and
// UploadPartCopy also need s3:GetObject on their source; DeleteObjects is
// authorized key by key in its handler.
func (s *server) authorize(r *request) error {
	op := operationOf(r)
	switch op {
	case "ListBuckets", "CreateBucket":
		// Not about an existing bucket: any authenticated user may.
		if r.anonymous() {
			return s3err.AccessDenied
		}
		return nil
	}
	access, err := s.loadAccess(r, r.bucket)
	if err != nil {
		return err
	}
	r.access = access
	if !access.exists {
		// A missing bucket is the first thing S3 reports, before whatever
		// the operation would find missing inside it (an upload, a key),
		// and to anyone: bucket names are not secret in S3, which answers
		// an anonymous request for a missing bucket NoSuchBucket
		// (minio/minio#11293 records S3's answer).
		return s3err.NoSuchBucket
	}
	if op != "DeleteObjects" && !s.permits(r, access, versionOperation(r, op), r.bucket, r.key) {
		return s3err.AccessDenied
	}
	if setsTags(r, op) && !s.permits(r, access, "PutObjectTagging", r.bucket, r.key) {
		return s3err.AccessDenied
	}
	if err := s.authorizeLock(r, access, op); err != nil {
		return err
	}
	if (op == "CopyObject" || op == "UploadPartCopy") && r.hasHeader("x-amz-copy-source") {
		return s.authorizeCopySource(r)
	}
	return nil
}

// authorizeCopySource checks s3:GetObject on the copy source.
func (s *server) authorizeCopySource(r *request) error {
	src, err := parseCopySource(r.header("x-amz-copy-source"))
	if err != nil {
		return err
	}
	access, err := s.loadAccess(r, src.bucket)
	if err != nil {
		return err
	}
	if !access.exists {
		return s3err.NoSuchBucketNamed(src.bucket)
	}
	op := "GetObject"
	if src.version != "" {
		op = opGetObjectVersion
	}
	// The source read's s3:VersionId is the source's version.
	cc := conditionContext{r: r, version: src.version, versionSet: true}
	if !s.permitsIn(r, access, op, src.bucket, src.key, cc) {
		return s3err.AccessDenied
	}
	return nil
}

// permits evaluates op on bucket/key for the request's principal, with the
// request itself as the condition context.
func (s *server) permits(r *request, access bucketAccess, op, bucket, key string) bool {
	return s.permitsIn(r, access, op, bucket, key, conditionContext{r: r})
}

// permitsIn is permits with a condition context for an access the request
// makes beyond its own target (a DeleteObjects entry, a copy source, a
// POST form's key).
func (s *server) permitsIn(r *request, access bucketAccess, op, bucket, key string, cc conditionContext) bool {
	action, ok := actionOverrides[op]
	if !ok {
		action, ok = policy.ActionFor(op)
	}
	if !ok {
		// No policy governs it: the owner only.
		return !r.anonymous() && r.principal == access.owner
	}
	p := access.grantingPolicy(r)
	if !p.Conditional() {
		return policy.Authorize(access.owner, r.principal, p, action, bucket, key, nil)
	}
	// A copy declared here escapes to the heap only on this path; taking
	// cc's own address would move it there on every call.
	ctx := new(conditionContext)
	*ctx = cc
	ctx.s, ctx.bucket, ctx.key = s, bucket, key
	if policy.Authorize(access.owner, r.principal, p, action, bucket, key, ctx) {
		return true
	}
	// The 100-continue screen cannot see the connection; a refusal that
	// may rest on it is left to the handler, which sees it.
	return ctx.unconnected
}

// grantingPolicy is the policy that speaks for r. RestrictPublicBuckets
// leaves a public policy granting only "authorized users within the bucket
// owner's account" (AWS S3 user guide, access-control-block-public-access):
// every named user is in the gateway's one account, so only anonymous
// requests lose it. They lose all of it, as only "*" statements could
// name them.
func (a bucketAccess) grantingPolicy(r *request) *policy.Policy {
	if a.restrictPublic && r.anonymous() && a.policy.Public() {
		return nil
	}
	return a.policy
}

// loadAccess reads a bucket's owner and policy.
func (s *server) loadAccess(r *request, bucket string) (bucketAccess, error) {
	info, err := s.layer.HeadBucket(r.ctx, bucket)
	if errors.Is(err, s3err.NoSuchBucket) {
		return bucketAccess{}, nil
	}
	if err != nil {
		return bucketAccess{}, err
	}
	access := bucketAccess{exists: true, owner: s.ownerName(info.Owner), versioning: info.Versioning}
	if b := info.PublicAccessBlock; b != nil {
		access.restrictPublic = b.RestrictPublicBuckets
	}
	if len(info.Policy) > 0 {
		p, err := policy.Parse(bucket, info.Policy)
		if err != nil {
			// It parsed when it was stored: the record is damaged.
			return bucketAccess{}, fmt.Errorf("stored policy of bucket %q: %w", bucket, err)
		}
		access.policy = p
	}
	return access, nil
}

// ownerName maps a bucket record's owner to a user name. Records written
// before users had names hold the creator's access key; a bucket without a
// recorded owner belongs to the configured default owner.
func (s *server) ownerName(recorded string) string {
	if recorded == "" {
		return s.cfg.DefaultOwner
	}
	if s.cfg.Users != nil {
		if name, ok := s.cfg.Users.User(recorded); ok {
			return name
		}
	}
	return recorded
}

// operationOf names the S3 operation a request performs, as the AWS API
// reference does ("" for a request no operation matches; only the owner
// may send those, and the router rejects most of them anyway).
func operationOf(r *request) string {
	switch {
	case r.bucket == "":
		return "ListBuckets"
	case r.key == "":
		return bucketOperation(r)
	default:
		return objectOperation(r)
	}
}

func bucketOperation(r *request) string {
	m := r.method()
	bySub := []struct {
		param               string
		get, put, post, del string
	}{
		{"policy", "GetBucketPolicy", "PutBucketPolicy", "", "DeleteBucketPolicy"},
		{"policyStatus", "GetBucketPolicyStatus", "", "", ""},
		{"ownershipControls", "GetBucketOwnershipControls", "PutBucketOwnershipControls", "", "DeleteBucketOwnershipControls"},
		{"publicAccessBlock", "GetPublicAccessBlock", "PutPublicAccessBlock", "", "DeletePublicAccessBlock"},
		{"acl", "GetBucketAcl", "PutBucketAcl", "", ""},
		{"location", "GetBucketLocation", "", "", ""},
		{"versioning", "GetBucketVersioning", "PutBucketVersioning", "", ""},
		{"versions", "ListObjectVersions", "", "", ""},
		{"delete", "", "", "DeleteObjects", ""},
		{"uploads", "ListMultipartUploads", "", "", ""},
		{"lifecycle", "GetBucketLifecycleConfiguration", "PutBucketLifecycleConfiguration", "", "DeleteBucketLifecycle"},
		{"cors", "GetBucketCors", "PutBucketCors", "", "DeleteBucketCors"},
		{"encryption", "GetBucketEncryption", "PutBucketEncryption", "", "DeleteBucketEncryption"},
		{"tagging", "GetBucketTagging", "PutBucketTagging", "", "DeleteBucketTagging"},
		{"object-lock", "GetObjectLockConfiguration", "PutObjectLockConfiguration", "", ""},
	}
	for _, s := range bySub {
		if r.hasParam(s.param) {
			return byMethod(m, s.get, s.put, s.post, s.del)
		}
	}
	if op := byMethod(m, "ListObjects", "CreateBucket", "", "DeleteBucket"); op != "" {
		return op
	}
	if m == http.MethodHead {
		return "HeadBucket"
	}
	return ""
}

func objectOperation(r *request) string {
	m := r.method()
	switch {
	case r.hasParam("acl"):
		return byMethod(m, "GetObjectAcl", "PutObjectAcl", "", "")
	case r.hasParam("restore"):
		return byMethod(m, "", "", "RestoreObject", "")
	case r.hasParam("tagging"):
		return byMethod(m, "GetObjectTagging", "PutObjectTagging", "", "DeleteObjectTagging")
	case r.hasParam("retention"):
		return byMethod(m, "GetObjectRetention", "PutObjectRetention", "", "")
	case r.hasParam("legal-hold"):
		return byMethod(m, "GetObjectLegalHold", "PutObjectLegalHold", "", "")
	case r.hasParam("attributes"):
		return byMethod(m, "GetObjectAttributes", "", "", "")
	case r.hasParam("uploadId"):
		put := "UploadPart"
		if r.hasHeader("x-amz-copy-source") {
			put = "UploadPartCopy"
		}
		return byMethod(m, "ListParts", put, "CompleteMultipartUpload", "AbortMultipartUpload")
	case r.hasParam("uploads"):
		return byMethod(m, "", "", "CreateMultipartUpload", "")
	}
	put := "PutObject"
	if r.hasHeader("x-amz-copy-source") {
		put = "CopyObject"
	}
	if op := byMethod(m, "GetObject", put, "", "DeleteObject"); op != "" {
		return op
	}
	if m == http.MethodHead {
		return "HeadObject"
	}
	return ""
}

func byMethod(method, get, put, post, del string) string {
	switch method {
	case http.MethodGet:
		return get
	case http.MethodPut:
		return put
	case http.MethodPost:
		return post
	case http.MethodDelete:
		return del
	}
	return ""
}
