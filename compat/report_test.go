package compat

import (
	"fmt"
	"io"
	"sync"
	"testing"
	"text/tabwriter"
	"time"
)

// step is one verified action of a client scenario. Steps run in order
// and each builds on the ones before, so the first failure ends the
// scenario and the rest are counted as not run.
type step struct {
	name string
	run  func() error
}

// outcome is one table row: how a client fared over one transport.
type outcome struct {
	client, version, transport string
	passed, failed, notRun     int
	firstFailure               string
	elapsed                    time.Duration
}

var (
	reportMu sync.Mutex
	report   []outcome
)

// runSteps runs steps, reports each failure through t and records the
// scenario's row for the table.
func runSteps(t *testing.T, row outcome, steps []step) {
	t.Helper()
	start := time.Now()
	for i, s := range steps {
		if err := s.run(); err != nil {
			t.Errorf("step %q: %v", s.name, err)
			row.failed++
			row.notRun = len(steps) - i - 1
			row.firstFailure = s.name
			break
		}
		row.passed++
	}
	row.elapsed = time.Since(start)
	record(row)
}

// recordMissing records a client that could not run at all (a tool is not
// installed) and fails the test with how to install it.
func recordMissing(t *testing.T, client, transport string, err error) {
	t.Helper()
	t.Errorf("%s cannot run: %v", client, err)
	record(outcome{client: client, transport: transport, version: "missing", failed: 1, firstFailure: "install"})
}

func record(row outcome) {
	reportMu.Lock()
	defer reportMu.Unlock()
	report = append(report, row)
}

// printReport writes the table of every scenario that ran.
func printReport(w io.Writer) {
	reportMu.Lock()
	defer reportMu.Unlock()
	if len(report) == 0 {
		return
	}
	fmt.Fprintln(w, "\nterngate client compatibility")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT\tVERSION\tTRANSPORT\tPASSED\tFAILED\tNOT RUN\tTIME\tFIRST FAILURE")
	for _, r := range report {
		verdict := r.firstFailure
		if verdict == "" {
			verdict = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%.1fs\t%s\n",
			r.client, r.version, r.transport, r.passed, r.failed, r.notRun, r.elapsed.Seconds(), verdict)
	}
	tw.Flush()
}
