package procstat

import (
	"os"
	"testing"
	"time"
)

func TestReadsThisProcess(t *testing.T) {
	r, err := NewReader()
	if err != nil {
		t.Fatal(err)
	}
	if r.ticksPerSecond <= 0 {
		t.Fatalf("clock ticks %d", r.ticksPerSecond)
	}
	// utime and stime count clock ticks the process was seen running at,
	// so on a busy machine a short burn can record none: burn until they
	// move, for at most a few seconds.
	var user, sys time.Duration
	burned := 0
	for deadline := time.Now().Add(5 * time.Second); user+sys <= 0 && time.Now().Before(deadline); {
		burned += burn()
		if user, sys, err = r.CPU(os.Getpid()); err != nil {
			t.Fatal(err)
		}
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
	m2 := m1
	for deadline := time.Now().Add(5 * time.Second); m2.Busy <= m1.Busy && time.Now().Before(deadline); {
		burned += burn() // this process's CPU is the machine's too
		if m2, err = r.MachineCPU(); err != nil {
			t.Fatal(err)
		}
	}
	if m1.CPUs < 1 || m2.CPUs != m1.CPUs || m2.Busy <= m1.Busy {
		t.Fatalf("implausible machine counters %+v then %+v", m1, m2)
	}
	t.Logf("the burns summed to %d", burned)
	if err := r.ResetPeak(os.Getpid()); err != nil {
		t.Logf("peak reset unsupported here: %v", err)
	}
}

// burn spends some CPU time (tens of milliseconds); the caller keeps its
// result, so the loop is not dropped.
func burn() int {
	x := 0
	for i := range 50_000_000 {
		x += i
	}
	return x
}
