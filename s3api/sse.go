package s3api

import (
	"errors"
	"fmt"
	"io"

	"github.com/terngate/terngate/kms"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/sse"
	"github.com/terngate/terngate/store/objects"
)

// ssecOperations accept SSE-C keys; every other operation refuses them as
// not implemented (unsupported.go) rather than ignore them.
var ssecOperations = map[string]bool{
	"PutObject":           true,
	"CopyObject":          true,
	"GetObject":           true,
	"HeadObject":          true,
	"GetObjectAttributes": true,
	// Multipart uploads (sse_multipart.go).
	"CreateMultipartUpload":   true,
	"UploadPart":              true,
	"UploadPartCopy":          true,
	"CompleteMultipartUpload": true,
	"ListParts":               true,
}

// AWS's answers to reads of encrypted objects (GetObject, "Server-side
// encryption" in the API reference: an SSE-C object needs its key; the
// texts are those S3 sends).
var (
	errSSEKeyNeeded = s3err.InvalidRequest.With("The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	errSSENotApply  = s3err.InvalidRequest.With("The encryption parameters are not applicable to this object.")
)

// sseSettings is the gateway's encryption configuration as a request sees
// it.
type sseSettings struct {
	// plainSSEC accepts SSE-C keys over plain HTTP (Config.AllowSSECOverHTTP).
	plainSSEC bool
	// plainKMS accepts SSE-KMS over plain HTTP (Config.AllowSSEKMSOverHTTP).
	plainKMS bool
	// masterKeys enables SSE-S3; nil without a key ring.
	masterKeys *sse.KeyRing
	// kms enables SSE-KMS; nil without a KMS.
	kms kms.Provider
	// bucketKeys is kms behind the server's bucket key cache.
	bucketKeys *kms.BucketKeys
}

func (s *server) sseSettings() sseSettings {
	return sseSettings{plainSSEC: s.cfg.AllowSSECOverHTTP, plainKMS: s.cfg.AllowSSEKMSOverHTTP, masterKeys: s.cfg.MasterKeys, kms: s.cfg.KMS, bucketKeys: s.bucketKeys}
}

// sseHeader is the request and response header naming SSE-S3 and SSE-KMS.
const sseHeader = "x-amz-server-side-encryption"

// sseS3 is SSE-S3's name in sseHeader and in bucket configurations.
const sseS3 = "AES256"

// putEncryption is how a write is encrypted, and what its response says.
type putEncryption struct {
	enc      *objects.Encryption
	customer *customerKey
	// method is sseHeader's value in the response ("" for SSE-C).
	method string
	kms    *kmsHeaders
}

// encryptionForPut reads the encryption a write asks for, or its bucket's
// default encryption when it asks for none. Zero the result once the write
// is done.
func (s *server) encryptionForPut(r *request) (*putEncryption, error) {
	ck, err := parseCustomerKey(readSSECHeaders(r, ssecPrefix), ssecPrefix)
	if err != nil {
		return nil, err
	}
	if ck != nil {
		if err := refuseStrayBucketKey(r); err != nil {
			ck.zero()
			return nil, err
		}
		if r.hasHeader(sseHeader) {
			ck.zero()
			// "Specifying server-side encryption with customer-provided
			// keys" (S3 User Guide): SSE-C excludes the other methods.
			return nil, s3err.InvalidArgument.With("Server Side Encryption with Customer provided key is incompatible with the encryption method specified").
				ForArgument(sseHeader, r.header(sseHeader))
		}
		return sealForCustomer(r, ck)
	}
	method := r.header(sseHeader)
	var rule *sseRule
	if !r.hasHeader(sseHeader) {
		if rule, err = s.bucketDefaultRule(r, r.bucket); err != nil {
			return nil, err
		}
		if rule == nil {
			return nil, refuseStrayBucketKey(r)
		}
		method = rule.Default.SSEAlgorithm
	}
	if method == sseKMS {
		return sealForKMS(r, rule)
	}
	if err := refuseStrayBucketKey(r); err != nil {
		return nil, err
	}
	// Any other method was refused before the handler ran (unsupported.go).
	return sealForMaster(r, r.sse.masterKeys)
}

func sealForCustomer(r *request, ck *customerKey) (*putEncryption, error) {
	key, err := sse.NewObjectKey()
	if err != nil {
		ck.zero()
		return nil, err
	}
	info, err := sse.Seal(key, sse.ModeCustomer, "", ck.key[:], r.bucket, r.key)
	clear(ck.key[:]) // its MD5 is all the response needs
	if err != nil {
		key.Zero()
		return nil, err
	}
	return &putEncryption{enc: &objects.Encryption{Info: info, Key: key}, customer: ck}, nil
}

// sealForMaster is SSE-S3: the object key sealed under the ring's current
// master key, whose ID the record keeps. The ETag stays the plaintext's MD5,
// as AWS's for SSE-S3 (API_Object: "Objects encrypted by SSE-S3 ... have
// ETags that are an MD5 digest of their object data").
func sealForMaster(r *request, ring *sse.KeyRing) (*putEncryption, error) {
	if ring == nil {
		return nil, s3err.NotImplemented.ForHeader(sseHeader)
	}
	key, err := sse.NewObjectKey()
	if err != nil {
		return nil, err
	}
	id, master := ring.Current()
	info, err := sse.Seal(key, sse.ModeS3, id, master, r.bucket, r.key)
	if err != nil {
		key.Zero()
		return nil, err
	}
	return &putEncryption{enc: &objects.Encryption{Info: info, Key: key, PlainETag: true}, method: sseS3}, nil
}

// input is the layer's Encryption (nil for a plaintext write).
func (p *putEncryption) input() *objects.Encryption {
	if p == nil {
		return nil
	}
	return p.enc
}

func (p *putEncryption) zero() {
	if p != nil {
		p.enc.Key.Zero()
		p.customer.zero()
	}
}

// readKey is what a read of an object needs to decrypt it: its object key
// (nil for a plaintext object), and what the response says of it.
type readKey struct {
	key      *sse.ObjectKey
	customer *customerKey
	method   string
	kms      *kmsHeaders
	// unseal, when set, gets key when the bytes are read (SSE-KMS asks
	// its KMS only then).
	unseal func() (*sse.ObjectKey, error)
}

// setHeaders writes the response headers of an encrypted write.
func (p *putEncryption) setHeaders(r *request) {
	switch {
	case p == nil:
	case p.customer != nil:
		setCustomerKeyHeaders(r, p.customer)
	default:
		r.setHeader(sseHeader, p.method)
		p.kms.set(r)
	}
}

func setCustomerKeyHeaders(r *request, ck *customerKey) {
	r.setHeader(ssecPrefix+"algorithm", "AES256")
	r.setHeader(ssecPrefix+"key-MD5", ck.md5)
}

// objectReadKey checks the request's SSE-C headers against the object and
// unseals its key. A wrong key is AWS's 403; no key for an SSE-C object,
// or a key for another one, its 400s.
func objectReadKey(r *request, info objects.ObjectInfo) (*readKey, error) {
	return readKeyFrom(r, info, ssecPrefix)
}

// copySourceKey is objectReadKey for a copy's source, whose SSE-C key comes
// in the x-amz-copy-source-server-side-encryption-customer-* headers
// (API_CopyObject).
func copySourceKey(r *request, info objects.ObjectInfo) (*readKey, error) {
	return readKeyFrom(r, info, ssecCopySourcePrefix)
}

func readKeyFrom(r *request, info objects.ObjectInfo, prefix string) (*readKey, error) {
	ck, err := parseCustomerKey(readSSECHeaders(r, prefix), prefix)
	if err != nil {
		return nil, err
	}
	defer ck.zero()
	if info.Encryption == nil || info.Encryption.Mode != sse.ModeCustomer {
		if ck != nil {
			return nil, errSSENotApply
		}
		if info.Encryption == nil {
			return nil, nil
		}
		return masterReadKey(r, info)
	}
	if ck == nil {
		return nil, errSSEKeyNeeded
	}
	key, err := sse.Unseal(*info.Encryption, ck.key[:], info.Bucket, info.Key)
	if errors.Is(err, sse.ErrWrongKey) {
		return nil, s3err.AccessDenied
	}
	if err != nil {
		return nil, fmt.Errorf("object %s/%s: %w", r.bucket, r.key, err)
	}
	return &readKey{key: key, customer: &customerKey{md5: ck.md5}}, nil
}

// masterReadKey unseals the key of an SSE-S3 object under the master key
// its record names. A ring without that key is the operator's error (a key
// removed too early): a 500, never plaintext or ciphertext.
func masterReadKey(r *request, info objects.ObjectInfo) (*readKey, error) {
	if info.Encryption.Mode == sse.ModeKMS {
		return kmsReadKey(r, info)
	}
	if info.Encryption.Mode != sse.ModeS3 {
		return nil, fmt.Errorf("object %s/%s: unknown encryption mode %q", info.Bucket, info.Key, info.Encryption.Mode)
	}
	ring := r.sse.masterKeys
	if ring == nil {
		return nil, fmt.Errorf("object %s/%s is SSE-S3 but the gateway has no master key ring", info.Bucket, info.Key)
	}
	master, ok := ring.Key(info.Encryption.KeyID)
	if !ok {
		return nil, fmt.Errorf("object %s/%s is sealed under master key %q, which the key ring lacks", info.Bucket, info.Key, info.Encryption.KeyID)
	}
	key, err := sse.Unseal(*info.Encryption, master, info.Bucket, info.Key)
	if err != nil {
		return nil, fmt.Errorf("object %s/%s: master key %q: %w", info.Bucket, info.Key, info.Encryption.KeyID, err)
	}
	return &readKey{key: key, method: sseS3}, nil
}

// setHeaders writes the encryption headers of a read's response.
func (k *readKey) setHeaders(r *request) {
	switch {
	case k == nil:
	case k.customer != nil:
		setCustomerKeyHeaders(r, k.customer)
	case k.method != "":
		r.setHeader(sseHeader, k.method)
		k.kms.set(r)
	}
}

func (k *readKey) zero() {
	if k != nil && k.key != nil {
		k.key.Zero()
	}
}

// openRange reads bytes [start, start+n) of an object's plaintext. The
// object key is zeroed once the reader is set up (the cipher holds its own
// schedule).
func openRange(obj *objects.Object, k *readKey, start, n int64) (io.Reader, error) {
	if k == nil {
		return obj.File.NewReader(start, n)
	}
	defer k.zero()
	key, err := k.objectKey()
	if err != nil {
		return nil, err
	}
	return obj.NewPlainReader(key, start, n)
}

// objectKey is the object key, unsealed now if the mode defers it.
func (k *readKey) objectKey() (*sse.ObjectKey, error) {
	if k.key == nil && k.unseal != nil {
		key, err := k.unseal()
		if err != nil {
			return nil, err
		}
		k.key = key
	}
	return k.key, nil
}

// copySetsEncryption reports whether a copy names an encryption for its
// destination or a key for its source: a copy onto itself then rewrites
// the bytes (AWS counts a change of encryption as a change that makes a
// copy onto itself legal).
func copySetsEncryption(r *request) bool {
	for _, h := range []string{sseHeader, ssecPrefix + "algorithm", ssecCopySourcePrefix + "algorithm"} {
		if r.hasHeader(h) {
			return true
		}
	}
	return false
}
