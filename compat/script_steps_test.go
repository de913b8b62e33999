package compat

import (
	"strings"
	"testing"
)

// The scripted scenarios (boto3, JavaScript) are only as honest as the
// mapping of their report lines to steps.
func TestScriptStepsMapsReportLines(t *testing.T) {
	script := command{path: "/bin/sh"}
	steps := scriptSteps(script, []string{"-c", `echo ok first; echo "FAIL second: ETag mismatch"; echo oops >&2; exit 1`}, []string{"first", "second", "third"})
	if err := steps[0].run(); err != nil {
		t.Errorf("a step reported ok failed: %v", err)
	}
	if err := steps[1].run(); err == nil || !strings.Contains(err.Error(), "ETag mismatch") || !strings.Contains(err.Error(), "oops") {
		t.Errorf("a step reported FAIL gave %v, want its reason and the script's stderr", err)
	}
	if err := steps[2].run(); err == nil || !strings.Contains(err.Error(), "ended before") {
		t.Errorf("a step the script never reached gave %v", err)
	}
}
