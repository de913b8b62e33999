// Package procstat reads a Linux process's CPU time and memory from /proc,
// so the benchmark can charge each server process for what it used.
package procstat

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// atClkTck is the auxiliary-vector entry carrying the kernel's USER_HZ, the
// unit of utime and stime in /proc/<pid>/stat.
const atClkTck = 17

// ClockTicks returns USER_HZ as the kernel told this process at exec time
// (/proc/self/auxv), which avoids cgo's sysconf(_SC_CLK_TCK).
func ClockTicks() (int64, error) {
	auxv, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return 0, fmt.Errorf("read auxv: %w", err)
	}
	for i := 0; i+16 <= len(auxv); i += 16 {
		key := binary.NativeEndian.Uint64(auxv[i:])
		if key == atClkTck {
			return int64(binary.NativeEndian.Uint64(auxv[i+8:])), nil
		}
	}
	return 0, errors.New("AT_CLKTCK not in auxv")
}

// Reader reads the counters of processes by pid.
type Reader struct {
	ticksPerSecond int64
}

// NewReader returns a Reader using this kernel's clock-tick rate.
func NewReader() (*Reader, error) {
	hz, err := ClockTicks()
	if err != nil {
		return nil, err
	}
	return &Reader{ticksPerSecond: hz}, nil
}

// CPU returns the user and system CPU time the process (all its threads)
// has used so far.
func (r *Reader) CPU(pid int) (user, system time.Duration, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read stat of %d: %w", pid, err)
	}
	// The command name is parenthesised and may hold spaces: fields are
	// counted from after its closing parenthesis, where field 3 (state)
	// starts; utime and stime are fields 14 and 15.
	end := bytes.LastIndexByte(raw, ')')
	if end < 0 {
		return 0, 0, fmt.Errorf("stat of %d: no command name", pid)
	}
	fields := strings.Fields(string(raw[end+1:]))
	const utimeIdx, stimeIdx = 14 - 3, 15 - 3
	if len(fields) <= stimeIdx {
		return 0, 0, fmt.Errorf("stat of %d: only %d fields", pid, len(fields))
	}
	ut, err1 := strconv.ParseInt(fields[utimeIdx], 10, 64)
	st, err2 := strconv.ParseInt(fields[stimeIdx], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, fmt.Errorf("stat of %d: %w", pid, err)
	}
	return r.ticks(ut), r.ticks(st), nil
}

func (r *Reader) ticks(n int64) time.Duration {
	return time.Duration(n) * time.Second / time.Duration(r.ticksPerSecond)
}

// Memory is a process's resident set, now and at its peak.
type Memory struct {
	RSS  int64 // bytes resident now (VmRSS)
	Peak int64 // highest RSS since start or since ResetPeak (VmHWM)
}

// Memory reads VmRSS and VmHWM from /proc/<pid>/status.
func (r *Reader) Memory(pid int) (Memory, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, fmt.Errorf("read status of %d: %w", pid, err)
	}
	var m Memory
	for line := range strings.Lines(string(raw)) {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var dst *int64
		switch name {
		case "VmRSS":
			dst = &m.RSS
		case "VmHWM":
			dst = &m.Peak
		default:
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("status of %d: %s: %w", pid, name, err)
		}
		*dst = kb << 10
	}
	return m, nil
}

// ResetPeak makes VmHWM restart from the current RSS (clear_refs value 5,
// Linux ≥ 4.0), so a peak can be attributed to one phase of a run.
func (r *Reader) ResetPeak(pid int) error {
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		return fmt.Errorf("reset peak RSS of %d: %w", pid, err)
	}
	return nil
}

// Runtime returns the CPU time the process's live threads have run, summed
// from /proc/<pid>/task/*/schedstat: nanosecond resolution, where utime and
// stime come in clock ticks (10 ms), too coarse for a sub-second GET. A
// thread that exited takes its time with it; Go runtimes keep their threads
// for life, so for Go servers nothing is lost.
func (r *Reader) Runtime(pid int) (time.Duration, error) {
	taskDir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(taskDir)
	if err != nil {
		return 0, fmt.Errorf("list threads of %d: %w", pid, err)
	}
	var total time.Duration
	for _, t := range tasks {
		raw, err := os.ReadFile(taskDir + "/" + t.Name() + "/schedstat")
		if errors.Is(err, os.ErrNotExist) {
			continue // the thread exited while we listed
		}
		if err != nil {
			return 0, fmt.Errorf("read schedstat: %w", err)
		}
		first, _, _ := strings.Cut(string(raw), " ")
		ns, err := strconv.ParseInt(first, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("schedstat of thread %s of %d: %w", t.Name(), pid, err)
		}
		total += time.Duration(ns)
	}
	return total, nil
}

// MachineCPU is the whole machine's CPU counters (/proc/stat): what every
// process and the kernel used, not only the ones a benchmark watches.
type MachineCPU struct {
	Busy time.Duration // user, nice, system, irq, softirq and steal time, over all CPUs
	CPUs int
}

// MachineCPU reads the first line of /proc/stat (the sum over CPUs) and
// counts the per-CPU lines. Idle and iowait count as not busy.
func (r *Reader) MachineCPU() (MachineCPU, error) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return MachineCPU{}, fmt.Errorf("read /proc/stat: %w", err)
	}
	var m MachineCPU
	for line := range strings.Lines(string(raw)) {
		fields := strings.Fields(line)
		if len(fields) == 0 || !strings.HasPrefix(fields[0], "cpu") {
			continue
		}
		if fields[0] != "cpu" {
			m.CPUs++
			continue
		}
		// cpu user nice system idle iowait irq softirq steal ...
		if len(fields) < 9 {
			return MachineCPU{}, fmt.Errorf("/proc/stat: %d fields on the cpu line", len(fields))
		}
		var ticks int64
		for _, i := range []int{1, 2, 3, 6, 7, 8} {
			n, err := strconv.ParseInt(fields[i], 10, 64)
			if err != nil {
				return MachineCPU{}, fmt.Errorf("/proc/stat: %w", err)
			}
			ticks += n
		}
		m.Busy = r.ticks(ticks)
	}
	if m.CPUs == 0 {
		return MachineCPU{}, errors.New("/proc/stat: no per-CPU lines")
	}
	return m, nil
}
