package users

import (
	"fmt"
	"log/slog"
)

const redacted = "[REDACTED]"

// secret is a secret key. The value lives in a closure: fmt and slog walk
// struct fields by reflection (skipping the Format and String methods of
// unexported fields, and for bad verbs even of pointers), and a func is
// the one kind they print as a bare address. So a secret cannot leak
// through any containing struct; the value is only reachable by reveal.
type secret struct {
	value func() string
}

func newSecret(s string) secret { return secret{value: func() string { return s }} }

// reveal returns the secret itself.
func (s secret) reveal() string {
	if s.value == nil {
		return ""
	}
	return s.value()
}

func (s secret) isZero() bool { return s.reveal() == "" }

func (secret) String() string { return redacted }

func (secret) LogValue() slog.Value { return slog.StringValue(redacted) }

func (secret) Format(f fmt.State, _ rune) { fmt.Fprint(f, redacted) }

func (secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
