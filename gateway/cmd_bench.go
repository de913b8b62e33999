package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/terngate/terngate/bench/chart"
	"github.com/terngate/terngate/bench/refserver"
	"github.com/terngate/terngate/bench/s3bench"
	"github.com/terngate/terngate/bench/s3client"
)

// benchRefserverCommand is the hidden `terngate bench refserver`, under
// which `terngate bench` re-executes itself to serve the reference server
// as a process of its own (CPU time and RSS are per process).
const benchRefserverCommand = "refserver"

// runBench is `terngate bench`: workloads against an S3 endpoint (by
// default a terngate it starts on the local store), beside the reference
// server and the raw disk.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == benchRefserverCommand {
		return refserver.RunCommand(ctx, "terngate bench "+benchRefserverCommand, args[1:], stderr)
	}
	settings, out, err := parseBenchFlags(args, stderr)
	if err != nil {
		return err
	}
	rep, runErr := s3bench.Run(ctx, settings, s3bench.Output{Log: stdout, Progress: terminalOrNil(stderr)})
	if rep == nil {
		return runErr
	}
	// Write whatever was measured, even after Ctrl-C or a failure.
	rep.PrintSummary(stdout)
	var writeErrs []error
	if out.json != "" {
		writeErrs = append(writeErrs, rep.WriteJSON(out.json))
	}
	if out.png != "" && len(rep.Workloads) > 0 {
		writeErrs = append(writeErrs, chart.WritePNG(rep, out.png))
	}
	if err := errors.Join(append([]error{runErr}, writeErrs...)...); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if rep.Interrupted {
		fmt.Fprintln(stderr, "bench: interrupted; partial results written")
	}
	return nil
}

// benchOutputs are the files a run writes.
type benchOutputs struct{ json, png string }

func parseBenchFlags(args []string, stderr io.Writer) (s3bench.Settings, benchOutputs, error) {
	fs := flag.NewFlagSet("terngate bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", "", "S3 endpoint to measure (default: start this terngate on the local store in a temporary data dir)")
	accessKey := fs.String("access-key", os.Getenv("AWS_ACCESS_KEY_ID"), "access key for --endpoint (default $AWS_ACCESS_KEY_ID)")
	secretKey := fs.String("secret-key", os.Getenv("AWS_SECRET_ACCESS_KEY"), "secret key for --endpoint (default $AWS_SECRET_ACCESS_KEY)")
	region := fs.String("region", s3client.DefaultRegion, "region to sign for")
	bucket := fs.String("bucket", "terngate-bench", "bucket to use (created if missing); the run's objects are deleted afterwards")
	serverPid := fs.Int("server-pid", 0, "pid of the --endpoint server on this machine, to report its CPU and RSS")
	workloads := fs.String("workloads", "all", "comma-separated: put, get, multipart, list, small-put, small-get, mixed, or all")
	concurrency := fs.Int("concurrency", 4, "concurrent requests")
	size := fs.String("size", "64MiB", "object size of put, get and multipart")
	partSize := fs.String("part-size", "16MiB", "multipart part size")
	smallSize := fs.String("small-size", "4KiB", "object size of small-put and small-get")
	mixedSize := fs.String("mixed-size", "1MiB", "object size of mixed (45% GET, 30% HEAD, 15% PUT, 10% DELETE)")
	listObjects := fs.Int("list-objects", 1000, "keys each LIST returns (one page)")
	duration := fs.Duration("duration", 10*time.Second, "length of each timed phase")
	rounds := fs.Int("rounds", 2, "rounds; each runs every phase once, rotating which target goes first")
	reference := fs.Bool("reference", true, "also measure the reference server (hashing S3 requires plus the disk), as a process of its own")
	rawDisk := fs.Bool("raw-disk", true, "also measure raw disk writes (with fsync) and reads of the same bytes")
	workDir := fs.String("work-dir", "", "directory for started servers' data and logs and raw-disk files (default: a temporary dir, removed afterwards)")
	jsonOut := fs.String("json", "bench.json", "write results as JSON here (empty: don't)")
	pngOut := fs.String("png", "bench.png", "write the chart as PNG here (empty: don't)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return s3bench.Settings{}, benchOutputs{}, errHelp
		}
		return s3bench.Settings{}, benchOutputs{}, err
	}
	if fs.NArg() > 0 {
		return s3bench.Settings{}, benchOutputs{}, fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	kinds, err := s3bench.ParseKinds(*workloads)
	if err != nil {
		return s3bench.Settings{}, benchOutputs{}, fmt.Errorf("bench: --workloads: %w", err)
	}
	sizes := map[string]*string{"size": size, "part-size": partSize, "small-size": smallSize, "mixed-size": mixedSize}
	parsed := map[string]int64{}
	for name, text := range sizes {
		n, err := s3bench.ParseSize(*text)
		if err != nil {
			return s3bench.Settings{}, benchOutputs{}, fmt.Errorf("bench: --%s: %w", name, err)
		}
		parsed[name] = n
	}
	s := s3bench.Settings{
		Endpoint: *endpoint, Region: *region, Bucket: *bucket, ServerPid: *serverPid,
		Credentials: s3client.Credentials{AccessKey: *accessKey, SecretKey: *secretKey},
		Workloads:   kinds, Concurrency: *concurrency,
		Size: parsed["size"], PartSize: parsed["part-size"], SmallSize: parsed["small-size"], MixedSize: parsed["mixed-size"],
		ListObjects: *listObjects, Duration: *duration, Rounds: *rounds,
		Reference: *reference, RawDisk: *rawDisk,
		ReferenceCommand: []string{"bench", benchRefserverCommand},
		WorkDir:          *workDir,
	}
	if *endpoint == "" {
		self, err := os.Executable()
		if err != nil {
			return s3bench.Settings{}, benchOutputs{}, fmt.Errorf("bench: find own binary: %w", err)
		}
		s.TerngateBin = self
	} else if *accessKey == "" || *secretKey == "" {
		return s3bench.Settings{}, benchOutputs{}, errors.New("bench: --endpoint needs --access-key and --secret-key")
	}
	if err := s.Validate(); err != nil {
		return s3bench.Settings{}, benchOutputs{}, fmt.Errorf("bench: %w", err)
	}
	return s, benchOutputs{json: *jsonOut, png: *pngOut}, nil
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
