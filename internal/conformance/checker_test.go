package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The checker itself must catch each kind of rot: run over a small
// package, every broken row is reported and the sound one is not.
func TestCheckerCatchesRot(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := `package pkg

import "testing"

// TestCited follows https://example.com/rule-a.html and the
// wrapped-over-two-lines
// reference.
func TestCited(t *testing.T) {
	t.Run("sub case", func(t *testing.T) {})
	checkHelper(t)
}

// checkHelper cites helper-source.
func checkHelper(t *testing.T) { t.Run("helper case", func(t *testing.T) {}) }

func TestUncited(t *testing.T) {}
`
	if err := os.WriteFile(filepath.Join(root, "pkg", "x_test.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	index := strings.Join([]string{
		"| ID | Rule | Tests | Source |",
		"|----|------|-------|--------|",
		"| OK1 | sound | `pkg.TestCited/sub case`, `pkg.TestCited/helper case` | [a](https://example.com/rule-a.html) `rule-a.html`, `helper-source`, `wrapped-over-two-lines reference` |",
		"| BAD1 | missing function | `pkg.TestGone` | `rule-a.html` |",
		"| BAD2 | missing subtest | `pkg.TestCited/no such case` | `rule-a.html` |",
		"| BAD3 | no source | `pkg.TestCited` | none |",
		"| BAD4 | uncited source | `pkg.TestUncited` | `rule-a.html` |",
		"| BAD5 | no test | none | `rule-a.html` |",
		"| BAD6 | missing package | `nopkg.TestCited` | `rule-a.html` |",
		"| OK1 | duplicate | `pkg.TestCited` | `rule-a.html` |",
	}, "\n")
	problems := checkIndex(strings.NewReader(index), root)
	for _, want := range []string{
		"rule BAD1: pkg has no function TestGone",
		`rule BAD2: pkg.TestCited runs no subtest "no such case"`,
		"rule BAD3: has no source reference",
		`rule BAD4: pkg.TestUncited does not cite "rule-a.html"`,
		"rule BAD5: names no test",
		"rule BAD6: no test files in nopkg",
		"rule OK1: already listed at line 3",
	} {
		if !anyContains(problems, want) {
			t.Errorf("no problem reported like %q; got:\n%s", want, strings.Join(problems, "\n"))
		}
	}
	for _, p := range problems {
		if strings.Contains(p, "line 3:") {
			t.Errorf("the sound row was reported: %s", p)
		}
	}
}
