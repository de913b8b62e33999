package kms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// DataKeySize is the size of every data key: AES-256.
const DataKeySize = 32

// Context is an encryption context: name-value pairs a sealed data key is
// bound to, and that must be given again, exactly, to open it.
type Context map[string]string

// canonical is the context's one encoding: JSON with its names sorted
// (encoding/json sorts map keys), so equal contexts seal alike.
func (c Context) canonical() []byte {
	if len(c) == 0 {
		return []byte("{}")
	}
	data, err := json.Marshal(map[string]string(c))
	if err != nil {
		// A map of strings always encodes.
		panic(fmt.Sprintf("kms: encoding a context: %v", err))
	}
	return data
}

// DataKey is a fresh data key: its plaintext, to encrypt with and then
// zero, and its sealed form, to store.
type DataKey struct {
	// KeyID is the full ARN of the master key that sealed it, whatever
	// form of ID was asked for.
	KeyID     string
	Plaintext []byte
	Sealed    []byte
}

// Provider draws and opens data keys.
type Provider interface {
	// GenerateDataKey draws a data key sealed under keyID (a key ID, key
	// ARN, alias name or alias ARN; "" for the provider's default key)
	// and bound to ec.
	GenerateDataKey(ctx context.Context, keyID string, ec Context) (DataKey, error)
	// Decrypt opens a sealed data key of keyID (as GenerateDataKey
	// reported it) bound to ec.
	Decrypt(ctx context.Context, keyID string, sealed []byte, ec Context) ([]byte, error)
}

// KeyError is a refusal about the master key itself, which S3 passes to
// its client as a 400 with code "KMS."+Kind and the KMS's message
// ("KMS.NotFoundException: Invalid keyId 'x'").
type KeyError struct {
	// Kind is the AWS KMS exception name: NotFoundException,
	// DisabledException, KMSInvalidStateException, InvalidKeyUsageException.
	Kind    string
	Message string
}

func (e *KeyError) Error() string { return "kms: " + e.Kind + ": " + e.Message }

func notFound(format string, args ...any) error {
	return &KeyError{Kind: "NotFoundException", Message: fmt.Sprintf(format, args...)}
}

// ErrUnavailable wraps failures to reach the KMS or get an answer from it:
// the request may succeed later.
var ErrUnavailable = errors.New("kms: the key management service is unavailable")

// ErrWrongContext reports a sealed data key that does not open: a wrong
// context, or bytes altered or moved from another object.
var ErrWrongContext = errors.New("kms: the sealed data key does not open under this key and context")
