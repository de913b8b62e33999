package users

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terngate/terngate/auth"
)

var _ auth.Credentials = (*Set)(nil)
var _ auth.Credentials = (*Live)(nil)

const twoUsers = `users:
  - name: alice
    access_key: AKALICE
    secret_key: alice-secret-1
  - name: bob
    access_key: AKBOB
    secret_key: "bob-secret-22"
`

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoad(t *testing.T) {
	path := writeFile(t, t.TempDir(), "users.yaml", twoUsers)
	set, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 2 {
		t.Fatalf("Len = %d, want 2", set.Len())
	}
	for _, c := range []struct{ key, name, secret string }{
		{"AKALICE", "alice", "alice-secret-1"},
		{"AKBOB", "bob", "bob-secret-22"},
	} {
		if got, ok := set.Secret(c.key); !ok || got != c.secret {
			t.Errorf("Secret(%s) = %q, %v", c.key, got, ok)
		}
		if got, ok := set.User(c.key); !ok || got != c.name {
			t.Errorf("User(%s) = %q, %v", c.key, got, ok)
		}
	}
	if _, ok := set.Secret("AKNOBODY"); ok {
		t.Error("unknown access key resolved")
	}
	if _, ok := set.User("alice"); ok {
		t.Error("a user name resolved as an access key")
	}
}

func TestLoadSecretFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "carol.secret", "carol-secret-3\n")
	abs := writeFile(t, dir, "dave.secret", "dave-secret-44\r\n")
	path := writeFile(t, dir, "users.yaml", `users:
  - name: carol
    access_key: AKCAROL
    secret_key_file: carol.secret
  - name: dave
    access_key: AKDAVE
    secret_key_file: `+abs+`
`)
	set, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := set.Secret("AKCAROL"); got != "carol-secret-3" {
		t.Errorf("relative secret file: got %q", got)
	}
	if got, _ := set.Secret("AKDAVE"); got != "dave-secret-44" {
		t.Errorf("absolute secret file: got %q", got)
	}
}

func TestLoadRejects(t *testing.T) {
	const secret = "s3cr3t-never-shown"
	cases := []struct {
		name, content string
		want          []string // substrings of the error
	}{
		{"empty file", "", []string{"empty"}},
		{"not a mapping", "- a\n", []string{"line 1", `"users"`}},
		{"unknown top key", "people: []\n", []string{"line 1", `unknown key "people"`}},
		{"users not a list", "users: 3\n", []string{"line 1", "must be a list"}},
		{"no users", "users: []\n", []string{"no users"}},
		{"bad YAML", "users:\n  - name: a\n   access_key: " + secret + "\n", []string{"invalid YAML", "line"}},
		{"duplicate name", twoUsers + "  - name: alice\n    access_key: AKOTHER\n    secret_key: " + secret + "\n",
			[]string{"line 8", `user "alice"`, "name already used on line 2"}},
		{"duplicate access key", twoUsers + "  - name: carol\n    access_key: AKBOB\n    secret_key: " + secret + "\n",
			[]string{"line 8", `user "carol"`, `access key "AKBOB" already used by user "bob" (line 5)`}},
		{"short secret", "users:\n  - name: eve\n    access_key: AKEVE\n    secret_key: short12\n",
			[]string{"line 2", `user "eve"`, "at least 8 characters"}},
		{"missing secret", "users:\n  - name: eve\n    access_key: AKEVE\n", []string{`user "eve"`, "missing secret_key"}},
		{"both secrets", "users:\n  - name: eve\n    access_key: AKEVE\n    secret_key: " + secret + "\n    secret_key_file: x\n",
			[]string{`user "eve"`, "not both"}},
		{"missing secret file", "users:\n  - name: eve\n    access_key: AKEVE\n    secret_key_file: nope.secret\n",
			[]string{`user "eve"`, "nope.secret"}},
		{"missing name", "users:\n  - access_key: AKEVE\n    secret_key: " + secret + "\n", []string{"line 2", "missing name"}},
		{"bad name", "users:\n  - name: e/ve\n    access_key: AKEVE\n    secret_key: " + secret + "\n", []string{`user "e/ve"`, "name may only"}},
		{"missing access key", "users:\n  - name: eve\n    secret_key: " + secret + "\n", []string{`user "eve"`, "missing access_key"}},
		{"slash in access key", "users:\n  - name: eve\n    access_key: AK/EVE\n    secret_key: " + secret + "\n", []string{`user "eve"`, "'/'"}},
		{"typo key", "users:\n  - name: eve\n    access_key: AKEVE\n    secret: " + secret + "\n", []string{"line 4", `user "eve"`, `unknown key "secret"`}},
		{"secret not a string", "users:\n  - name: eve\n    access_key: AKEVE\n    secret_key: [" + secret + "]\n", []string{`user "eve"`, "secret_key must be a string"}},
		{"null secret", "users:\n  - name: eve\n    access_key: AKEVE\n    secret_key:\n", []string{`user "eve"`, "secret_key must be a string"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "users.yaml", c.content)
			set, err := Load(path)
			if err == nil {
				t.Fatalf("loaded %v, want an error", set)
			}
			msg := err.Error()
			if !strings.Contains(msg, path) && c.name != "empty file" {
				t.Errorf("error does not name the file: %s", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			for _, s := range []string{secret, "short12", "alice-secret-1", "bob-secret-22"} {
				if strings.Contains(msg, s) {
					t.Errorf("error reveals a secret: %s", msg)
				}
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.yaml")
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want one naming %s", err, path)
	}
}

func TestStatic(t *testing.T) {
	set := Static("admin", "AKADMIN", "admin-secret-99")
	if got, ok := set.Secret("AKADMIN"); !ok || got != "admin-secret-99" {
		t.Errorf("Secret = %q, %v", got, ok)
	}
	if got, ok := set.User("AKADMIN"); !ok || got != "admin" {
		t.Errorf("User = %q, %v", got, ok)
	}
	if _, ok := set.Secret("AKOTHER"); ok {
		t.Error("other access key resolved")
	}
	var none *Set
	if _, ok := none.Secret("AKADMIN"); ok {
		t.Error("nil set resolved a key")
	}
}
