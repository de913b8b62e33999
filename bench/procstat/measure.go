package main

import (
	"context"
	"os"
	"sync"
	"time"

	"github.com/terngate/terngate/bench/procstat"
)

// usage is what one phase cost.
type usage struct {
	wall        time.Duration
	serverCPU   time.Duration // precise total (schedstat)
	serverUser  time.Duration // coarse split (clock ticks)
	serverSys   time.Duration
	clientCPU   time.Duration
	peakRSS     int64 // server's peak resident set during the phase, bytes
	peakRSSFrom string
}

// rssSampleInterval is how often the server's RSS is sampled, in case the
// kernel's own peak (VmHWM) cannot be reset per phase.
const rssSampleInterval = 50 * time.Millisecond

// measure runs work while charging the server process pid (CPU, peak RSS)
// and this process (client CPU) for it.
func measure(ctx context.Context, proc *procstat.Reader, pid int, work func(context.Context) error) (usage, error) {
	hwmReset := proc.ResetPeak(pid) == nil
	before, err := snapshot(proc, pid)
	if err != nil {
		return usage{}, err
	}
	sampler := startRSSSampler(proc, pid)
	start := time.Now()
	workErr := work(ctx)
	wall := time.Since(start)
	sampled := sampler.stop()
	after, err := snapshot(proc, pid)
	if err != nil {
		return usage{}, err
	}
	u := usage{
		wall:        wall,
		serverCPU:   after.server - before.server,
		serverUser:  after.serverUser - before.serverUser,
		serverSys:   after.serverSys - before.serverSys,
		clientCPU:   after.client - before.client,
		peakRSS:     sampled,
		peakRSSFrom: "VmRSS sampled every 50ms",
	}
	if hwmReset {
		if m, err := proc.Memory(pid); err == nil && m.Peak >= sampled {
			u.peakRSS, u.peakRSSFrom = m.Peak, "VmHWM reset at phase start"
		}
	}
	return u, workErr
}

// cpuSnapshot is the CPU counters of the server and of this process.
type cpuSnapshot struct {
	server, serverUser, serverSys, client time.Duration
}

func snapshot(proc *procstat.Reader, serverPid int) (cpuSnapshot, error) {
	var s cpuSnapshot
	var err error
	if s.server, err = proc.Runtime(serverPid); err != nil {
		return s, err
	}
	if s.serverUser, s.serverSys, err = proc.CPU(serverPid); err != nil {
		return s, err
	}
	if s.client, err = proc.Runtime(os.Getpid()); err != nil {
		return s, err
	}
	return s, nil
}

// rssSampler polls a process's RSS and keeps the maximum.
type rssSampler struct {
	done chan struct{}
	wg   sync.WaitGroup
	max  int64
}

func startRSSSampler(proc *procstat.Reader, pid int) *rssSampler {
	s := &rssSampler{done: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(rssSampleInterval)
		defer t.Stop()
		for {
			if m, err := proc.Memory(pid); err == nil && m.RSS > s.max {
				s.max = m.RSS
			}
			select {
			case <-s.done:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop ends sampling and returns the largest RSS seen.
func (s *rssSampler) stop() int64 {
	close(s.done)
	s.wg.Wait()
	return s.max
}
