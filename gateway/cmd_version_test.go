package main

import (
	"strings"
	"testing"
)

// A test binary carries no VCS stamp, as a `go run` build does not: the
// commit comes from -X main.commit when given, and otherwise the output
// says it is unknown and why, rather than printing nothing.
// Source: terngate issue 13 ("A newcomer's first hour").
func TestVersionNamesTheCommitOrWhyNot(t *testing.T) {
	var out strings.Builder
	printVersion(&out)
	if !strings.Contains(out.String(), "commit: unknown (not stamped") {
		t.Errorf("unstamped build: %q", out.String())
	}
	defer func(old string) { commit = old }(commit)
	commit = "abc123"
	out.Reset()
	printVersion(&out)
	if !strings.Contains(out.String(), "commit: abc123\n") {
		t.Errorf("with -X main.commit: %q", out.String())
	}
}
