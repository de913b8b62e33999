package users

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

const (
	maxNameLen      = 64
	maxAccessKeyLen = 128
	minSecretLen    = 8
)

// checkEntry validates one user on its own; checkUnique compares them.
func checkEntry(e entry) error {
	if err := checkName(e.name); err != nil {
		return fmt.Errorf("%s: %w", e.where(), err)
	}
	if err := checkAccessKey(e.accessKey); err != nil {
		return fmt.Errorf("%s: %w", e.where(), err)
	}
	if n := utf8.RuneCountInString(e.secret.reveal()); n < minSecretLen {
		// The length is not secret enough to matter, but the value is.
		return fmt.Errorf("%s: the secret key must be at least %d characters", e.where(), minSecretLen)
	}
	return nil
}

// checkName enforces the IAM user name alphabet, so that every name can
// appear in a policy's "arn:aws:iam::<account>:user/<name>" principal.
func checkName(name string) error {
	if name == "" {
		return errors.New("missing name")
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("name longer than %d characters", maxNameLen)
	}
	if !ValidName(name) {
		return errors.New("name may only contain letters, digits and +=,.@_-")
	}
	return nil
}

// ValidName reports whether name is a valid user name: the IAM user name
// alphabet (letters, digits and +=,.@_-), 1 to 64 characters.
func ValidName(name string) bool {
	if name == "" || len(name) > maxNameLen {
		return false
	}
	for _, c := range []byte(name) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("+=,.@_-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// checkAccessKey keeps access keys to printable ASCII without '/', which
// would break the SigV4 credential scope "<key>/<date>/<region>/s3/...".
func checkAccessKey(key string) error {
	if key == "" {
		return errors.New("missing access_key")
	}
	if len(key) > maxAccessKeyLen {
		return fmt.Errorf("access_key longer than %d characters", maxAccessKeyLen)
	}
	for _, c := range []byte(key) {
		if c <= ' ' || c >= 0x7f || c == '/' {
			return errors.New("access_key may only contain printable ASCII characters other than space and '/'")
		}
	}
	return nil
}

// checkUnique rejects a second user with the same name or access key,
// naming both lines.
func checkUnique(entries []entry) error {
	byName := map[string]entry{}
	byKey := map[string]entry{}
	for _, e := range entries {
		if first, dup := byName[e.name]; dup {
			return fmt.Errorf("%s: name already used on line %d", e.where(), first.line)
		}
		if first, dup := byKey[e.accessKey]; dup {
			return fmt.Errorf("%s: access key %q already used by user %q (line %d)", e.where(), e.accessKey, first.name, first.line)
		}
		byName[e.name] = e
		byKey[e.accessKey] = e
	}
	return nil
}
