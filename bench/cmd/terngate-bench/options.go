package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// options is the command line of a benchmark run.
type options struct {
	terngateBin string
	workloads   []workload
	rssWorkload *workload // nil: skip the peak-RSS phase
	rounds      int
	getPasses   int
	outPath     string
	tmpDir      string
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("terngate-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("terngate-bin", "", "path to a built terngate binary (go build -o /tmp/tg ./gateway)")
	sizes := fs.String("sizes", "1GiB,64MiBx8", "comma-separated workloads: SIZE or SIZExCONCURRENCY, each PUT then GET")
	rss := fs.String("rss", "1GiBx8", "workload whose PUTs measure peak RSS (empty to skip)")
	rounds := fs.Int("rounds", 2, "rounds; each runs every workload on both servers, alternating which goes first")
	getPasses := fs.Int("get-passes", 3, "times each GET phase reads every object (GETs are short; repeats steady the timing)")
	out := fs.String("out", "", "write the results as JSON to this file")
	tmp := fs.String("tmp", "", "work directory for data dirs and server logs (default: a new temp dir, removed afterwards)")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *bin == "" {
		return options{}, errors.New("--terngate-bin is required")
	}
	if *getPasses < 1 {
		return options{}, fmt.Errorf("--get-passes must be at least 1, got %d", *getPasses)
	}
	if *rounds < 1 {
		return options{}, fmt.Errorf("--rounds must be at least 1, got %d", *rounds)
	}
	ws, err := parseWorkloads(*sizes)
	if err != nil {
		return options{}, fmt.Errorf("--sizes: %w", err)
	}
	o := options{terngateBin: *bin, workloads: ws, rounds: *rounds, getPasses: *getPasses, outPath: *out, tmpDir: *tmp}
	if *rss != "" {
		w, err := parseWorkload(*rss)
		if err != nil {
			return options{}, fmt.Errorf("--rss: %w", err)
		}
		o.rssWorkload = &w
	}
	return o, nil
}
