package procstat

import (
	"context"
	"os"
	"sync"
	"time"
)

// Usage is what one phase of a benchmark cost.
type Usage struct {
	Wall        time.Duration
	ServerCPU   time.Duration // precise total (schedstat)
	ServerUser  time.Duration // coarse split (clock ticks)
	ServerSys   time.Duration
	ClientCPU   time.Duration
	PeakRSS     int64 // server's peak resident set during the phase, bytes
	PeakRSSFrom string
}

// rssSampleInterval is how often the server's RSS is sampled, in case the
// kernel's own peak (VmHWM) cannot be reset per phase.
const rssSampleInterval = 50 * time.Millisecond

// Measure runs work while charging the server process pid (CPU, peak RSS)
// and this process (client CPU) for it. With pid 0 (a server that is not
// ours to watch) only the client is charged.
func Measure(ctx context.Context, proc *Reader, pid int, work func(context.Context) error) (Usage, error) {
	if pid == 0 {
		return measureClient(ctx, proc, work)
	}
	hwmReset := proc.ResetPeak(pid) == nil
	before, err := snapshot(proc, pid)
	if err != nil {
		return Usage{}, err
	}
	sampler := startRSSSampler(proc, pid)
	start := time.Now()
	workErr := work(ctx)
	wall := time.Since(start)
	sampled := sampler.stop()
	after, err := snapshot(proc, pid)
	if err != nil {
		return Usage{}, err
	}
	u := Usage{
		Wall:        wall,
		ServerCPU:   after.server - before.server,
		ServerUser:  after.serverUser - before.serverUser,
		ServerSys:   after.serverSys - before.serverSys,
		ClientCPU:   after.client - before.client,
		PeakRSS:     sampled,
		PeakRSSFrom: "VmRSS sampled every 50ms",
	}
	if hwmReset {
		if m, err := proc.Memory(pid); err == nil && m.Peak >= sampled {
			u.PeakRSS, u.PeakRSSFrom = m.Peak, "VmHWM reset at phase start"
		}
	}
	return u, workErr
}

func measureClient(ctx context.Context, proc *Reader, work func(context.Context) error) (Usage, error) {
	before, err := proc.Runtime(os.Getpid())
	if err != nil {
		return Usage{}, err
	}
	start := time.Now()
	workErr := work(ctx)
	wall := time.Since(start)
	after, err := proc.Runtime(os.Getpid())
	if err != nil {
		return Usage{}, err
	}
	return Usage{Wall: wall, ClientCPU: after - before}, workErr
}

// cpuSnapshot is the CPU counters of the server and of this process.
type cpuSnapshot struct {
	server, serverUser, serverSys, client time.Duration
}

func snapshot(proc *Reader, serverPid int) (cpuSnapshot, error) {
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

func startRSSSampler(proc *Reader, pid int) *rssSampler {
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
