package users

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// Every way a value might end up in a log line or an error message.
func renderings(v any) []string {
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%T"} {
		out = append(out, fmt.Sprintf(verb, v))
	}
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("m", "value", v)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("m", "value", v)
	return append(out, logs.String())
}

func TestSecretsNeverPrinted(t *testing.T) {
	const s = "super-secret-value"
	path := writeFile(t, t.TempDir(), "users.yaml", "users:\n  - name: alice\n    access_key: AKALICE\n    secret_key: "+s+"\n")
	set, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	live := watch(t, path, nil)
	static := Static("admin", "AKADMIN", s)
	values := map[string]any{
		"*Set": set, "Set": *set, "static": static, "*Live": live,
		"secret": newSecret(s), "account": set.byAccessKey["AKALICE"],
		"*account": set.lookup("AKALICE"),
		"entry":    entry{line: 1, name: "alice", secret: newSecret(s)},
		// A caller's struct holding a Set in an unexported field, which
		// fmt walks by reflection without calling Set's methods.
		"embedded": struct{ users Set }{*set},
		"errors":   fmt.Errorf("wrapped: %v %s %+v", set, live, static),
	}
	hex := fmt.Sprintf("%x", s)
	for name, v := range values {
		for _, r := range renderings(v) {
			if strings.Contains(r, s) || strings.Contains(r, hex) {
				t.Errorf("%s: secret in %q", name, r)
			}
		}
	}
	if got, _ := set.Secret("AKALICE"); got != s {
		t.Errorf("redaction broke Secret: %q", got)
	}
}
