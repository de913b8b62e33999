// Package s3bench is the benchmark behind `terngate bench`: PUT, GET,
// multipart upload, LIST, small-object and mixed workloads against an S3
// endpoint, each optionally beside the same work on the reference server
// (package refserver, as its own process) and on the raw disk, in
// interleaved rounds, with every figure also given as a ratio to them;
// optionally followed by a burst of concurrent large PUTs that measures
// the servers' peak memory.
package s3bench

import (
	"fmt"
	"slices"
	"time"

	"github.com/terngate/terngate/bench/s3client"
)

// Settings is one benchmark run.
type Settings struct {
	// Endpoint is the S3 endpoint to measure; empty starts terngate itself
	// (TerngateBin) on the local store in WorkDir.
	Endpoint    string
	Region      string
	Credentials s3client.Credentials // ignored when terngate is started here
	Bucket      string
	// ServerPid charges an external endpoint's process for CPU and RSS
	// (0: not measured).
	ServerPid int

	Workloads   []Kind
	Concurrency int
	Size        int64 // objects of put, get and multipart
	PartSize    int64 // multipart part size
	SmallSize   int64 // objects of small-put and small-get
	MixedSize   int64 // objects of mixed
	ListObjects int   // keys listed per LIST
	// ListLargeKeys is the size of list-large's bucket, ListPrefixes the
	// number of list-prefixes' common prefixes.
	ListLargeKeys int
	ListPrefixes  int
	Duration      time.Duration
	Rounds        int

	Reference bool // run the reference server beside the endpoint
	RawDisk   bool // run raw-disk writes and reads beside it
	// PeakRSS, if not nil, is the burst run once after the rounds to
	// measure the servers' peak memory.
	PeakRSS *Burst

	// TerngateBin is the terngate binary to start when Endpoint is empty.
	TerngateBin string
	// SeedCommand is the hidden subcommand of this binary that seeds a
	// started terngate's data directory for list-large and list-prefixes
	// (listseed.RunCommand); without it, or against an external endpoint,
	// they are seeded over S3.
	SeedCommand []string
	// ReferenceCommand is the hidden subcommand of this binary that serves
	// the reference server (refserver.RunCommand).
	ReferenceCommand []string
	// WorkDir holds started servers' data and logs and the raw-disk files
	// (empty: a temporary directory, removed afterwards).
	WorkDir string
}

// Validate reports the first setting that cannot work.
func (s Settings) Validate() error {
	switch {
	case len(s.Workloads) == 0:
		return fmt.Errorf("no workloads")
	case s.Concurrency < 1:
		return fmt.Errorf("concurrency must be at least 1, got %d", s.Concurrency)
	case s.Size < 1 || s.SmallSize < 1 || s.MixedSize < 1:
		return fmt.Errorf("sizes must be positive")
	case s.PartSize < 5<<20:
		return fmt.Errorf("part size must be at least 5 MiB (S3's minimum), got %d", s.PartSize)
	case s.ListObjects < 1 || s.ListObjects > 1000:
		return fmt.Errorf("list objects must be in [1, 1000] (one LIST page), got %d", s.ListObjects)
	case s.wants(ListLarge) && s.ListLargeKeys < 1001:
		return fmt.Errorf("list-large needs more than one page of keys, got %d", s.ListLargeKeys)
	case s.wants(ListPrefixes) && s.ListPrefixes < 1001:
		return fmt.Errorf("list-prefixes needs more than one page of prefixes, got %d", s.ListPrefixes)
	case s.Duration <= 0:
		return fmt.Errorf("duration must be positive, got %v", s.Duration)
	case s.Rounds < 1:
		return fmt.Errorf("rounds must be at least 1, got %d", s.Rounds)
	case s.Endpoint == "" && s.TerngateBin == "":
		return fmt.Errorf("no endpoint and no terngate binary to start")
	case s.Reference && len(s.ReferenceCommand) == 0:
		return fmt.Errorf("reference requested but no command serves it")
	case s.Bucket == "":
		return fmt.Errorf("no bucket")
	case s.PeakRSS != nil && (s.PeakRSS.Size < 1 || s.PeakRSS.Concurrency < 1):
		return fmt.Errorf("peak-RSS burst needs a positive size and concurrency, got %+v", *s.PeakRSS)
	}
	return nil
}

func (s Settings) wants(k Kind) bool { return slices.Contains(s.Workloads, k) }
