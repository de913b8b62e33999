package users

import (
	"fmt"
	"log/slog"
)

// account is what an access key authenticates as.
type account struct {
	name   string
	secret secret
}

// Set is an immutable set of users, keyed by access key. It implements
// auth.Credentials. Printing or logging a Set shows only its size.
type Set struct {
	byAccessKey map[string]account
}

func newSet(entries []entry) *Set {
	s := &Set{byAccessKey: make(map[string]account, len(entries))}
	for _, e := range entries {
		s.byAccessKey[e.accessKey] = account{name: e.name, secret: e.secret}
	}
	return s
}

// Static is a Set of one user: the key pair configured on the command line
// or generated on first start. It is not validated: the caller owns it.
func Static(name, accessKey, secretKey string) *Set {
	return &Set{byAccessKey: map[string]account{
		accessKey: {name: name, secret: newSecret(secretKey)},
	}}
}

// Secret implements auth.Credentials.
func (s *Set) Secret(accessKey string) (string, bool) {
	a := s.lookup(accessKey)
	if a == nil {
		return "", false
	}
	return a.secret.reveal(), true
}

// User returns the name of the user an access key belongs to.
func (s *Set) User(accessKey string) (name string, ok bool) {
	a := s.lookup(accessKey)
	if a == nil {
		return "", false
	}
	return a.name, true
}

// lookup treats a nil Set as empty.
func (s *Set) lookup(accessKey string) *account {
	if s == nil {
		return nil
	}
	if a, ok := s.byAccessKey[accessKey]; ok {
		return &a
	}
	return nil
}

// Len is the number of users.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.byAccessKey)
}

// The types holding secrets also print themselves without the secret
// fields, which keeps their output short; the secret type alone already
// guarantees nothing leaks.

func (s *Set) String() string { return fmt.Sprintf("users.Set{%d users}", s.Len()) }

// Format redacts every verb, %#v and %+v included.
func (s *Set) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

func (s *Set) LogValue() slog.Value { return slog.IntValue(s.Len()) }

func (a account) String() string { return fmt.Sprintf("user %q", a.name) }

func (a account) Format(f fmt.State, _ rune) { fmt.Fprint(f, a.String()) }

func (a account) LogValue() slog.Value { return slog.StringValue(a.name) }

func (e entry) Format(f fmt.State, _ rune) { fmt.Fprint(f, e.where()) }

func (e entry) LogValue() slog.Value { return slog.StringValue(e.where()) }
