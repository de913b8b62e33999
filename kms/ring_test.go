package kms

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/terngate/terngate/sse"
)

func testRing(t *testing.T) *Ring {
	t.Helper()
	keys, err := sse.ParseKeyRing([]byte("first " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)) +
		"\nsecond " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32)) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return NewRing(keys, "eu-west-1", "000000000000")
}

// A key is named in any of the four forms GenerateDataKey takes ("key ID,
// key ARN, alias name, or alias ARN", API_GenerateDataKey), none being the
// default key (also alias/aws/s3, the name of S3's managed key); a name
// the ring lacks is NotFoundException with KMS's texts.
func TestRingResolvesKeyForms(t *testing.T) {
	r := testRing(t)
	arn := "arn:aws:kms:eu-west-1:000000000000:key/"
	for name, want := range map[string]string{
		"": arn + "first", "alias/aws/s3": arn + "first", "arn:aws:kms:eu-west-1:000000000000:alias/aws/s3": arn + "first",
		"second": arn + "second", arn + "second": arn + "second", "alias/second": arn + "second",
		"arn:aws:kms:eu-west-1:000000000000:alias/second": arn + "second",
	} {
		dk, err := r.GenerateDataKey(context.Background(), name, Context{"aws:s3:arn": "arn:aws:s3:::b/k"})
		if err != nil || dk.KeyID != want || len(dk.Plaintext) != DataKeySize {
			t.Fatalf("%q: %q %d-byte key, %v; want %q", name, dk.KeyID, len(dk.Plaintext), err, want)
		}
		plain, err := r.Decrypt(context.Background(), dk.KeyID, dk.Sealed, Context{"aws:s3:arn": "arn:aws:s3:::b/k"})
		if err != nil || !bytes.Equal(plain, dk.Plaintext) {
			t.Fatalf("%q: Decrypt: %v", name, err)
		}
	}
	for name, msg := range map[string]string{
		"third":       "Invalid keyId 'third'",
		arn + "third": "Key '" + arn + "third' does not exist",
		"arn:aws:kms:us-east-1:000000000000:key/first": "Key 'arn:aws:kms:us-east-1:000000000000:key/first' does not exist",
		"alias/third": "Alias 'arn:aws:kms:eu-west-1:000000000000:alias/third' is not found.",
	} {
		_, err := r.GenerateDataKey(context.Background(), name, nil)
		var ke *KeyError
		if !errors.As(err, &ke) || ke.Kind != "NotFoundException" || ke.Message != msg {
			t.Errorf("%q: %v, want NotFoundException %q", name, err, msg)
		}
	}
}

// A sealed data key opens only under its master key and its exact
// context (GenerateDataKey: "you must specify the same ... encryption
// context to decrypt the data"), and not once altered.
func TestRingSealBindsKeyAndContext(t *testing.T) {
	r := testRing(t)
	ctx := context.Background()
	ec := Context{"aws:s3:arn": "arn:aws:s3:::b/k", "team": "x"}
	dk, err := r.GenerateDataKey(ctx, "first", ec)
	if err != nil {
		t.Fatal(err)
	}
	altered := bytes.Clone(dk.Sealed)
	altered[len(altered)-1] ^= 1
	for name, try := range map[string]func() error{
		"other key": func() error { _, err := r.Decrypt(ctx, "second", dk.Sealed, ec); return err },
		"other context": func() error {
			_, err := r.Decrypt(ctx, dk.KeyID, dk.Sealed, Context{"aws:s3:arn": "arn:aws:s3:::b/k"})
			return err
		},
		"altered":   func() error { _, err := r.Decrypt(ctx, dk.KeyID, altered, ec); return err },
		"truncated": func() error { _, err := r.Decrypt(ctx, dk.KeyID, dk.Sealed[:10], ec); return err },
	} {
		if err := try(); !errors.Is(err, ErrWrongContext) {
			t.Errorf("%s: %v, want ErrWrongContext", name, err)
		}
	}
}
