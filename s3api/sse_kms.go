package s3api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/terngate/terngate/auth"
	"github.com/terngate/terngate/kms"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/sse"
	"github.com/terngate/terngate/store/objects"
)

// SSE-KMS (API_PutObject, "Protecting data with server-side encryption
// using AWS KMS keys"): each object's key is a data key the KMS draws
// (GenerateDataKey) bound to an encryption context; the record keeps its
// sealed copy and the key's ARN, and every read asks the KMS to open it
// (Decrypt) with the same context.

// sseKMS is SSE-KMS's name in sseHeader and in bucket configurations.
const sseKMS = "aws:kms"

const (
	kmsKeyIDHeader   = "x-amz-server-side-encryption-aws-kms-key-id"
	kmsContextHeader = "x-amz-server-side-encryption-context"
	bucketKeyHeader  = "x-amz-server-side-encryption-bucket-key-enabled"
)

var (
	// errKMSNeedsMethod is AWS's answer to a KMS key (or context) without
	// x-amz-server-side-encryption: aws:kms (ceph s3-tests
	// test_sse_kms_not_declared; the text as AWS sends it, quoted by
	// MinIO's and LocalStack's catalogues).
	errKMSNeedsMethod = s3err.InvalidArgument.With("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms").
				ForArgumentName(sseHeader)
	// errKMSNeedsSigV4: "All GET and PUT requests for an object protected
	// by AWS KMS fail if you don't make them by using SSL, TLS, or
	// Signature Version 4" (API_CreateMultipartUpload); AWS's document as
	// recorded in aws/aws-cli#1006. Plain HTTP with SigV4 is served: the
	// key never crosses the wire, unlike SSE-C's.
	errKMSNeedsSigV4 = s3err.InvalidArgument.With("Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.").
				ForArgument("Authorization", "null")
	// errKMSContext: the text S3 answers a context that is not base64 of
	// a JSON object of strings (recorded in HADOOP-19197, 2024).
	errKMSContext = s3err.InvalidArgument.With("The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map").
			ForArgumentName(kmsContextHeader)
	errBucketKeyValue = s3err.InvalidArgument.With("Invalid value for header x-amz-server-side-encryption-bucket-key-enabled").
				ForArgumentName(bucketKeyHeader)
)

// objectARNContext is the pair S3 adds to every SSE-KMS object's context:
// "Amazon S3 appends the default encryption context of aws:s3:arn to the
// one that you provide" (UsingKMSEncryption, "Encryption context"). It is
// what binds a sealed data key to its object: copied onto another, it does
// not open. A client's own aws:s3:arn pair is overridden.
const objectARNContext = "aws:s3:arn"

func objectARN(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }

// parseKMSContext reads x-amz-server-side-encryption-context: base64 of
// UTF-8 JSON mapping names to strings.
func parseKMSContext(value string) (kms.Context, error) {
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil || !utf8.Valid(raw) {
		return nil, errKMSContext
	}
	trimmed := strings.TrimSpace(string(raw))
	if !strings.HasPrefix(trimmed, "{") {
		return nil, errKMSContext // null, a list or a string is no map
	}
	var ec map[string]string
	if err := json.Unmarshal(raw, &ec); err != nil {
		return nil, errKMSContext
	}
	return ec, nil
}

// requireSigV4 refuses SSE-KMS requests not signed with SigV4 (SigV2,
// presigned V2 or anonymous), as S3 does.
func requireSigV4(r *request) error {
	scheme, err := auth.DetectScheme(signedRequest(r, ""))
	if err != nil || scheme != auth.SigV4 {
		return errKMSNeedsSigV4
	}
	return nil
}

// kmsWrite is what a write asks of SSE-KMS, from its headers or its
// bucket's default rule.
type kmsWrite struct {
	keyID     string
	context   kms.Context
	rawCtx    string // the header as sent, echoed in the response
	bucketKey bool
}

// kmsWriteOf reads an SSE-KMS write's key, context and bucket key setting;
// rule is the bucket's default when the request named no method.
func kmsWriteOf(r *request, rule *sseRule) (kmsWrite, error) {
	var w kmsWrite
	if rule != nil {
		w.keyID = rule.Default.KMSMasterKeyID
		w.bucketKey = rule.BucketKeyEnabled != nil && *rule.BucketKeyEnabled
	}
	if r.hasHeader(kmsKeyIDHeader) {
		w.keyID = strings.TrimSpace(r.header(kmsKeyIDHeader))
	}
	if r.hasHeader(kmsContextHeader) {
		w.rawCtx = strings.TrimSpace(r.header(kmsContextHeader))
		ec, err := parseKMSContext(w.rawCtx)
		if err != nil {
			return kmsWrite{}, err
		}
		w.context = ec
	}
	// "Regardless of your S3 Bucket Key setting, you can include the
	// x-amz-server-side-encryption-bucket-key-enabled header with a true
	// or false value in your request, to override the bucket setting"
	// (UG bucket-key).
	if r.hasHeader(bucketKeyHeader) {
		switch strings.ToLower(strings.TrimSpace(r.header(bucketKeyHeader))) {
		case "true":
			w.bucketKey = true
		case "false":
			w.bucketKey = false
		default:
			return kmsWrite{}, errBucketKeyValue.ForArgument(bucketKeyHeader, r.header(bucketKeyHeader))
		}
	}
	return w, nil
}

// sealForKMS is SSE-KMS: a data key from the KMS, bound to the client's
// context plus the object's ARN, becomes the object key. The ETag is not
// the plaintext's MD5 (API_Object, ETag: objects "encrypted by SSE-C or
// SSE-KMS, have ETags that are not an MD5 digest of their object data").
// With a bucket key, the object's key is sealed under the bucket's
// (sse_kms_bucket_key.go) and the KMS is asked once per bucket key.
func sealForKMS(r *request, rule *sseRule) (*putEncryption, error) {
	provider := r.sse.kms
	if provider == nil {
		return nil, s3err.NotImplemented.ForHeader(sseHeader)
	}
	if err := requireSigV4(r); err != nil {
		return nil, err
	}
	w, err := kmsWriteOf(r, rule)
	if err != nil {
		return nil, err
	}
	stored := ""
	if len(w.context) > 0 {
		data, err := json.Marshal(w.context)
		if err != nil {
			return nil, fmt.Errorf("encoding encryption context: %w", err)
		}
		stored = string(data)
	}
	if w.bucketKey {
		enc, arn, err := sealUnderBucketKey(r, w, stored)
		if err != nil {
			return nil, err
		}
		return &putEncryption{enc: enc, method: sseKMS, kms: &kmsHeaders{keyID: arn, context: w.rawCtx, bucketKey: true}}, nil
	}
	dk, err := provider.GenerateDataKey(r.ctx, w.keyID, kmsContextOf(w.context, r.bucket, r.key))
	if err != nil {
		return nil, kmsError("GenerateDataKey", err)
	}
	info, key := sse.KMSInfo(dk.KeyID, dk.Plaintext, dk.Sealed, stored, w.bucketKey)
	clear(dk.Plaintext)
	return &putEncryption{
		enc:    &objects.Encryption{Info: info, Key: key},
		method: sseKMS,
		kms:    &kmsHeaders{keyID: dk.KeyID, context: w.rawCtx, bucketKey: w.bucketKey},
	}, nil
}

// kmsContextOf is the context the KMS sees: the client's pairs and the
// object's ARN.
func kmsContextOf(client kms.Context, bucket, key string) kms.Context {
	ec := make(kms.Context, len(client)+1)
	for k, v := range client {
		ec[k] = v
	}
	ec[objectARNContext] = objectARN(bucket, key)
	return ec
}

// kmsHeaders is what SSE-KMS responses say besides the method: the key's
// ARN always, the context on writes that gave one (PutObject and
// CopyObject; GET and HEAD never return it), the bucket key when enabled.
type kmsHeaders struct {
	keyID     string
	context   string
	bucketKey bool
}

func (h *kmsHeaders) set(r *request) {
	if h == nil {
		return
	}
	r.setHeader(kmsKeyIDHeader, h.keyID)
	if h.context != "" {
		r.setHeader(kmsContextHeader, h.context)
	}
	if h.bucketKey {
		r.setHeader(bucketKeyHeader, "true")
	}
}

// kmsReadKey prepares the read of an SSE-KMS object. The KMS is asked to
// open its key only when bytes are read (GET, a copy), not for HEAD or
// GetObjectAttributes, which need no key.
func kmsReadKey(r *request, info objects.ObjectInfo) (*readKey, error) {
	if err := requireSigV4(r); err != nil {
		return nil, err
	}
	enc := *info.Encryption
	provider := r.sse.kms
	rk := &readKey{method: sseKMS, kms: &kmsHeaders{keyID: enc.KeyID, bucketKey: enc.BucketKey}}
	rk.unseal = func() (*sse.ObjectKey, error) {
		if provider == nil {
			return nil, fmt.Errorf("object %s/%s is SSE-KMS but the gateway has no KMS configured", info.Bucket, info.Key)
		}
		var client kms.Context
		if enc.Context != "" {
			if err := json.Unmarshal([]byte(enc.Context), &client); err != nil {
				return nil, fmt.Errorf("object %s/%s: stored encryption context: %w", info.Bucket, info.Key, err)
			}
		}
		if len(enc.Wrapped) > 0 {
			return openUnderBucketKey(r, enc, client, info.Bucket, info.Key)
		}
		plain, err := provider.Decrypt(r.ctx, enc.KeyID, enc.Sealed, kmsContextOf(client, info.Bucket, info.Key))
		if err != nil {
			return nil, fmt.Errorf("object %s/%s: %w", info.Bucket, info.Key, kmsError("Decrypt", err))
		}
		_, key := sse.KMSInfo(enc.KeyID, plain, nil, "", false)
		clear(plain)
		return key, nil
	}
	return rk, nil
}

// kmsError turns a provider's failure into S3's answer. A refusal about
// the key is relayed as S3 does: 400 "KMS."+the KMS exception, with the
// KMS's message (API error responses: KMS.NotFoundException,
// KMS.DisabledException, KMS.KMSInvalidStateException,
// KMS.InvalidKeyUsageException; aws/aws-cli#4507 "Invalid keyId aws/s3").
// A KMS that cannot be reached is a 503, which clients retry (AWS does not
// document its answer). A sealed key that does not open is a 500: the
// record is damaged or was moved.
func kmsError(op string, err error) error {
	var ke *kms.KeyError
	switch {
	case errors.As(err, &ke) && ke.Kind == "AccessDeniedException":
		return s3err.AccessDenied
	case errors.As(err, &ke):
		return &s3err.Error{Code: "KMS." + ke.Kind, Status: http.StatusBadRequest, Message: ke.Message}
	case errors.Is(err, kms.ErrUnavailable):
		return fmt.Errorf("kms %s: %w: %w", op, err, s3err.ServiceUnavailable)
	}
	return fmt.Errorf("kms %s: %w", op, err)
}

// serves reports whether the gateway can encrypt with method.
func (s sseSettings) serves(method string) bool {
	switch method {
	case sseS3:
		return s.masterKeys != nil
	case sseKMS:
		return s.kms != nil
	}
	return false
}

// refuseStrayBucketKey refuses the bucket key header on a write that ends
// up not SSE-KMS, rather than accept and ignore it.
func refuseStrayBucketKey(r *request) error {
	if r.hasHeader(bucketKeyHeader) {
		return errKMSNeedsMethod
	}
	return nil
}

// refuseKMSHeader takes the SSE-KMS headers on the writes that implement
// it (PutObject and CopyObject, with a KMS). The key and context need
// x-amz-server-side-encryption: aws:kms in the same request; the bucket
// key setting may also override a bucket default (checked in
// encryptionForPut). Everywhere else they are not implemented.
func refuseKMSHeader(r *request, name, value string) error {
	switch operationOf(r) {
	case "PutObject", "CopyObject", "CreateMultipartUpload":
		if r.sse.kms == nil {
			return notImplemented(r, name, value)
		}
		method := strings.TrimSpace(r.header(sseHeader))
		if method == sseKMS || (name == bucketKeyHeader && !r.hasHeader(sseHeader)) {
			return nil
		}
		return errKMSNeedsMethod
	}
	return notImplemented(r, name, value)
}
