package kms

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/terngate/terngate/sse"
)

// Ring is the embedded provider: master keys the gateway holds itself, in
// a static key ring (sse.KeyRing's file format). Its first key is the
// default key, also answering to the alias aws/s3 that AWS gives S3's
// managed key. A data key is sealed with AES-256-GCM under a key derived
// from its master key and its context, so it opens only with both.
type Ring struct {
	keys *sse.KeyRing
	// arnPrefix is "arn:aws:kms:<region>:<account>:", before "key/<id>".
	arnPrefix string
}

// NewRing serves keys's keys as arn:aws:kms:<region>:<account>:key/<id>.
func NewRing(keys *sse.KeyRing, region, account string) *Ring {
	return &Ring{keys: keys, arnPrefix: "arn:aws:kms:" + region + ":" + account + ":"}
}

// DefaultKeyARN is the ARN of the key used when none is named.
func (r *Ring) DefaultKeyARN() string {
	id, _ := r.keys.Current()
	return r.arnPrefix + "key/" + id
}

// ARNs lists the ring's key ARNs, the default first.
func (r *Ring) ARNs() []string {
	var arns []string
	for _, id := range r.keys.IDs() {
		arns = append(arns, r.arnPrefix+"key/"+id)
	}
	return arns
}

// resolve finds the master key keyID names, in any of AWS's four forms.
// Its errors are the texts S3 relays from KMS: "Invalid keyId 'x'" for a
// bare name, "Key '<arn>' does not exist" for an ARN, "Alias '<arn>' is
// not found." for an alias.
func (r *Ring) resolve(keyID string) (arn string, master []byte, err error) {
	id := keyID
	switch {
	case keyID == "" || keyID == "alias/aws/s3" || keyID == r.arnPrefix+"alias/aws/s3":
		id, master = r.keys.Current()
		return r.arnPrefix + "key/" + id, master, nil
	case strings.HasPrefix(keyID, r.arnPrefix+"key/"):
		id = strings.TrimPrefix(keyID, r.arnPrefix+"key/")
		if master, ok := r.keys.Key(id); ok {
			return keyID, master, nil
		}
		return "", nil, notFound("Key '%s' does not exist", keyID)
	case strings.HasPrefix(keyID, r.arnPrefix+"alias/"), strings.HasPrefix(keyID, "alias/"):
		name := keyID[strings.Index(keyID, "alias/")+len("alias/"):]
		if master, ok := r.keys.Key(name); ok {
			return r.arnPrefix + "key/" + name, master, nil
		}
		return "", nil, notFound("Alias '%s' is not found.", r.arnPrefix+"alias/"+name)
	case strings.HasPrefix(keyID, "arn:"):
		return "", nil, notFound("Key '%s' does not exist", keyID)
	}
	if master, ok := r.keys.Key(id); ok {
		return r.arnPrefix + "key/" + id, master, nil
	}
	return "", nil, notFound("Invalid keyId '%s'", keyID)
}

// GenerateDataKey draws a random data key and seals it under the master
// key keyID names, bound to ec.
func (r *Ring) GenerateDataKey(_ context.Context, keyID string, ec Context) (DataKey, error) {
	arn, master, err := r.resolve(keyID)
	if err != nil {
		return DataKey{}, err
	}
	aead, err := wrapper(master, ec)
	if err != nil {
		return DataKey{}, err
	}
	plain := make([]byte, DataKeySize)
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+DataKeySize+aead.Overhead())
	if _, err := rand.Read(plain); err != nil {
		return DataKey{}, fmt.Errorf("kms: draw data key: %w", err)
	}
	if _, err := rand.Read(nonce); err != nil {
		return DataKey{}, fmt.Errorf("kms: draw nonce: %w", err)
	}
	return DataKey{KeyID: arn, Plaintext: plain, Sealed: aead.Seal(nonce, nonce, plain, []byte(arn))}, nil
}

// Decrypt opens a data key GenerateDataKey sealed under keyID and ec.
func (r *Ring) Decrypt(_ context.Context, keyID string, sealed []byte, ec Context) ([]byte, error) {
	arn, master, err := r.resolve(keyID)
	if err != nil {
		return nil, err
	}
	aead, err := wrapper(master, ec)
	if err != nil {
		return nil, err
	}
	ns := aead.NonceSize()
	if len(sealed) != ns+DataKeySize+aead.Overhead() {
		return nil, ErrWrongContext
	}
	plain, err := aead.Open(nil, sealed[:ns], sealed[ns:], []byte(arn))
	if err != nil {
		return nil, ErrWrongContext
	}
	return plain, nil
}

// wrapper is AES-256-GCM under HMAC-SHA256(master, context): a data key
// sealed for one object's context does not open under another's.
func wrapper(master []byte, ec Context) (cipher.AEAD, error) {
	mac := hmac.New(sha256.New, master)
	mac.Write([]byte("terngate-kms-ring-v1\x00"))
	mac.Write(ec.canonical())
	kek := mac.Sum(nil)
	defer clear(kek)
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("kms: key wrapper: %w", err)
	}
	return cipher.NewGCM(block)
}
