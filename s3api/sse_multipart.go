package s3api

import (
	"errors"
	"fmt"

	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/sse"
	"github.com/terngate/terngate/store/objects"
)

// AWS's answers to an UploadPart whose SSE-C key does not fit its upload
// (the texts S3 sends: aws/aws-sdk-ruby#1084 and aws/aws-sdk-go#1095
// quote the first, for parts sent without the key the upload was created
// with).
var (
	errSSEPartKeyNeeded   = s3err.InvalidRequest.With("The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.")
	errSSEPartKeyMismatch = s3err.InvalidRequest.With("The provided encryption parameters did not match the ones used originally.")
)

// encryptionForUpload is the encryption a CreateMultipartUpload asks for
// (or its bucket's default), sealed as a single PUT seals it: the upload's
// state keeps the sealed object key and, for SSE-C, the key's MD5 only.
// Parts unseal the object key again (unsealUploadKey). nil for a plain
// upload.
func (s *server) encryptionForUpload(r *request) (*multipart.Encryption, error) {
	put, err := s.encryptionForPut(r)
	if err != nil || put == nil {
		return nil, err
	}
	defer put.zero()
	enc := &multipart.Encryption{Info: put.enc.Info, PlainETag: put.enc.PlainETag, Method: put.method}
	if put.customer != nil {
		enc.CustomerKeyMD5 = put.customer.md5
	}
	return enc, nil
}

// setUploadEncryptionHeaders writes an encrypted upload's response headers
// (CreateMultipartUpload, UploadPart, UploadPartCopy, Complete: the
// algorithm, and for SSE-C the key's MD5, as API_UploadPart lists them).
func setUploadEncryptionHeaders(r *request, enc *multipart.Encryption) {
	switch {
	case enc == nil:
	case enc.CustomerKeyMD5 != "":
		setCustomerKeyHeaders(r, &customerKey{md5: enc.CustomerKeyMD5})
	case enc.Method == sseKMS:
		r.setHeader(sseHeader, enc.Method)
		// The context is answered by PutObject and CopyObject only; an
		// upload's responses name the key and the bucket key setting.
		(&kmsHeaders{keyID: enc.Info.KeyID, bucketKey: enc.Info.BucketKey}).set(r)
	case enc.Method != "":
		r.setHeader(sseHeader, enc.Method)
	}
}

// partUnsealer answers multipart.PartInput.Unseal for a part request: the
// upload's object key, unsealed with the request's SSE-C key (which must be
// the upload's) or the gateway's key for the upload's mode. seen receives
// the upload's encryption, for the response's headers.
func partUnsealer(r *request, seen **multipart.Encryption) func(*multipart.Encryption) (*sse.ObjectKey, error) {
	return func(enc *multipart.Encryption) (*sse.ObjectKey, error) {
		*seen = enc
		return unsealUploadKey(r, enc)
	}
}

func unsealUploadKey(r *request, enc *multipart.Encryption) (*sse.ObjectKey, error) {
	ck, err := parseCustomerKey(readSSECHeaders(r, ssecPrefix), ssecPrefix)
	if err != nil {
		return nil, err
	}
	defer ck.zero()
	switch {
	case enc == nil && ck == nil:
		return nil, nil
	case enc == nil:
		return nil, errSSEPartKeyNeeded
	case enc.CustomerKeyMD5 == "":
		if ck != nil {
			return nil, errSSEPartKeyMismatch
		}
		// The same unsealing a read of the finished object does.
		k, err := masterReadKey(r, objects.ObjectInfo{Bucket: r.bucket, Key: r.key, Encryption: &enc.Info})
		if err != nil {
			return nil, err
		}
		return k.objectKey()
	case ck == nil:
		return nil, errSSEPartKeyNeeded
	case ck.md5 != enc.CustomerKeyMD5:
		return nil, errSSEPartKeyMismatch
	}
	key, err := sse.Unseal(enc.Info, ck.key[:], r.bucket, r.key)
	if errors.Is(err, sse.ErrWrongKey) {
		return nil, errSSEPartKeyMismatch
	}
	if err != nil {
		return nil, fmt.Errorf("upload of %s/%s: %w", r.bucket, r.key, err)
	}
	return key, nil
}

// checkCompleteEncryption checks the encryption headers a Complete may
// carry: SSE-C headers (API_CompleteMultipartUpload: needed only for
// uploads with checksums, accepted on any) must be well formed and name
// the upload's key, and x-amz-server-side-encryption (which minio-go sends
// for SSE-S3 uploads) the upload's method. A Complete of an upload already
// finished is answered from its record.
func (s *server) checkCompleteEncryption(r *request, m *multipart.Manager) error {
	ck, err := parseCustomerKey(readSSECHeaders(r, ssecPrefix), ssecPrefix)
	if err != nil {
		return err
	}
	ck.zero()
	if ck == nil && !r.hasHeader(sseHeader) {
		return nil
	}
	u, err := m.Upload(r.ctx, r.bucket, r.key, r.param("uploadId"))
	if err != nil {
		return nil // Complete answers for the upload
	}
	enc := u.Encryption
	switch {
	case enc == nil:
		return errSSEPartKeyMismatch
	case ck != nil && enc.CustomerKeyMD5 != ck.md5:
		return errSSEPartKeyMismatch
	case r.hasHeader(sseHeader) && enc.Method != r.header(sseHeader):
		return errSSEPartKeyMismatch
	}
	return nil
}

// checkListPartsCustomerKey checks the SSE-C headers a ListParts may carry
// (API_ListParts: needed only for uploads with checksums): they must be
// well formed and name the upload's key.
func checkListPartsCustomerKey(r *request, enc *multipart.Encryption) error {
	ck, err := parseCustomerKey(readSSECHeaders(r, ssecPrefix), ssecPrefix)
	if err != nil || ck == nil {
		return err
	}
	ck.zero()
	if enc == nil || enc.CustomerKeyMD5 != ck.md5 {
		return errSSEPartKeyMismatch
	}
	return nil
}
