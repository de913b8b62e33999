package ternfsbench

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/terngate/terngate/bench/procstat"
	"github.com/terngate/terngate/bench/s3bench"
	"github.com/terngate/terngate/bench/s3client"
	"github.com/terngate/terngate/bench/s3object"
	"github.com/terngate/terngate/bench/serverproc"
	"github.com/terngate/terngate/bench/workload"
	"github.com/terngate/terngate/store/ternfs/wire"
)

// readyTimeout bounds a started gateway's start-up (terngate opens the
// cluster and creates Root).
const readyTimeout = 2 * time.Minute

// Run executes the benchmark. If ctx ends (Ctrl-C) it stops after the
// phase in flight and returns the report of what completed, marked
// interrupted; a failure returns the report so far and the error. Either
// way the run's objects are deleted unless s.Keep.
func Run(ctx context.Context, s Settings, out s3bench.Output) (rep *Report, err error) {
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
	creds, err := s3client.NewCredentials()
	if err != nil {
		return nil, err
	}
	ss := &session{settings: s, workDir: workDir, creds: creds, bodies: s3object.NewBodies()}
	defer func() {
		if stopErr := ss.stopServers(); stopErr != nil && err == nil {
			err = stopErr
		}
	}()

	tg, objects, err := ss.startTerngate(ctx)
	if err != nil {
		return nil, err
	}
	cl, err := openCluster(ctx, s.Registry)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	rootID, err := cl.lookup(ctx, s.Root)
	if err != nil {
		return nil, err
	}
	if err := cl.keepNoSnapshots(ctx, rootID); err != nil {
		return nil, fmt.Errorf("%s: %w", s.Root, err)
	}

	files := localFiles{dir: workDir}
	tc := newTerncli(s.Terncli, s.Registry, s.Root, files)
	defer func() {
		if s.Keep {
			return
		}
		// Detached: after Ctrl-C the objects still have to go.
		if cleanErr := cleanup(context.WithoutCancel(ctx), objects, cl, rootID, tc); cleanErr != nil && err == nil {
			err = cleanErr
		}
	}()
	rep = &Report{
		Started:  time.Now(),
		Machine:  procstat.DescribeMachine(),
		Registry: s.Registry,
		Root:     s.Root,
		Tools:    map[string]string{terngateName: s.TerngateBin, terncliName: s.Terncli},
		Settings: ReportSettings{Sizes: s.Sizes, Concurrency: s.Concurrency, DurationSeconds: s.Duration.Seconds(), Rounds: s.Rounds,
			SpanPolicy: s.SpanPolicy},
	}
	targets := []target{&s3Target{label: terngateName, pid: tg.Pid(), puts: objects(terngateBucket), gets: objects(terngateBucket)}}
	if s.Terns3 != "" {
		t3, err := ss.startTerns3(ctx)
		if err != nil {
			return nil, err
		}
		targets = append(targets, t3)
		rep.Tools[terns3Name] = s.Terns3
	}
	targets = append(targets, tc)
	if s.AWS != "" {
		at, err := newAWSTarget(ctx, awsName, "aws s3 cp to terngate", s.AWS, tg.Endpoint, tg.Pid(), creds, files, workDir)
		if err != nil {
			return nil, err
		}
		local, err := ss.startLocalTerngate(ctx)
		if err != nil {
			return nil, err
		}
		lt, err := newAWSTarget(ctx, awsLocalName, "aws s3 cp to terngate on local disk", s.AWS, local.Endpoint, local.Pid(), creds, files, workDir)
		if err != nil {
			return nil, err
		}
		targets = append(targets, at, lt)
		rep.Tools[awsName] = s.AWS + " (" + at.cliVersion + ")"
	}
	fmt.Fprintf(out.Log, "terngate bench: TernFS %s, run directory %s; %s; work dir %s\n",
		s.Registry, s.Root, targetNames(targets), workDir)

	// Untimed: the local files, the hashes the S3 client signs, and the
	// objects every GET reads.
	for _, size := range s.Sizes {
		for w := range s.Concurrency {
			if err := files.write(ss.bodies.Pattern(), size, w); err != nil {
				return nil, err
			}
			if err := objects(terngateBucket).Put(ctx, getKey(size, w), int64(w), size); err != nil {
				return nil, fmt.Errorf("prepare GET objects: %w", err)
			}
			rep.WrittenBytes += size
		}
	}

	r := &runner{settings: s, proc: proc, out: out}
	runErr := r.rounds(ctx, targets)
	rep.Phases = r.phases
	rep.Interrupted = ctx.Err() != nil
	for _, p := range r.phases {
		if p.Op == Put {
			rep.WrittenBytes += p.Bytes
		}
	}
	if rep.Targets, err = targetFigures(r.phases); err != nil {
		return rep, err
	}
	rep.Comparisons = compare(s.Sizes, rep.Targets)
	return rep, runErr
}

// session is what the gateways a run starts share.
type session struct {
	settings Settings
	workDir  string
	creds    s3client.Credentials
	bodies   *s3object.Bodies
	servers  []*serverproc.Server
}

func (ss *session) start(spec serverproc.Spec) (*serverproc.Server, error) {
	srv, err := serverproc.Start(spec, ss.workDir)
	if err != nil {
		return nil, err
	}
	ss.servers = append(ss.servers, srv)
	return srv, nil
}

func (ss *session) stopServers() error {
	var errs []error
	for _, srv := range ss.servers {
		errs = append(errs, srv.Stop())
	}
	return errors.Join(errs...)
}

// startTerngate starts the terngate under test on the cluster and creates
// the run's buckets; objects gives its buckets.
func (ss *session) startTerngate(ctx context.Context) (*serverproc.Server, func(bucket string) s3object.Bucket, error) {
	s := ss.settings
	args := []string{"--store", "ternfs", "--ternfs-registry", s.Registry, "--ternfs-root", s.Root, "--single-replica"}
	if s.SpanPolicy != "" {
		args = append(args, "--ternfs-span-policy", s.SpanPolicy)
	}
	spec, err := serverproc.TerngateSpec(s.TerngateBin, ss.creds, args...)
	if err != nil {
		return nil, nil, err
	}
	srv, objects, err := ss.launchTerngate(ctx, spec, s.Concurrency)
	if err != nil {
		return nil, nil, err
	}
	for _, b := range []string{terns3Bucket, terncliBucket} {
		if err := objects(b).Ensure(ctx); err != nil {
			return nil, nil, fmt.Errorf("terngate: %w", err)
		}
	}
	return srv, objects, nil
}

// startLocalTerngate starts a second terngate, on the local store in the
// work dir, with terngate's bucket: the AWS CLI's yardstick.
func (ss *session) startLocalTerngate(ctx context.Context) (*serverproc.Server, error) {
	spec, err := serverproc.TerngateSpec(ss.settings.TerngateBin, ss.creds)
	if err != nil {
		return nil, err
	}
	spec.Name = "terngate-local" // a data dir of its own
	srv, _, err := ss.launchTerngate(ctx, spec, 1)
	return srv, err
}

// launchTerngate starts a terngate and waits until it serves terngate's
// bucket (created); objects gives its buckets through a client of
// concurrency connections.
func (ss *session) launchTerngate(ctx context.Context, spec serverproc.Spec, concurrency int) (*serverproc.Server, func(bucket string) s3object.Bucket, error) {
	srv, err := ss.start(spec)
	if err != nil {
		return nil, nil, err
	}
	client := s3client.New(srv.Endpoint, s3client.DefaultRegion, ss.creds, concurrency)
	objects := func(bucket string) s3object.Bucket {
		return s3object.Bucket{Client: client, Name: bucket, Bodies: ss.bodies}
	}
	if err := srv.WaitReady(ctx, readyTimeout, objects(terngateBucket).Ensure); err != nil {
		return nil, nil, err
	}
	return srv, objects, nil
}

// startTerns3 starts terns3 on the cluster: its PUTs go to its own bucket,
// its GETs read terngate's.
func (ss *session) startTerns3(ctx context.Context) (*s3Target, error) {
	srv, err := ss.start(terns3Spec(ss.settings))
	if err != nil {
		return nil, err
	}
	client := s3client.New(srv.Endpoint, s3client.DefaultRegion, ss.creds, ss.settings.Concurrency)
	if err := srv.WaitReady(ctx, readyTimeout, answersHead(client, terns3Bucket)); err != nil {
		return nil, err
	}
	return &s3Target{label: terns3Name, pid: srv.Pid(),
		puts: s3object.Bucket{Client: client, Name: terns3Bucket, Bodies: ss.bodies},
		gets: s3object.Bucket{Client: client, Name: terngateBucket, Bodies: ss.bodies}}, nil
}

// answersHead is ready when a HEAD of a missing key in bucket answers Not
// Found: a HEAD has no body to parse, and terns3 lists only prefixes that
// end in a slash.
func answersHead(client *s3.Client, bucket string) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("ready-probe")})
		if notFound := (*types.NotFound)(nil); errors.As(err, &notFound) {
			return nil
		}
		if err == nil {
			return errors.New("probe key unexpectedly exists")
		}
		return err
	}
}

func targetNames(targets []target) string {
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.name()
	}
	return strings.Join(names, ", ")
}

// terns3Spec serves the terns3 bucket (its PUTs) and the terngate bucket
// (the objects every GET reads), without authentication, as terns3 does.
func terns3Spec(s Settings) serverproc.Spec {
	registry, _, _ := strings.Cut(s.Registry, ",") // terns3 takes one address
	return serverproc.Spec{Name: terns3Name, Argv: func(addr, _ string) []string {
		return []string{s.Terns3, "-ternfs", registry, "-addr", addr,
			"-bucket", terns3Bucket + ":" + path.Join(s.Root, terns3Bucket),
			"-bucket", terngateBucket + ":" + path.Join(s.Root, terngateBucket)}
	}}
}

// cleanup deletes the run's objects through terngate and collects every
// directory of the run, so that the deleted and overwritten files become
// garbage now; the cluster's garbage collector frees their blocks once
// they are old enough to erase (an hour).
func cleanup(ctx context.Context, objects func(string) s3object.Bucket, cl *cluster, root wire.InodeID, tc *terncliTarget) error {
	var errs []error
	for _, b := range []string{terngateBucket, terns3Bucket, terncliBucket} {
		errs = append(errs, objects(b).DeleteAll(ctx, ""))
	}
	dirs, err := cl.directories(ctx, root)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("cleanup: %w", err))...)
	}
	for _, d := range dirs {
		errs = append(errs, tc.collect(ctx, uint64(d)))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	return nil
}

// runner holds what every phase of a run shares.
type runner struct {
	settings Settings
	proc     *procstat.Reader
	out      s3bench.Output
	phases   []Phase
}

// rounds runs every size's PUTs, then its GETs, on every target, round
// after round, rotating which target goes first so that the drift of a
// shared machine does not always favour the same one.
func (r *runner) rounds(ctx context.Context, targets []target) error {
	for round := 1; round <= r.settings.Rounds; round++ {
		for _, size := range r.settings.Sizes {
			for _, o := range []Op{Put, Get} {
				plan := rotate(doing(targets, o), round-1)
				for _, t := range plan {
					if err := r.phase(ctx, round, t, o, size); err != nil || ctx.Err() != nil {
						return stopped(ctx, err)
					}
				}
			}
		}
	}
	return nil
}

func doing(targets []target, o Op) []target {
	var out []target
	for _, t := range targets {
		if _, ok := t.workload(o, 1); ok {
			out = append(out, t)
		}
	}
	return out
}

// rotate returns ts starting at index shift (mod len).
func rotate[T any](ts []T, shift int) []T {
	if len(ts) == 0 {
		return ts
	}
	shift %= len(ts)
	return append(append([]T(nil), ts[shift:]...), ts[:shift]...)
}

// stopped drops the error an interrupted run's cancelled copies return.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// phase runs one timed phase and records it; an interrupted phase is
// dropped, being shorter than the rest.
func (r *runner) phase(ctx context.Context, round int, t target, o Op, size int64) error {
	opFn, _ := t.workload(o, size)
	label := fmt.Sprintf("round %d/%d  %-8s %s %-6s", round, r.settings.Rounds, t.name(), o, s3bench.FormatSize(size))
	progress := s3bench.NewProgressLine(r.out.Progress, label, r.settings.Duration)
	toolBefore := t.toolCPU()
	machineBefore, err := r.proc.MachineCPU()
	if err != nil {
		return err
	}
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
		return fmt.Errorf("%s %s %s: %w", t.name(), o, s3bench.FormatSize(size), errors.Join(err, ctx.Err()))
	}
	machineAfter, err := r.proc.MachineCPU()
	if err != nil {
		return err
	}
	if res.Interrupted {
		return nil
	}
	p := Phase{
		Round: round, Target: t.name(), Does: t.does(o), Op: o, Size: size, Result: res,
		ServerCPUSeconds:  u.ServerCPU.Seconds(),
		ToolCPUSeconds:    (t.toolCPU() - toolBefore).Seconds(),
		ClientCPUSeconds:  u.ClientCPU.Seconds(),
		MachineCPUSeconds: (machineAfter.Busy - machineBefore.Busy).Seconds(),
		MachineCPUs:       machineAfter.CPUs,
	}
	r.phases = append(r.phases, p)
	fmt.Fprintf(r.out.Log, "  %s %8.1f MiB/s  %d op(s)  p50 %7.2f s%s\n", label, p.MiBPerSecond, p.Ops, p.Latency.P50/1000, cpuNote(p))
	return nil
}

func cpuNote(p Phase) string {
	var parts []string
	if p.ServerCPUSeconds > 0 {
		parts = append(parts, fmt.Sprintf("server %.2f cpu-s", p.ServerCPUSeconds))
	}
	if p.ToolCPUSeconds > 0 {
		parts = append(parts, fmt.Sprintf("tool %.2f cpu-s", p.ToolCPUSeconds))
	}
	parts = append(parts, fmt.Sprintf("client %.2f cpu-s", p.ClientCPUSeconds))
	parts = append(parts, fmt.Sprintf("machine %.2f cpu-s", p.MachineCPUSeconds))
	return "  " + strings.Join(parts, "  ")
}
