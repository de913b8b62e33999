package s3api

import (
	"errors"
	"fmt"
	"io"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/sse"
	"github.com/terngate/terngate/store/objects"
)

// ssecOperations accept SSE-C keys; every other operation refuses them as
// not implemented (unsupported.go) rather than ignore them.
var ssecOperations = map[string]bool{
	"PutObject":           true,
	"GetObject":           true,
	"HeadObject":          true,
	"GetObjectAttributes": true,
}

// AWS's answers to reads of encrypted objects (GetObject, "Server-side
// encryption" in the API reference: an SSE-C object needs its key; the
// texts are those S3 sends).
var (
	errSSEKeyNeeded = s3err.InvalidRequest.With("The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	errSSENotApply  = s3err.InvalidRequest.With("The encryption parameters are not applicable to this object.")
)

// putEncryption is how a write is encrypted, and what its response says.
type putEncryption struct {
	enc      *objects.Encryption
	customer *customerKey
}

// encryptionForPut reads the encryption a write asks for. Zero the result
// once the write is done.
func encryptionForPut(r *request) (*putEncryption, error) {
	ck, err := parseCustomerKey(readSSECHeaders(r, ssecPrefix), ssecPrefix)
	if err != nil || ck == nil {
		return nil, err
	}
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

// setHeaders writes the response headers of an encrypted write.
func (p *putEncryption) setHeaders(r *request) {
	if p != nil {
		setCustomerKeyHeaders(r, p.customer)
	}
}

func setCustomerKeyHeaders(r *request, ck *customerKey) {
	r.setHeader(ssecPrefix+"algorithm", "AES256")
	r.setHeader(ssecPrefix+"key-MD5", ck.md5)
}

// readKey is what a read of an object needs to decrypt it: its object key
// (nil for a plaintext object) and the customer key that opened it.
type readKey struct {
	key      *sse.ObjectKey
	customer *customerKey
}

// objectReadKey checks the request's SSE-C headers against the object and
// unseals its key. A wrong key is AWS's 403; no key for an SSE-C object,
// or a key for another one, its 400s.
func objectReadKey(r *request, info objects.ObjectInfo) (*readKey, error) {
	ck, err := parseCustomerKey(readSSECHeaders(r, ssecPrefix), ssecPrefix)
	if err != nil {
		return nil, err
	}
	defer ck.zero()
	if info.Encryption == nil || info.Encryption.Mode != sse.ModeCustomer {
		if ck != nil {
			return nil, errSSENotApply
		}
		if info.Encryption != nil {
			return nil, fmt.Errorf("object %s/%s: unknown encryption mode %q", r.bucket, r.key, info.Encryption.Mode)
		}
		return nil, nil
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

// setHeaders writes the encryption headers of a read's response.
func (k *readKey) setHeaders(r *request) {
	if k != nil && k.customer != nil {
		setCustomerKeyHeaders(r, k.customer)
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
	return obj.NewPlainReader(k.key, start, n)
}

// refuseEncryptedSource refuses to copy an encrypted object: copying one
// (CopyObject, UploadPartCopy) is not implemented yet, and reading its
// stored bytes as they are would copy ciphertext as the object.
func refuseEncryptedSource(info objects.ObjectInfo) error {
	if info.Encryption != nil {
		return errSSEKeyNeeded
	}
	return nil
}
