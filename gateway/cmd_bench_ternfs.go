package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/terngate/terngate/bench/s3bench"
	"github.com/terngate/terngate/bench/ternfsbench"
	"github.com/terngate/terngate/store/ternfs"
)

// ternfsBenchFlags are the flags of `terngate bench --ternfs-registry`:
// terngate on a TernFS cluster against terncli, terns3 and the AWS CLI.
type ternfsBenchFlags struct {
	registry, root, terncli, terns3, aws, sizes, spanPolicy *string
	keep                                                    *bool
}

// ternfsOnlyFlags are meaningless without --ternfs-registry; localOnlyFlags
// are meaningless with it.
var (
	ternfsOnlyFlags = []string{"ternfs-root", "terncli", "terns3", "aws", "sizes", "keep", "ternfs-span-policy"}
	localOnlyFlags  = []string{"endpoint", "access-key", "secret-key", "region", "bucket", "server-pid", "workloads",
		"size", "part-size", "small-size", "mixed-size", "list-objects", "list-large-keys", "list-prefixes", "reference", "raw-disk", "peak-rss"}
)

// TernFS-mode defaults of the flags both modes share: one large copy at a
// time, as terncli makes, and rounds short enough that the run's writes
// stay modest.
const (
	ternfsBenchConcurrency = 1
	ternfsBenchDuration    = 2 * time.Second
	ternfsBenchRounds      = 3
)

func addTernFSBenchFlags(fs *flag.FlagSet) ternfsBenchFlags {
	return ternfsBenchFlags{
		registry:   fs.String("ternfs-registry", "", "TernFS registry `host:port`: measure terngate (--store ternfs) on that cluster against terncli, terns3 and aws s3 cp"),
		root:       fs.String("ternfs-root", "", "TernFS directory for the run, created (default /terngate-bench/<unix nanoseconds>); its SNAPSHOT policy is set to keep no old versions"),
		terncli:    fs.String("terncli", "terncli", "TernFS's terncli (with --ternfs-registry): the yardstick, also used to collect the run's directories"),
		terns3:     fs.String("terns3", "terns3", "upstream's terns3 S3 gateway (with --ternfs-registry); empty, or not found on PATH, skips it"),
		aws:        fs.String("aws", "aws", "the AWS CLI (with --ternfs-registry); empty, or not found on PATH, skips it"),
		sizes:      fs.String("sizes", "64MiB,1GiB", "object sizes (with --ternfs-registry), comma-separated"),
		keep:       fs.Bool("keep", false, "leave the run's objects on the cluster (with --ternfs-registry)"),
		spanPolicy: fs.String("ternfs-span-policy", "", "the terngate under test's --ternfs-span-policy, which every target's files then get (with --ternfs-registry; default: terngate's)"),
	}
}

func (f ternfsBenchFlags) anySet(set map[string]bool) bool {
	for _, name := range ternfsOnlyFlags {
		if set[name] {
			return true
		}
	}
	return false
}

// sharedBenchFlags are the values of the flags both modes use.
type sharedBenchFlags struct {
	concurrency int
	duration    time.Duration
	rounds      int
	workDir     string
}

// settings checks the flags of a TernFS run and resolves its programs.
// Notes about skipped tools go to stderr.
func (f ternfsBenchFlags) settings(set map[string]bool, shared sharedBenchFlags, stderr io.Writer) (ternfsbench.Settings, error) {
	if *f.registry == "" {
		return ternfsbench.Settings{}, errors.New("--ternfs-root, --terncli, --terns3, --aws, --sizes, --keep and --ternfs-span-policy need --ternfs-registry")
	}
	for _, name := range localOnlyFlags {
		if set[name] {
			return ternfsbench.Settings{}, fmt.Errorf("--%s does not apply with --ternfs-registry", name)
		}
	}
	s := ternfsbench.Settings{
		Registry:    *f.registry,
		Root:        *f.root,
		Concurrency: shared.concurrency,
		Duration:    shared.duration,
		Rounds:      shared.rounds,
		WorkDir:     shared.workDir,
		Keep:        *f.keep,
		SpanPolicy:  *f.spanPolicy,
	}
	if s.SpanPolicy != "" {
		if _, err := ternfs.ParseSpanPolicy(s.SpanPolicy); err != nil {
			return ternfsbench.Settings{}, fmt.Errorf("--ternfs-span-policy: %w", err)
		}
	}
	if !set["concurrency"] {
		s.Concurrency = ternfsBenchConcurrency
	}
	if !set["duration"] {
		s.Duration = ternfsBenchDuration
	}
	if !set["rounds"] {
		s.Rounds = ternfsBenchRounds
	}
	if s.Root == "" {
		s.Root = ternfsbench.DefaultRoot(time.Now())
	}
	for text := range strings.SplitSeq(*f.sizes, ",") {
		n, err := s3bench.ParseSize(strings.TrimSpace(text))
		if err != nil {
			return ternfsbench.Settings{}, fmt.Errorf("--sizes: %w", err)
		}
		s.Sizes = append(s.Sizes, n)
	}
	var err error
	if s.Terncli, err = findTool("terncli", *f.terncli, true, stderr); err != nil {
		return ternfsbench.Settings{}, err
	}
	if s.Terns3, err = findTool("terns3", *f.terns3, set["terns3"], stderr); err != nil {
		return ternfsbench.Settings{}, err
	}
	if s.AWS, err = findTool("aws", *f.aws, set["aws"], stderr); err != nil {
		return ternfsbench.Settings{}, err
	}
	if s.TerngateBin, err = os.Executable(); err != nil {
		return ternfsbench.Settings{}, fmt.Errorf("find own binary: %w", err)
	}
	return s, s.Validate()
}

// findTool resolves a program's flag value to a path. Empty disables it; a
// default that is not on PATH disables it with a note, while a program
// asked for (required, or given explicitly) must exist.
func findTool(flagName, value string, required bool, stderr io.Writer) (string, error) {
	if value == "" {
		return "", nil
	}
	path, err := exec.LookPath(value)
	if err == nil {
		return path, nil
	}
	if required {
		return "", fmt.Errorf("--%s: %w", flagName, err)
	}
	fmt.Fprintf(stderr, "bench: %s not found (%v); skipping it (--%s PATH to include it)\n", value, err, flagName)
	return "", nil
}
