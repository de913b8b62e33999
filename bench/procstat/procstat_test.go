package procstat

import (
	"os"
	"testing"
)

func TestReadsThisProcess(t *testing.T) {
	r, err := NewReader()
	if err != nil {
		t.Fatal(err)
	}
	if r.ticksPerSecond <= 0 {
		t.Fatalf("clock ticks %d", r.ticksPerSecond)
	}
	x := 0
	for i := range 50_000_000 { // burn a little CPU so the counters move
		x += i
	}
	_ = x
	user, sys, err := r.CPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if user+sys <= 0 {
		t.Fatalf("no CPU time recorded: user %v system %v", user, sys)
	}
	run, err := r.Runtime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if run <= 0 {
		t.Fatalf("no run time recorded: %v", run)
	}
	m, err := r.Memory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.Peak < m.RSS {
		t.Fatalf("implausible memory %+v", m)
	}
	m1, err := r.MachineCPU()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50_000_000 { // this process's CPU is the machine's too
		x += i
	}
	_ = x
	m2, err := r.MachineCPU()
	if err != nil {
		t.Fatal(err)
	}
	if m1.CPUs < 1 || m2.CPUs != m1.CPUs || m2.Busy <= m1.Busy {
		t.Fatalf("implausible machine counters %+v then %+v", m1, m2)
	}
	if err := r.ResetPeak(os.Getpid()); err != nil {
		t.Logf("peak reset unsupported here: %v", err)
	}
}
