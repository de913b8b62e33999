package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/terngate/terngate/s3err"
)

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestPayloadVerifierPassesMatchingBody(t *testing.T) {
	body := bytes.Repeat([]byte("terngate "), 10000)
	for _, want := range []string{hexSHA256(body), strings.ToUpper(hexSHA256(body))} {
		got, err := io.ReadAll(NewPayloadVerifier(iotest.OneByteReader(bytes.NewReader(body)), want))
		if err != nil {
			t.Fatalf("ReadAll: %v", err)
		}
		if !bytes.Equal(got, body) {
			t.Fatal("body altered")
		}
	}
	if err := iotest.TestReader(NewPayloadVerifier(bytes.NewReader(body), hexSHA256(body)), body); err != nil {
		t.Fatal(err)
	}
}

func TestPayloadVerifierRejectsDifferentBody(t *testing.T) {
	r := NewPayloadVerifier(strings.NewReader("tampered"), hexSHA256([]byte("original")))
	_, err := io.Copy(io.Discard, r)
	if !errors.Is(err, s3err.XAmzContentSHA256Mismatch) {
		t.Fatalf("got %v", err)
	}
	// The failure is sticky: a retrying reader must not see EOF.
	if _, err := r.Read(make([]byte, 1)); !errors.Is(err, s3err.XAmzContentSHA256Mismatch) {
		t.Fatalf("second read: %v", err)
	}
}

func TestPayloadVerifierRejectsTruncatedBody(t *testing.T) {
	body := []byte("0123456789")
	_, err := io.ReadAll(NewPayloadVerifier(bytes.NewReader(body[:5]), hexSHA256(body)))
	if !errors.Is(err, s3err.XAmzContentSHA256Mismatch) {
		t.Fatalf("got %v", err)
	}
}

func TestPayloadVerifierPassesSourceErrors(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := io.ReadAll(NewPayloadVerifier(iotest.ErrReader(boom), emptySHA256))
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
}

func TestPayloadVerifierRejectsBadExpectedHash(t *testing.T) {
	_, err := io.ReadAll(NewPayloadVerifier(strings.NewReader("x"), UnsignedPayload))
	if !errors.Is(err, s3err.InvalidArgument) {
		t.Fatalf("got %v", err)
	}
}

// BenchmarkPayloadVerifier compares verification with hashing the same bytes
// straight into sha256: the wrapper should add next to nothing.
func BenchmarkPayloadVerifier(b *testing.B) {
	body := bytes.Repeat([]byte{0xa5}, 8<<20)
	want := hexSHA256(body)
	buf := make([]byte, 32<<10)
	b.Run("sha256", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			h := sha256.New()
			if _, err := io.CopyBuffer(h, bytes.NewReader(body), buf); err != nil {
				b.Fatal(err)
			}
			h.Sum(nil)
		}
	})
	b.Run("PayloadVerifier", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := io.CopyBuffer(io.Discard, onlyReader{NewPayloadVerifier(bytes.NewReader(body), want)}, buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// onlyReader hides WriteTo so io.CopyBuffer really uses the given buffer.
type onlyReader struct{ io.Reader }
