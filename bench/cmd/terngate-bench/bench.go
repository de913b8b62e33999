package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/terngate/terngate/bench/payload"
	"github.com/terngate/terngate/bench/procstat"
	"github.com/terngate/terngate/bench/s3client"
	"github.com/terngate/terngate/bench/serverproc"
)

const benchBucket = "bench"

// readyTimeout bounds a server's start-up; generous because opening a store
// fsyncs, which can stall for tens of seconds on a disk other work is
// flooding.
const readyTimeout = 2 * time.Minute

// target is a running server and the client that drives it.
type target struct {
	srv    *serverproc.Server
	client *s3.Client
}

// runner holds what every phase of a run shares.
type runner struct {
	proc    *procstat.Reader
	pattern *payload.Pattern
	hashes  map[[2]int64]string // (seed, size) → hex SHA-256
	// getPasses is how many times a GET phase reads every object.
	getPasses int
	log       io.Writer
	phases    []phaseResult
}

func benchmark(ctx context.Context, opts options, stdout io.Writer) (err error) {
	started := time.Now()
	proc, err := procstat.NewReader()
	if err != nil {
		return err
	}
	workDir, cleanup, err := serverproc.WorkDir(opts.tmpDir)
	if err != nil {
		return err
	}
	defer cleanup()
	creds, err := s3client.NewCredentials()
	if err != nil {
		return err
	}
	refSpec, err := serverproc.ReferenceSpec(refserverCommand)
	if err != nil {
		return err
	}
	ternSpec, err := serverproc.TerngateSpec(opts.terngateBin, creds)
	if err != nil {
		return err
	}
	maxConcurrency := 1
	for _, w := range append(opts.workloads, rssOrEmpty(opts.rssWorkload)...) {
		maxConcurrency = max(maxConcurrency, w.Concurrency)
	}
	targets := map[string]*target{}
	for _, spec := range []serverproc.Spec{refSpec, ternSpec} {
		t, err := startTarget(ctx, spec, workDir, creds, maxConcurrency)
		if err != nil {
			return err
		}
		defer func() {
			if stopErr := t.srv.Stop(); stopErr != nil && err == nil {
				err = stopErr
			}
		}()
		targets[spec.Name] = t
	}

	r := &runner{proc: proc, pattern: payload.NewPattern(), hashes: map[[2]int64]string{}, getPasses: opts.getPasses, log: stdout}
	fmt.Fprintf(stdout, "terngate-bench: reference pid %d, terngate pid %d, work dir %s\n",
		targets[referenceName].srv.Pid(), targets[terngateName].srv.Pid(), workDir)
	for round := 1; round <= opts.rounds; round++ {
		// Alternate who goes first so slow drift of the machine (thermal,
		// neighbours, page cache) does not always favour the same server.
		order := []string{referenceName, terngateName}
		if round%2 == 0 {
			order = []string{terngateName, referenceName}
		}
		for _, w := range opts.workloads {
			for _, name := range order {
				if err := r.putGetDelete(ctx, targets[name], round, w, true); err != nil {
					return err
				}
			}
		}
	}
	if opts.rssWorkload != nil {
		for _, name := range []string{referenceName, terngateName} {
			if err := r.putGetDelete(ctx, targets[name], 0, *opts.rssWorkload, false); err != nil {
				return err
			}
		}
	}
	rep := report{
		Started:   started,
		Machine:   procstat.DescribeMachine(),
		Rounds:    opts.rounds,
		GetPasses: opts.getPasses,
		Phases:    r.phases,
	}
	rep.Comparisons = compare(r.phases)
	rssName := ""
	if opts.rssWorkload != nil {
		rssName = opts.rssWorkload.String()
	}
	rep.Goals = checkGoals(rep.Comparisons, rssName)
	printReport(stdout, rep)
	if opts.outPath != "" {
		if err := writeJSON(opts.outPath, rep); err != nil {
			return err
		}
	}
	return nil
}

func rssOrEmpty(w *workload) []workload {
	if w == nil {
		return nil
	}
	return []workload{*w}
}

func startTarget(ctx context.Context, spec serverproc.Spec, workDir string, creds s3client.Credentials, concurrency int) (*target, error) {
	srv, err := serverproc.Start(spec, workDir)
	if err != nil {
		return nil, err
	}
	client := s3client.New(srv.Endpoint, s3client.DefaultRegion, creds, concurrency)
	createBucket := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(benchBucket)})
		return err
	}
	if err := srv.WaitReady(ctx, readyTimeout, createBucket); err != nil {
		_ = srv.Stop()
		return nil, err
	}
	return &target{srv: srv, client: client}, nil
}

// putGetDelete runs the timed PUT phase of a workload, then (withGet) the
// timed GET phase, then removes the objects untimed.
func (r *runner) putGetDelete(ctx context.Context, t *target, round int, w workload, withGet bool) error {
	objs, err := r.objects(round, w)
	if err != nil {
		return err
	}
	put := func(ctx context.Context) error { return putAll(ctx, t.client, benchBucket, r.pattern, objs) }
	if err := r.phase(ctx, t, round, w, "PUT", w.totalBytes(), put); err != nil {
		return err
	}
	if withGet {
		// A GET from the page cache is several times faster than a PUT;
		// repeating it keeps the phase long enough to time reliably.
		get := func(ctx context.Context) error {
			for range r.getPasses {
				if err := getAll(ctx, t.client, benchBucket, r.pattern, objs); err != nil {
					return err
				}
			}
			return nil
		}
		if err := r.phase(ctx, t, round, w, "GET", w.totalBytes()*int64(r.getPasses), get); err != nil {
			return err
		}
	}
	if err := deleteAll(ctx, t.client, benchBucket, objs); err != nil {
		return fmt.Errorf("%s: %w", t.srv.Name, err)
	}
	return nil
}

func (r *runner) phase(ctx context.Context, t *target, round int, w workload, op string, bytes int64, work func(context.Context) error) error {
	u, err := procstat.Measure(ctx, r.proc, t.srv.Pid(), work)
	if err != nil {
		return fmt.Errorf("%s round %d %s %s: %w", t.srv.Name, round, w, op, errors.Join(err, t.srv.Alive()))
	}
	p := newPhaseResult(t.srv.Name, round, w, op, bytes, u)
	r.phases = append(r.phases, p)
	fmt.Fprintf(r.log, "  round %d %-9s %-8s %-3s %8.1f MiB/s  server %.2f cpu-s/GiB  client %.2f cpu-s/GiB  %.2f cores busy  peak RSS %s\n",
		round, t.srv.Name, p.Workload, op, p.MiBPerSecond, p.ServerCPUPerGiB, p.ClientCPUPerGiB, p.CoresBusy, formatMiB(p.PeakRSSBytes))
	return nil
}

// objects names the objects of one phase. Bodies depend only on the index
// and size, so both servers and all rounds receive identical bytes and each
// body's SHA-256 is computed once, before any timing.
func (r *runner) objects(round int, w workload) ([]object, error) {
	objs := make([]object, w.Concurrency)
	for i := range objs {
		seed := int64(i)
		k := [2]int64{seed, w.Size}
		sha, ok := r.hashes[k]
		if !ok {
			var err error
			if sha, err = r.pattern.SHA256Hex(seed, w.Size); err != nil {
				return nil, err
			}
			r.hashes[k] = sha
		}
		objs[i] = object{key: fmt.Sprintf("r%d/%s/%d", round, w, i), seed: seed, size: w.Size, sha: sha}
	}
	return objs, nil
}
