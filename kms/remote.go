package kms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// RemoteConfig names a server speaking the AWS KMS API.
type RemoteConfig struct {
	// Endpoint is its URL; "" for AWS KMS in Region.
	Endpoint string
	Region   string
	// AccessKey and SecretKey sign the calls (SigV4, service "kms").
	AccessKey, SecretKey string
	// DefaultKey is the key used when a request names none (AWS's S3 uses
	// its managed key alias/aws/s3, which only S3 itself can create).
	DefaultKey string
	// Timeout bounds each call; 0 is 10 seconds.
	Timeout time.Duration
}

// Remote is the external provider: GenerateDataKey and Decrypt over the
// AWS KMS API, which AWS KMS and the compatible servers speak.
type Remote struct {
	client     *awskms.Client
	defaultKey string
	timeout    time.Duration
}

// NewRemote sets up a client; it makes no call.
func NewRemote(cfg RemoteConfig) (*Remote, error) {
	if cfg.Region == "" || cfg.DefaultKey == "" {
		return nil, errors.New("kms: a remote KMS needs a region and a default key")
	}
	opts := awskms.Options{
		Region:     cfg.Region,
		HTTPClient: &http.Client{},
	}
	if cfg.AccessKey != "" {
		opts.Credentials = credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, "")
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	return &Remote{client: awskms.New(opts), defaultKey: cfg.DefaultKey, timeout: timeout}, nil
}

// DefaultKey is the key used when a request names none.
func (k *Remote) DefaultKey() string { return k.defaultKey }

func (k *Remote) GenerateDataKey(ctx context.Context, keyID string, ec Context) (DataKey, error) {
	if keyID == "" {
		keyID = k.defaultKey
	}
	ctx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	out, err := k.client.GenerateDataKey(ctx, &awskms.GenerateDataKeyInput{
		KeyId:             aws.String(keyID),
		KeySpec:           types.DataKeySpecAes256,
		EncryptionContext: ec,
	})
	if err != nil {
		return DataKey{}, remoteError("GenerateDataKey", err)
	}
	if len(out.Plaintext) != DataKeySize {
		clear(out.Plaintext)
		return DataKey{}, fmt.Errorf("kms: GenerateDataKey returned a %d-byte key", len(out.Plaintext))
	}
	return DataKey{KeyID: aws.ToString(out.KeyId), Plaintext: out.Plaintext, Sealed: out.CiphertextBlob}, nil
}

func (k *Remote) Decrypt(ctx context.Context, keyID string, sealed []byte, ec Context) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	out, err := k.client.Decrypt(ctx, &awskms.DecryptInput{
		KeyId:             aws.String(keyID),
		CiphertextBlob:    sealed,
		EncryptionContext: ec,
	})
	if err != nil {
		return nil, remoteError("Decrypt", err)
	}
	if len(out.Plaintext) != DataKeySize {
		clear(out.Plaintext)
		return nil, fmt.Errorf("kms: Decrypt returned a %d-byte key", len(out.Plaintext))
	}
	return out.Plaintext, nil
}

// remoteError sorts the KMS's answer: refusals about the key become
// KeyError (S3 relays them to its client), a ciphertext that does not open
// ErrWrongContext, and anything else (no answer, throttling, 5xx)
// ErrUnavailable.
func remoteError(op string, err error) error {
	var (
		notFound   *types.NotFoundException
		disabled   *types.DisabledException
		state      *types.KMSInvalidStateException
		usage      *types.InvalidKeyUsageException
		ciphertext *types.InvalidCiphertextException
		api        smithy.APIError
	)
	switch {
	case errors.As(err, &notFound):
		return &KeyError{Kind: "NotFoundException", Message: notFound.ErrorMessage()}
	case errors.As(err, &disabled):
		return &KeyError{Kind: "DisabledException", Message: disabled.ErrorMessage()}
	case errors.As(err, &state):
		return &KeyError{Kind: "KMSInvalidStateException", Message: state.ErrorMessage()}
	case errors.As(err, &usage):
		return &KeyError{Kind: "InvalidKeyUsageException", Message: usage.ErrorMessage()}
	case errors.As(err, &ciphertext):
		return fmt.Errorf("%w: %s: %s", ErrWrongContext, op, ciphertext.ErrorMessage())
	case errors.As(err, &api) && api.ErrorFault() == smithy.FaultClient && api.ErrorCode() != "ThrottlingException":
		// Our own malformed call (a bad alias name, say): KMS's words.
		return &KeyError{Kind: api.ErrorCode(), Message: api.ErrorMessage()}
	}
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
}
