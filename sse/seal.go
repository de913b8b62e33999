package sse

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// KeySize is the size of every key here: object keys, customer keys,
// master keys.
const KeySize = 32

// ObjectKey encrypts one object's bytes. Zero it (Zero) once done.
type ObjectKey [KeySize]byte

// Zero overwrites the key.
func (k *ObjectKey) Zero() { clear(k[:]) }

// NewObjectKey draws a fresh random object key.
func NewObjectKey() (*ObjectKey, error) {
	k := new(ObjectKey)
	if _, err := rand.Read(k[:]); err != nil {
		return nil, fmt.Errorf("sse: draw object key: %w", err)
	}
	return k, nil
}

// Mode is how an object's key is sealed, as stored in its record.
type Mode string

const (
	// ModeCustomer is SSE-C: sealed under the key the client sends.
	ModeCustomer Mode = "C"
	// ModeS3 is SSE-S3: sealed under a master key of the gateway's key
	// ring, named by Info.KeyID.
	ModeS3 Mode = "S3"
)

// Info is what an encrypted object's record keeps about its encryption.
// It holds no secret: the object key in it is sealed.
type Info struct {
	Mode Mode `json:"m"`
	// KeyID names the key the object key is sealed under, for modes whose
	// keys rotate (empty for SSE-C).
	KeyID string `json:"k,omitempty"`
	// Sealed is the object key, sealed: GCM nonce followed by ciphertext
	// (for SSE-KMS, the KMS's ciphertext blob).
	Sealed []byte `json:"s"`
	// Context is an SSE-KMS object's encryption context as the client
	// gave it (canonical JSON; the KMS also gets the object's ARN), and
	// BucketKey its bucket-key-enabled setting (kms.go).
	Context   string `json:"c,omitempty"`
	BucketKey bool   `json:"b,omitempty"`
	// Wrapped is, for an SSE-KMS object written with a bucket key, its
	// own object key sealed under that bucket key (Sealed is then the
	// bucket key's KMS ciphertext). Empty for objects whose key is their
	// own data key, including those recorded with BucketKey before bucket
	// keys were drawn (kms.go).
	Wrapped []byte `json:"w,omitempty"`
}

// ErrWrongKey reports a sealed object key that does not open under the key
// offered: the wrong key, or a record from elsewhere.
var ErrWrongKey = errors.New("sse: the key offered does not open the object's key")

// Seal seals key under secret for the object bucket/object, giving the
// record's Info.
func Seal(key *ObjectKey, mode Mode, keyID string, secret []byte, bucket, object string) (Info, error) {
	aead, err := keyWrapper(secret, mode, bucket, object)
	if err != nil {
		return Info{}, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+KeySize+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return Info{}, fmt.Errorf("sse: draw nonce: %w", err)
	}
	sealed := aead.Seal(nonce, nonce, key[:], []byte(keyID))
	return Info{Mode: mode, KeyID: keyID, Sealed: sealed}, nil
}

// Unseal opens info's sealed object key with secret; ErrWrongKey if it does
// not open.
func Unseal(info Info, secret []byte, bucket, object string) (*ObjectKey, error) {
	aead, err := keyWrapper(secret, info.Mode, bucket, object)
	if err != nil {
		return nil, err
	}
	ns := aead.NonceSize()
	if len(info.Sealed) != ns+KeySize+aead.Overhead() {
		return nil, ErrWrongKey
	}
	k := new(ObjectKey)
	if _, err := aead.Open(k[:0], info.Sealed[:ns], info.Sealed[ns:], []byte(info.KeyID)); err != nil {
		k.Zero()
		return nil, ErrWrongKey
	}
	return k, nil
}

// keyWrapper is AES-256-GCM under the key encryption key of an object:
// HMAC-SHA256 of the mode, bucket and key under secret. Binding the object's
// name means a sealed key copied onto another object does not open.
func keyWrapper(secret []byte, mode Mode, bucket, object string) (cipher.AEAD, error) {
	if len(secret) != KeySize {
		return nil, fmt.Errorf("sse: sealing key is %d bytes, want %d", len(secret), KeySize)
	}
	mac := hmac.New(sha256.New, secret)
	for _, part := range []string{"terngate-sse-v1", string(mode), bucket, object} {
		mac.Write([]byte(part))
		mac.Write([]byte{0})
	}
	kek := mac.Sum(nil)
	defer clear(kek)
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("sse: key wrapper: %w", err)
	}
	return cipher.NewGCM(block)
}

// OpaqueETag is the ETag of an object whose ETag must not be its
// plaintext's MD5 (SSE-C, SSE-KMS, as AWS): a keyed digest of that MD5,
// stable for the object and telling nothing about its bytes.
func OpaqueETag(key *ObjectKey, md5sum []byte) string {
	mac := hmac.New(sha256.New, key[:])
	mac.Write([]byte("etag"))
	mac.Write(md5sum)
	return hex.EncodeToString(mac.Sum(nil)[:16])
}
