package s3api

import (
	"strings"

	"github.com/terngate/terngate/s3err"
)

// unsupportedHeader is a request header terngate recognises but does not
// honour. refuse judges the header's value: nil for a value that asks for
// nothing beyond what terngate does (x-amz-storage-class: STANDARD_IA), else
// the error AWS gives. Implementing a feature removes its rows.
type unsupportedHeader struct {
	name   string
	refuse func(r *request, name, value string) error
}

// unsupportedHeaders is the one list of them. Every request is checked
// against it before its handler runs, so a refused request stores nothing.
//
// Handled elsewhere: x-amz-acl (checkCannedACL: values granting only the
// owner are accepted), x-amz-expected-bucket-owner and
// x-amz-source-expected-bucket-owner (checkExpectedOwners). Accepted on
// purpose: x-amz-request-payer, the requester's acknowledgement that it
// pays, which AWS accepts on buckets that are not Requester Pays (none is
// here); x-amz-confirm-remove-self-bucket-access, as the bucket owner here
// can always change the policy, as AWS's root user can; and
// x-amz-bucket-object-lock-token, which Object Lock on an existing
// versioned bucket no longer needs.
var unsupportedHeaders = []unsupportedHeader{
	// Server-side encryption: each method is taken where the gateway is
	// configured for it (a master key ring, a KMS) and by the operations
	// that honour it; otherwise refused rather than claimed.
	{"x-amz-server-side-encryption", refuseEncryptionMethod},
	{"x-amz-server-side-encryption-aws-kms-key-id", refuseKMSHeader},
	{"x-amz-server-side-encryption-context", refuseKMSHeader},
	{"x-amz-server-side-encryption-bucket-key-enabled", refuseKMSHeader},
	{"x-amz-server-side-encryption-customer-algorithm", refuseSSEC},
	{"x-amz-server-side-encryption-customer-key", refuseSSEC},
	{"x-amz-server-side-encryption-customer-key-MD5", refuseSSEC},
	{"x-amz-copy-source-server-side-encryption-customer-algorithm", refuseSSEC},
	{"x-amz-copy-source-server-side-encryption-customer-key", refuseSSEC},
	{"x-amz-copy-source-server-side-encryption-customer-key-MD5", refuseSSEC},

	// Object Lock: taken by the operations that honour them
	// (object_lock_headers.go).
	{"x-amz-object-lock-mode", refuseObjectLock},
	{"x-amz-object-lock-retain-until-date", refuseObjectLock},
	{"x-amz-object-lock-legal-hold", refuseObjectLock},
	{"x-amz-bypass-governance-retention", refuseBypassGovernance},
	{"x-amz-bucket-object-lock-enabled", refuseBucketObjectLock},

	// Tagging, website redirects, storage classes, appends, MFA delete,
	// conditional aborts, restore status in listings.
	{"x-amz-tagging-directive", refuseTaggingDirective},
	{"x-amz-website-redirect-location", notImplemented},
	{"x-amz-storage-class", refuseStorageClass},
	{"x-amz-write-offset-bytes", notImplemented},
	{"x-amz-mfa", notImplemented},
	{"x-amz-if-match-initiated-time", notImplemented},
	{"x-amz-optional-object-attributes", notImplemented},
	{"x-amz-transition-default-minimum-object-size", refuseTransitionMinimumSize},

	// ACLs: every bucket behaves as BucketOwnerEnforced (ACLs disabled).
	{"x-amz-object-ownership", refuseObjectOwnership},
	{"x-amz-grant-full-control", refuseACLGrant},
	{"x-amz-grant-read", refuseACLGrant},
	{"x-amz-grant-read-acp", refuseACLGrant},
	{"x-amz-grant-write", refuseACLGrant},
	{"x-amz-grant-write-acp", refuseACLGrant},
}

// checkUnsupportedHeaders refuses a request carrying a header terngate
// would otherwise ignore.
func checkUnsupportedHeaders(r *request) error {
	if !carriesUnsupportedHeader(r) {
		return nil
	}
	for _, h := range unsupportedHeaders {
		if !r.hasHeader(h.name) {
			continue
		}
		if err := h.refuse(r, h.name, strings.TrimSpace(r.header(h.name))); err != nil {
			return err
		}
	}
	return nil
}

// notImplemented is AWS's answer to a header whose feature it lacks:
// NotImplemented (501) with the header named in a <Header> element.
func notImplemented(_ *request, name, _ string) error {
	return s3err.NotImplemented.ForHeader(name)
}

// refuseEncryptionMethod accepts SSE-S3 where it is implemented (PutObject,
// CopyObject and CreateMultipartUpload, with a master key ring; and on
// CompleteMultipartUpload, which minio-go sends it on and which checks it
// names the upload's encryption), refuses the other methods AWS knows as not
// implemented, and anything else as AWS refuses an unknown method. Reads
// take no such header: AWS answers 400 (API_GetObject, API_HeadObject: "If
// you include the header in your GET requests for these objects, you'll
// get an HTTP 400 Bad Request error").
func refuseEncryptionMethod(r *request, name, value string) error {
	switch value {
	case "AES256", "aws:kms", "aws:kms:dsse":
		switch operationOf(r) {
		case "GetObject", "HeadObject":
			return s3err.InvalidArgument.With("x-amz-server-side-encryption header is not supported for this operation.").ForArgument(name, value)
		case "PutObject", "CopyObject", "CreateMultipartUpload", "CompleteMultipartUpload":
			if !r.sse.serves(value) {
				break
			}
			if value != sseS3 && !r.c.Context().IsTLS() && !r.sse.plainKMS {
				return errSSEKMSOverHTTP.ForArgument(name, value)
			}
			return nil
		}
		return notImplemented(r, name, value)
	}
	return s3err.InvalidArgument.With("The encryption method specified is not supported").ForArgument(name, value)
}

// errSSEKMSOverHTTP is S3's answer to a request naming SSE-KMS over plain
// HTTP (AWS Knowledge Center, "s3-kms-signature-version-error": "For
// requests that specify AWS KMS managed keys, you must use SSL or TLS",
// with this text; also aws/aws-sdk-js#2335). Without a KMS the method is
// NotImplemented first; with one, plain HTTP is refused before the request
// goes further, unless the gateway allows it for loopback tests
// (Config.AllowSSEKMSOverHTTP).
var errSSEKMSOverHTTP = s3err.InvalidArgument.With("Requests specifying Server Side Encryption with AWS KMS managed keys must be made over a secure connection.")

// refuseSSEC: AWS refuses SSE-C over plain HTTP before anything else
// ("Amazon S3 rejects any requests made over HTTP when using SSE-C",
// Using server-side encryption with customer-provided keys), unless the
// gateway allows it for loopback tests. The operations that take SSE-C
// keys check them (sse_customer.go); the others refuse them.
func refuseSSEC(r *request, name, value string) error {
	if !r.c.Context().IsTLS() && !r.sse.plainSSEC {
		// The value is not echoed: it may be the key.
		return s3err.InvalidArgument.With(msgSSECOverHTTP).ForArgumentName(name)
	}
	op := operationOf(r)
	if ssecOperations[op] && (op == "CopyObject" || op == "UploadPartCopy" || !strings.HasPrefix(strings.ToLower(name), ssecCopySourcePrefix)) {
		return nil
	}
	return notImplemented(r, name, value)
}

func refuseTaggingDirective(r *request, name, value string) error {
	switch value {
	case "COPY", "REPLACE":
		return nil // copyTags applies it
	}
	return errTaggingDirective.ForArgument(name, value)
}

// refuseStorageClass accepts the classes storage_class.go records.
func refuseStorageClass(_ *request, _, value string) error {
	return checkStorageClassValue(value)
}

// refuseObjectOwnership accepts the ownership every bucket has.
func refuseObjectOwnership(r *request, name, value string) error {
	switch value {
	case "BucketOwnerEnforced":
		return nil
	case "BucketOwnerPreferred", "ObjectWriter":
		return notImplemented(r, name, value)
	}
	return s3err.InvalidArgument.With("Invalid x-amz-object-ownership header: %s", value).ForArgument(name, value)
}

// transitionMinimumSizeDefault is the one behaviour of lifecycle
// transitions for small objects terngate answers (API_PutBucketLifecycleConfiguration:
// "all_storage_classes_128K" is the default). Lifecycle transitions are
// refused, so no small object is ever moved either way.
const transitionMinimumSizeDefault = "all_storage_classes_128K"

// refuseTransitionMinimumSize accepts the default, which is what the
// lifecycle responses name; another value asks for a behaviour that is not
// kept.
func refuseTransitionMinimumSize(r *request, name, value string) error {
	if value == transitionMinimumSizeDefault {
		return nil
	}
	return notImplemented(r, name, value)
}

func refuseACLGrant(_ *request, _, _ string) error { return errACLNotSupported }

// unsupportedHeaderNames holds the lower-cased names of unsupportedHeaders.
var unsupportedHeaderNames = func() map[string]bool {
	names := make(map[string]bool, len(unsupportedHeaders))
	for _, h := range unsupportedHeaders {
		names[strings.ToLower(h.name)] = true
	}
	return names
}()

// carriesUnsupportedHeader reports whether any request header is in
// unsupportedHeaders. One pass over the few headers a request has spares
// almost every request a lookup of each of the list's names.
func carriesUnsupportedHeader(r *request) bool {
	found := false
	var lower [64]byte
	r.c.Request().Header.VisitAll(func(k, _ []byte) {
		if found || len(k) > len(lower) {
			// Every listed name is shorter than lower.
			return
		}
		for i, c := range k {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			lower[i] = c
		}
		found = unsupportedHeaderNames[string(lower[:len(k)])]
	})
	return found
}
