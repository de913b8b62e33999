// Package ternfsbench measures terngate on a real TernFS cluster against
// the cluster's own tools, in one run: terngate's PUT and GET of large
// objects against terncli copying the same bytes in and out (cp-into,
// cp-outof), against upstream's minimal S3 gateway terns3 serving the same
// cluster, and the AWS CLI's `aws s3 cp` through terngate against terncli.
// Phases run in interleaved rounds, and every result is a ratio whose
// headline is the median over rounds, because the machines it runs on are
// shared and noisy.
//
// Everything a run writes lives under one new TernFS directory, whose
// SNAPSHOT policy is set to keep no old versions; at the end the run
// deletes its objects and collects the directories, so the cluster's
// garbage collector frees the space (block services refuse to erase blocks
// younger than an hour, so that is when it comes back).
package ternfsbench

import (
	"errors"
	"fmt"
	"path"
	"time"
)

// Settings is one run.
type Settings struct {
	// Registry is the TernFS registry, host:port.
	Registry string
	// Root is the TernFS directory the run writes under (created; its
	// parent too). Use a fresh one per run: its SNAPSHOT policy is changed.
	Root string

	// TerngateBin is the terngate binary under test, started with
	// --store ternfs on Registry and Root.
	TerngateBin string
	// Terncli is TernFS's command-line client: the yardstick, and the tool
	// that collects the run's directories afterwards.
	Terncli string
	// Terns3 is upstream's S3 gateway; empty skips it.
	Terns3 string
	// AWS is the AWS CLI; empty skips `aws s3 cp`.
	AWS string

	// Sizes are the object sizes, each PUT and GET by every target.
	Sizes []int64
	// Concurrency is how many copies run at once in a phase (terncli
	// processes, S3 requests).
	Concurrency int
	// Duration is how long each phase issues copies back to back; every
	// worker completes at least one, so a short duration means exactly one.
	Duration time.Duration
	Rounds   int

	// WorkDir holds the local files terncli and the AWS CLI upload and the
	// servers' logs (empty: a temporary dir, removed afterwards).
	WorkDir string
	// Keep leaves the run's objects on the cluster.
	Keep bool
	// SpanPolicy is passed to the terngate under test as its
	// --ternfs-span-policy (empty: its default). terngate sets it on Root,
	// so every target's files get it.
	SpanPolicy string
}

// Validate reports the first setting that cannot work.
func (s Settings) Validate() error {
	switch {
	case s.Registry == "":
		return errors.New("no TernFS registry")
	case !path.IsAbs(s.Root) || path.Clean(s.Root) != s.Root || s.Root == "/":
		return fmt.Errorf("TernFS root must be a clean absolute path below /, got %q", s.Root)
	case s.TerngateBin == "":
		return errors.New("no terngate binary")
	case s.Terncli == "":
		return errors.New("no terncli: it is the yardstick and collects the run's directories")
	case len(s.Sizes) == 0:
		return errors.New("no sizes")
	case s.Concurrency < 1:
		return fmt.Errorf("concurrency must be at least 1, got %d", s.Concurrency)
	case s.Duration <= 0:
		return fmt.Errorf("duration must be positive, got %v", s.Duration)
	case s.Rounds < 1:
		return fmt.Errorf("rounds must be at least 1, got %d", s.Rounds)
	}
	for _, size := range s.Sizes {
		if size < 1 {
			return fmt.Errorf("sizes must be positive, got %d", size)
		}
	}
	return nil
}

// DefaultRoot is a fresh TernFS directory for a run started at now.
func DefaultRoot(now time.Time) string {
	return fmt.Sprintf("/terngate-bench/%d", now.UnixNano())
}
