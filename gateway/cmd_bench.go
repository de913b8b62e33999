package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/terngate/terngate/bench/chart"
	"github.com/terngate/terngate/bench/listseed"
	"github.com/terngate/terngate/bench/refserver"
	"github.com/terngate/terngate/bench/s3bench"
	"github.com/terngate/terngate/bench/s3client"
	"github.com/terngate/terngate/bench/ternfsbench"
)

// benchRefserverCommand is the hidden `terngate bench refserver`, under
// which `terngate bench` re-executes itself to serve the reference server
// as a process of its own (CPU time and RSS are per process).
const benchRefserverCommand = "refserver"

// benchSeedListsCommand is the hidden `terngate bench seed-lists`, which
// `terngate bench` runs before starting its terngate to put the keys of
// list-large and list-prefixes straight into the data directory.
const benchSeedListsCommand = "seed-lists"

// runBench is `terngate bench`: workloads against an S3 endpoint (by
// default a terngate it starts on the local store), beside the reference
// server and the raw disk; with --ternfs-registry, terngate on a TernFS
// cluster against the cluster's own tools (see ternfsbench).
func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == benchRefserverCommand {
		return refserver.RunCommand(ctx, "terngate bench "+benchRefserverCommand, args[1:], stderr)
	}
	if len(args) > 0 && args[0] == benchVersionsCommand {
		return runBenchVersions(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && args[0] == benchSeedListsCommand {
		return listseed.RunCommand(ctx, "terngate bench "+benchSeedListsCommand, args[1:], stderr)
	}
	plan, out, err := parseBenchFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	// Where the reports go is settled before minutes of measuring, so a
	// bad location fails at once.
	if out, err = out.resolve(); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	progress := s3bench.Output{Log: stdout, Progress: terminalOrNil(stderr)}
	if plan.ternfs != nil {
		rep, runErr := ternfsbench.Run(ctx, *plan.ternfs, progress)
		if rep == nil {
			return runErr
		}
		return finishBench(rep, rep.Interrupted, runErr, out, func(path string) error { return chart.WriteTernFSPNG(rep, path) }, stdout, stderr)
	}
	rep, runErr := s3bench.Run(ctx, plan.local, progress)
	if rep == nil {
		return runErr
	}
	if len(rep.Workloads) == 0 {
		out.png = "" // nothing to draw
	}
	draw := func(path string) error { return chart.WritePNG(rep, path) }
	return finishBench(rep, rep.Interrupted, runErr, out, draw, stdout, stderr)
}

// benchReport is what either kind of run hands back.
type benchReport interface {
	PrintSummary(io.Writer)
	WriteJSON(path string) error
}

// finishBench prints and writes whatever was measured, even after Ctrl-C
// or a failure.
func finishBench(rep benchReport, interrupted bool, runErr error, out benchOutputs, drawPNG func(string) error, stdout, stderr io.Writer) error {
	rep.PrintSummary(stdout)
	var writeErrs []error
	for _, f := range []struct {
		path  string
		write func(string) error
	}{{out.json, rep.WriteJSON}, {out.png, drawPNG}} {
		if f.path == "" {
			continue
		}
		if err := f.write(f.path); err != nil {
			writeErrs = append(writeErrs, err)
			continue
		}
		fmt.Fprintf(stdout, "bench: wrote %s\n", f.path)
	}
	if err := errors.Join(append([]error{runErr}, writeErrs...)...); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if interrupted {
		fmt.Fprintln(stderr, "bench: interrupted; partial results written")
	}
	return nil
}

// benchOutputs are the files a run writes: json and png where the flags
// name them, else bench.json and bench.png in dir (--out), else in a new
// temporary directory. Never the current directory unless asked: a
// benchmark run from anywhere must not litter it.
type benchOutputs struct{ dir, json, png string }

// Names of the report files in the output directory.
const (
	benchJSONName = "bench.json"
	benchPNGName  = "bench.png"
)

// resolve fills in the paths the flags left to the output directory,
// creating it (or a new temporary one when --out is not given) only if a
// file will go there.
func (o benchOutputs) resolve() (benchOutputs, error) {
	if o.json != "" && o.png != "" {
		return o, nil
	}
	if o.dir == "" {
		dir, err := os.MkdirTemp("", "terngate-bench-report-")
		if err != nil {
			return o, fmt.Errorf("report directory: %w", err)
		}
		o.dir = dir
	} else if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return o, fmt.Errorf("--out: %w", err)
	}
	if o.json == "" {
		o.json = filepath.Join(o.dir, benchJSONName)
	}
	if o.png == "" {
		o.png = filepath.Join(o.dir, benchPNGName)
	}
	return o, nil
}

// benchPlan is the run the flags ask for: workloads against an endpoint
// (local), or terngate on a TernFS cluster (ternfs, when not nil).
type benchPlan struct {
	local  s3bench.Settings
	ternfs *ternfsbench.Settings
}

// parseBenchFlags reads the command line; getenv supplies the keys'
// defaults, read only after parsing so that --help never shows a secret.
func parseBenchFlags(args []string, getenv func(string) string, stderr io.Writer) (benchPlan, benchOutputs, error) {
	fs := flag.NewFlagSet("terngate bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", "", "S3 endpoint to measure (default: start this terngate on the local store in a temporary data dir)")
	accessKey := fs.String("access-key", "", "access key for --endpoint (default $AWS_ACCESS_KEY_ID)")
	secretKey := fs.String("secret-key", "", "secret key for --endpoint (default $AWS_SECRET_ACCESS_KEY)")
	region := fs.String("region", s3client.DefaultRegion, "region to sign for")
	bucket := fs.String("bucket", "terngate-bench", "bucket to use (created if missing); the run's objects are deleted afterwards")
	serverPid := fs.Int("server-pid", 0, "pid of the --endpoint server on this machine, to report its CPU and RSS")
	workloads := fs.String("workloads", "all", "comma-separated: put, get, multipart, list, small-put, small-get, mixed, or all; and list-large, list-prefixes (not in all; they bring list along as their yardstick); and sse-put, sse-get (not in all): put and get of --size objects with SSE-S3 and SSE-KMS (the started terngate gets throwaway key rings; an --endpoint needs both configured), each beside plaintext on the same server, issue #17's goal >= 0.8")
	concurrency := fs.Int("concurrency", 4, "concurrent requests (with --ternfs-registry: copies at once, default 1)")
	size := fs.String("size", "64MiB", "object size of put, get and multipart")
	partSize := fs.String("part-size", "16MiB", "multipart part size")
	smallSize := fs.String("small-size", "4KiB", "object size of small-put and small-get")
	mixedSize := fs.String("mixed-size", "1MiB", "object size of mixed (45% GET, 30% HEAD, 15% PUT, 10% DELETE)")
	listObjects := fs.Int("list-objects", 1000, "keys each LIST returns (one page)")
	listLargeKeys := fs.Int("list-large-keys", 1_000_000, "keys in list-large's bucket directory; a started terngate gets them written into its data directory through the object layer before it starts (hidden `bench "+benchSeedListsCommand+"`), an --endpoint over S3 with --concurrency")
	listPrefixes := fs.Int("list-prefixes", 10_000, "common prefixes (one key each) that list-prefixes lists with delimiter '/'; seeded like list-large's keys")
	duration := fs.Duration("duration", 10*time.Second, "length of each timed phase (with --ternfs-registry: default 2s; every worker completes at least one copy)")
	rounds := fs.Int("rounds", 2, "rounds; each runs every phase once, rotating which target goes first (with --ternfs-registry: default 3)")
	reference := fs.Bool("reference", true, "also measure the reference server (hashing S3 requires plus the disk), as a process of its own")
	rawDisk := fs.Bool("raw-disk", true, "also measure raw disk writes (with fsync) and reads of the same bytes")
	peakRSS := fs.String("peak-rss", "", "after the rounds, measure the servers' peak RSS while `SIZExN` PUTs run at once, each made once (e.g. 1GiBx8; goal: terngate <= 200 MiB); empty: skip")
	workDir := fs.String("work-dir", "", "directory for started servers' data and logs and raw-disk files (default: a temporary dir, removed afterwards)")
	outDir := fs.String("out", "", "`directory` for the report files, "+benchJSONName+" and "+benchPNGName+", created if missing (default: a new directory under $TMPDIR or /tmp; the run prints the paths it wrote)")
	jsonOut := fs.String("json", "", "write the results as JSON to this `file` instead of <out>/"+benchJSONName)
	pngOut := fs.String("png", "", "write the chart as PNG to this `file` instead of <out>/"+benchPNGName)
	tf := addTernFSBenchFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return benchPlan{}, benchOutputs{}, errHelp
		}
		return benchPlan{}, benchOutputs{}, err
	}
	if fs.NArg() > 0 {
		return benchPlan{}, benchOutputs{}, fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	out := benchOutputs{dir: *outDir, json: *jsonOut, png: *pngOut}
	if *accessKey == "" {
		*accessKey = getenv("AWS_ACCESS_KEY_ID")
	}
	if *secretKey == "" {
		*secretKey = getenv("AWS_SECRET_ACCESS_KEY")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *tf.registry != "" || tf.anySet(set) {
		s, err := tf.settings(set, sharedBenchFlags{concurrency: *concurrency, duration: *duration, rounds: *rounds, workDir: *workDir}, stderr)
		if err != nil {
			return benchPlan{}, benchOutputs{}, fmt.Errorf("bench: %w", err)
		}
		return benchPlan{ternfs: &s}, out, nil
	}

	kinds, err := s3bench.ParseKinds(*workloads)
	if err != nil {
		return benchPlan{}, benchOutputs{}, fmt.Errorf("bench: --workloads: %w", err)
	}
	sizes := map[string]*string{"size": size, "part-size": partSize, "small-size": smallSize, "mixed-size": mixedSize}
	parsed := map[string]int64{}
	for name, text := range sizes {
		n, err := s3bench.ParseSize(*text)
		if err != nil {
			return benchPlan{}, benchOutputs{}, fmt.Errorf("bench: --%s: %w", name, err)
		}
		parsed[name] = n
	}
	s := s3bench.Settings{
		Endpoint: *endpoint, Region: *region, Bucket: *bucket, ServerPid: *serverPid,
		Credentials: s3client.Credentials{AccessKey: *accessKey, SecretKey: *secretKey},
		Workloads:   kinds, Concurrency: *concurrency,
		Size: parsed["size"], PartSize: parsed["part-size"], SmallSize: parsed["small-size"], MixedSize: parsed["mixed-size"],
		ListObjects: *listObjects, ListLargeKeys: *listLargeKeys, ListPrefixes: *listPrefixes,
		Duration: *duration, Rounds: *rounds,
		Reference: *reference, RawDisk: *rawDisk,
		ReferenceCommand: []string{"bench", benchRefserverCommand},
		SeedCommand:      []string{"bench", benchSeedListsCommand},
		WorkDir:          *workDir,
	}
	if *peakRSS != "" {
		b, err := s3bench.ParseBurst(*peakRSS)
		if err != nil {
			return benchPlan{}, benchOutputs{}, fmt.Errorf("bench: --peak-rss: %w", err)
		}
		s.PeakRSS = &b
	}
	if *endpoint == "" {
		self, err := os.Executable()
		if err != nil {
			return benchPlan{}, benchOutputs{}, fmt.Errorf("bench: find own binary: %w", err)
		}
		s.TerngateBin = self
	} else if *accessKey == "" || *secretKey == "" {
		return benchPlan{}, benchOutputs{}, errors.New("bench: --endpoint needs --access-key and --secret-key")
	}
	if err := s.Validate(); err != nil {
		return benchPlan{}, benchOutputs{}, fmt.Errorf("bench: %w", err)
	}
	return benchPlan{local: s}, out, nil
}

// terminalOrNil returns w if it is a terminal, where a live progress line
// can be rewritten in place; logs and pipes get only finished phases.
func terminalOrNil(w io.Writer) io.Writer {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	info, err := f.Stat()
	if err != nil || info.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return w
}
