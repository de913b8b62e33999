package s3bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/terngate/terngate/bench/procstat"
	"github.com/terngate/terngate/bench/s3client"
	"github.com/terngate/terngate/bench/s3object"
	"github.com/terngate/terngate/bench/serverproc"
	"github.com/terngate/terngate/bench/workload"
)

// target is something the workloads run on: an S3 endpoint or the disk.
type target interface {
	name() string
	// serverPid is the process charged for the target's CPU and RSS (0:
	// none, or not ours to watch).
	serverPid() int
	// prepare does untimed set-up for o, once per run.
	prepare(ctx context.Context, o op) error
	workload(o op) (workload.Op, error)
}

// readyTimeout bounds a started server's start-up; generous because
// opening a store fsyncs, which can stall on a disk other work floods.
const readyTimeout = 2 * time.Minute

// Output is where a run reports as it goes.
type Output struct {
	// Log receives one line per finished phase.
	Log io.Writer
	// Progress, if not nil, receives a live line rewritten every second
	// (a terminal).
	Progress io.Writer
}

// Run executes the benchmark. If ctx ends (Ctrl-C) it stops after the phase
// in flight and still returns the report of what completed, marked
// interrupted; a failure returns the report so far and the error.
func Run(ctx context.Context, s Settings, out Output) (rep *Report, err error) {
	s.Workloads = withListYardstick(s.Workloads)
	if err := s.Validate(); err != nil {
		return nil, err
	}
	proc, err := procstat.NewReader()
	if err != nil {
		return nil, fmt.Errorf("CPU accounting: %w", err)
	}
	workDir, removeWorkDir, err := serverproc.WorkDir(s.WorkDir)
	if err != nil {
		return nil, err
	}
	defer removeWorkDir()

	b := s3object.NewBodies()
	prefix := fmt.Sprintf("terngate-bench-%d/", time.Now().UnixNano())
	var servers []*serverproc.Server
	defer func() {
		for _, srv := range servers {
			if stopErr := srv.Stop(); stopErr != nil && err == nil {
				err = stopErr
			}
		}
	}()
	startServer := func(spec serverproc.Spec, creds s3client.Credentials) (*s3Target, error) {
		srv, err := serverproc.Start(spec, workDir)
		if err != nil {
			return nil, err
		}
		servers = append(servers, srv)
		t := newS3Target(spec.Name, srv.Endpoint, s3client.DefaultRegion, creds, s, b, prefix, srv.Pid())
		if err := srv.WaitReady(ctx, readyTimeout, t.ensureBucket); err != nil {
			return nil, err
		}
		return t, nil
	}

	rep = &Report{Started: time.Now(), Machine: procstat.DescribeMachine(), Settings: reportSettings(s)}
	var primary *s3Target
	if s.Endpoint == "" {
		creds, err := s3client.NewCredentials()
		if err != nil {
			return nil, err
		}
		var keyArgs []string
		if s.wants(SSEPut) || s.wants(SSEGet) {
			if keyArgs, err = sseServerArgs(); err != nil {
				return nil, err
			}
		}
		spec, err := serverproc.TerngateSpec(s.TerngateBin, creds, keyArgs...)
		if err != nil {
			return nil, err
		}
		seeded := len(s.SeedCommand) > 0 && (s.wants(ListLarge) || s.wants(ListPrefixes))
		if seeded {
			spec.Prepare = func(dataDir string) error { return seedLists(ctx, s, prefix, dataDir, out.Log) }
		}
		if primary, err = startServer(spec, creds); err != nil {
			return nil, err
		}
		primary.listsSeeded = seeded
		rep.Endpoint, rep.Target = aws.ToString(primary.client.Options().BaseEndpoint), "terngate"
	} else {
		primary = newS3Target("endpoint", s.Endpoint, s.Region, s.Credentials, s, b, prefix, s.ServerPid)
		if err := primary.ensureBucket(ctx); err != nil {
			return nil, err
		}
		rep.Endpoint, rep.Target = s.Endpoint, "endpoint"
		defer func() {
			if cleanErr := primary.cleanup(context.WithoutCancel(ctx)); cleanErr != nil && err == nil {
				err = cleanErr
			}
		}()
	}
	targets := []target{primary}
	if s.Reference {
		spec, err := serverproc.ReferenceSpec(s.ReferenceCommand...)
		if err != nil {
			return nil, err
		}
		ref, err := startServer(spec, primary.creds)
		if err != nil {
			return nil, err
		}
		targets = append(targets, ref)
	}
	if s.RawDisk {
		dir := filepath.Join(workDir, rawDiskName)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("raw disk dir: %w", err)
		}
		targets = append(targets, &diskTarget{dir: dir, settings: s, bodies: b, prepared: map[op]bool{}})
	}
	fmt.Fprintf(out.Log, "terngate bench: %s at %s; work dir %s\n", rep.Target, rep.Endpoint, workDir)

	r := &runner{settings: s, proc: proc, out: out, primary: primary.label}
	runErr := r.rounds(ctx, targets)
	if runErr == nil && ctx.Err() == nil && s.PeakRSS != nil {
		rep.PeakRSS, runErr = r.bursts(ctx, targets, *s.PeakRSS)
	}
	rep.Phases = r.phases
	rep.Interrupted = ctx.Err() != nil
	if rep.Workloads, err = compare(s, primary.label, r.phases); err != nil {
		return rep, err
	}
	rep.Goals = checkGoals(rep.Workloads, s.PeakRSS, rep.PeakRSS)
	return rep, runErr
}

// runner holds what every phase of a run shares.
type runner struct {
	settings Settings
	proc     *procstat.Reader
	out      Output
	primary  string
	phases   []Phase
}

// rounds runs every workload on the measured endpoint and its yardsticks,
// round after round, rotating which target goes first so slow drift of a
// shared machine (neighbours, page cache, thermal) does not always favour
// the same one. A yardstick op shared by two workloads (reference PUT for
// put and multipart) runs once per round.
func (r *runner) rounds(ctx context.Context, targets []target) error {
	for round := 1; round <= r.settings.Rounds; round++ {
		done := map[string]bool{}
		for _, k := range r.settings.Workloads {
			var plan []planned
			for i, t := range targets {
				for _, o := range r.opsFor(k, t, i == 0) {
					if done[t.name()+o.String()] {
						continue
					}
					done[t.name()+o.String()] = true
					plan = append(plan, planned{t, o, i == 0})
				}
			}
			shift := (round - 1) % len(plan)
			plan = append(plan[shift:], plan[:shift]...)
			for _, p := range plan {
				if err := p.t.prepare(ctx, p.o); err != nil {
					return stopped(ctx, err)
				}
			}
			for _, p := range plan {
				kind := Kind("")
				if p.primary {
					kind = k
				}
				if err := r.phase(ctx, round, p.t, kind, p.o); err != nil || ctx.Err() != nil {
					return stopped(ctx, err)
				}
			}
		}
	}
	return nil
}

type planned struct {
	t       target
	o       op
	primary bool
}

// opsFor is what workload k runs on t: its ops on the measured endpoint,
// else its yardstick there, if any.
func (r *runner) opsFor(k Kind, t target, primary bool) []op {
	var o op
	var ok bool
	switch {
	case primary:
		return k.primaryOps(r.settings)
	case t.name() == rawDiskName:
		o, ok = k.diskOp(r.settings)
	default:
		o, ok = k.referenceOp(r.settings)
	}
	if !ok {
		return nil
	}
	return []op{o}
}

// stopped drops the error an interrupted run's cancelled requests return.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// phase runs one timed phase and records it; an interrupted phase is
// dropped, being shorter than the rest.
func (r *runner) phase(ctx context.Context, round int, t target, kind Kind, o op) error {
	opFn, err := t.workload(o)
	if err != nil {
		return err
	}
	label := fmt.Sprintf("round %d/%d  %-10s %-16s", round, r.settings.Rounds, t.name(), o)
	if kind != "" && string(kind) != o.name {
		desc := fmt.Sprintf("%s %s", kind, FormatSize(o.size))
		if kind.encrypted() {
			desc += " " + sseModeName(o.sse) // plaintext's name for ""
		}
		label = fmt.Sprintf("round %d/%d  %-10s %-16s", round, r.settings.Rounds, t.name(), desc)
	}
	progress := NewProgressLine(r.out.Progress, label, r.settings.Duration)
	var res workload.Result
	u, err := procstat.Measure(ctx, r.proc, t.serverPid(), func(ctx context.Context) error {
		var runErr error
		res, runErr = workload.Run(ctx, workload.Config{
			Concurrency: r.settings.Concurrency,
			Duration:    r.settings.Duration,
			Progress:    progress.Update,
		}, opFn)
		return runErr
	})
	progress.Clear()
	if err != nil {
		return fmt.Errorf("%s %s: %w", t.name(), o, errors.Join(err, ctx.Err()))
	}
	if res.Interrupted {
		return nil
	}
	p := Phase{
		Round: round, Target: t.name(), Workload: kind, Op: o.String(), Result: res,
		ServerCPUSeconds: u.ServerCPU.Seconds(), ClientCPUSeconds: u.ClientCPU.Seconds(), ServerPeakRSSBytes: u.PeakRSS,
	}
	r.phases = append(r.phases, p)
	fmt.Fprintf(r.out.Log, "  %s %s\n", label, phaseSummary(p))
	return nil
}

func reportSettings(s Settings) ReportSettings {
	return ReportSettings{
		Workloads: s.Workloads, Concurrency: s.Concurrency, Size: s.Size, PartSize: s.PartSize,
		SmallSize: s.SmallSize, MixedSize: s.MixedSize, ListObjects: s.ListObjects,
		DurationSeconds: s.Duration.Seconds(), Rounds: s.Rounds, Reference: s.Reference, RawDisk: s.RawDisk,
		PeakRSS: s.PeakRSS,
	}
}

func newS3Target(label, endpoint, region string, creds s3client.Credentials, s Settings, b *s3object.Bodies, prefix string, pid int) *s3Target {
	client := s3client.New(endpoint, region, creds, s.Concurrency)
	return &s3Target{
		label:    label,
		client:   client,
		creds:    creds,
		bucket:   s.Bucket,
		prefix:   prefix,
		pid:      pid,
		settings: s,
		bodies:   b,
		objects:  s3object.Bucket{Client: client, Name: s.Bucket, Bodies: b},
		prepared: map[op]bool{},
	}
}

// ensureBucket creates the bucket unless this key pair already owns it.
func (t *s3Target) ensureBucket(ctx context.Context) error {
	if err := t.objects.Ensure(ctx); err != nil {
		return fmt.Errorf("%s: %w", t.label, err)
	}
	return nil
}

// withListYardstick adds list, the yardstick of list-large and
// list-prefixes, before them when it was not asked for.
func withListYardstick(ks []Kind) []Kind {
	i := slices.IndexFunc(ks, Kind.bigList)
	if i < 0 || slices.Contains(ks, List) {
		return ks
	}
	return slices.Insert(slices.Clone(ks), i, List)
}

// seedLists fills a terngate data directory with the keys list-large and
// list-prefixes list, by running the hidden seed subcommand of this binary
// (listseed.RunCommand) before the gateway starts: a million PUTs over S3
// would take most of an hour. Its output goes to log.
func seedLists(ctx context.Context, s Settings, prefix, dataDir string, log io.Writer) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own binary: %w", err)
	}
	args := append(slices.Clone(s.SeedCommand[1:]), "--data-dir", dataDir, "--bucket", s.Bucket)
	if s.wants(ListLarge) {
		args = append(args, "--flat-prefix", prefix+listLargeDir, "--flat-keys", fmt.Sprint(s.ListLargeKeys))
	}
	if s.wants(ListPrefixes) {
		args = append(args, "--prefixed-prefix", prefix+listPrefixesDir, "--prefixes", fmt.Sprint(s.ListPrefixes))
	}
	fmt.Fprintf(log, "terngate bench: seeding the listing workloads' keys into %s (not over S3)\n", dataDir)
	cmd := exec.CommandContext(ctx, self, append([]string{s.SeedCommand[0]}, args...)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("seed listing workloads: %w", err)
	}
	return nil
}
