package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/terngate/terngate/bench/s3client"
	"github.com/terngate/terngate/bench/serverproc"
)

// benchVersionsCommand is `terngate bench versions`: what versioning costs.
// It measures PUT overwrites of keys in a versioned bucket beside the same
// overwrites in an unversioned one (rounds interleaved, so the machine's
// drift hits both, each round's first bucket alternating), and the time of one ListObjectVersions page (1000
// entries) over a bucket holding many versions, from its start and from
// its middle.
const benchVersionsCommand = "versions"

// versionsBenchSettings is one run of the versioning workloads.
type versionsBenchSettings struct {
	endpoint     string
	creds        s3client.Credentials
	concurrency  int
	size         int
	overwrites   int // PUTs per round and bucket
	rounds       int
	listVersions int // versions seeded for the listing
	listKeys     int // keys they are spread over
	listPages    int // pages timed per position
	workDir      string
}

func parseVersionsBenchFlags(args []string, getenv func(string) string, stderr io.Writer) (versionsBenchSettings, error) {
	fs := flag.NewFlagSet("terngate bench "+benchVersionsCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var s versionsBenchSettings
	fs.StringVar(&s.endpoint, "endpoint", "", "S3 endpoint to measure (empty: start this terngate on the local store)")
	fs.StringVar(&s.creds.AccessKey, "access-key", getenv("TERNGATE_ACCESS_KEY"), "access key for --endpoint")
	fs.StringVar(&s.creds.SecretKey, "secret-key", getenv("TERNGATE_SECRET_KEY"), "secret key for --endpoint")
	fs.IntVar(&s.concurrency, "concurrency", 8, "clients in parallel")
	fs.IntVar(&s.size, "size", 4096, "object size in bytes")
	fs.IntVar(&s.overwrites, "overwrites", 2000, "PUT overwrites per round and bucket")
	fs.IntVar(&s.rounds, "rounds", 3, "interleaved rounds of overwrites")
	fs.IntVar(&s.listVersions, "list-versions", 100000, "versions seeded for the ListObjectVersions page")
	fs.IntVar(&s.listKeys, "list-keys", 1000, "keys the seeded versions are spread over")
	fs.IntVar(&s.listPages, "list-pages", 10, "ListObjectVersions pages timed per position")
	fs.StringVar(&s.workDir, "work-dir", "", "where a started terngate keeps its data (default: a temporary directory)")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	switch {
	case s.concurrency < 1 || s.size < 1 || s.overwrites < 1 || s.rounds < 1 || s.listPages < 1:
		return s, errors.New("bench versions: counts and sizes must be positive")
	case s.listKeys < 1 || s.listVersions < s.listKeys:
		return s, errors.New("bench versions: --list-versions must be at least --list-keys, which must be positive")
	case s.endpoint != "" && (s.creds.AccessKey == "" || s.creds.SecretKey == ""):
		return s, errors.New("bench versions: --endpoint needs --access-key and --secret-key")
	}
	return s, nil
}

// runBenchVersions runs the versioning workloads and prints their figures.
func runBenchVersions(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	s, err := parseVersionsBenchFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	endpoint := s.endpoint
	if endpoint == "" {
		stop, started, err := startBenchTerngate(ctx, &s)
		if err != nil {
			return err
		}
		defer stop()
		endpoint = started
	}
	c := s3client.New(endpoint, s3client.DefaultRegion, s.creds, s.concurrency)
	stamp := time.Now().UnixNano()
	plain, versioned := fmt.Sprintf("vbench-plain-%d", stamp), fmt.Sprintf("vbench-versioned-%d", stamp)
	listed := fmt.Sprintf("vbench-list-%d", stamp)
	for _, b := range []string{plain, versioned, listed} {
		if err := createBenchBucket(ctx, c, b, b != plain); err != nil {
			return err
		}
	}

	body := bytes.Repeat([]byte("v"), s.size)
	var plainRates, versionedRates []float64
	for round := range s.rounds {
		// The bucket measured first alternates, so that what one phase
		// leaves behind (dirty pages, a grown database, a warm cache)
		// falls on each bucket in turn.
		order := []string{plain, versioned}
		if round%2 == 1 {
			order = []string{versioned, plain}
		}
		for _, b := range order {
			rate, err := overwriteRate(ctx, c, b, body, s.overwrites, s.concurrency)
			if err != nil {
				return err
			}
			if b == plain {
				plainRates = append(plainRates, rate)
			} else {
				versionedRates = append(versionedRates, rate)
			}
			fmt.Fprintf(stdout, "round %d %-9s PUT overwrite: %8.0f ops/s\n", round+1, map[bool]string{true: "unversioned", false: "versioned"}[b == plain], rate)
		}
	}
	p, v := median(plainRates), median(versionedRates)
	fmt.Fprintf(stdout, "PUT overwrite (%d B, %d clients): unversioned %.0f ops/s, versioned %.0f ops/s, versioned/unversioned %.2fx\n",
		s.size, s.concurrency, p, v, v/p)

	seedStart := time.Now()
	if err := seedVersions(ctx, c, listed, s, body[:min(len(body), 64)]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d versions over %d keys in %v\n", s.listVersions, s.listKeys, time.Since(seedStart).Round(time.Millisecond))
	for _, pos := range []struct{ name, keyMarker string }{{"first page", ""}, {"middle page", benchKey(s.listKeys / 2)}} {
		times, err := listPageTimes(ctx, c, listed, pos.keyMarker, s.listPages)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "ListObjectVersions %s (1000 of %d versions): median %v\n", pos.name, s.listVersions, medianDuration(times).Round(time.Microsecond))
	}
	return nil
}

// startBenchTerngate starts this binary as a gateway on the local store.
func startBenchTerngate(ctx context.Context, s *versionsBenchSettings) (func(), string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", fmt.Errorf("bench versions: find own binary: %w", err)
	}
	if s.creds, err = s3client.NewCredentials(); err != nil {
		return nil, "", err
	}
	dir, remove, err := serverproc.WorkDir(s.workDir)
	if err != nil {
		return nil, "", err
	}
	spec, err := serverproc.TerngateSpec(self, s.creds)
	if err != nil {
		remove()
		return nil, "", err
	}
	srv, err := serverproc.Start(spec, dir)
	if err != nil {
		remove()
		return nil, "", err
	}
	stop := func() { _ = srv.Stop(); remove() }
	c := s3client.New(srv.Endpoint, s3client.DefaultRegion, s.creds, 1)
	ready := func(ctx context.Context) error { _, err := c.ListBuckets(ctx, &s3.ListBucketsInput{}); return err }
	if err := srv.WaitReady(ctx, 30*time.Second, ready); err != nil {
		stop()
		return nil, "", err
	}
	return stop, srv.Endpoint, nil
}

func createBenchBucket(ctx context.Context, c *s3.Client, bucket string, versioned bool) error {
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return fmt.Errorf("bench versions: create %s: %w", bucket, err)
	}
	if !versioned {
		return nil
	}
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	if err != nil {
		return fmt.Errorf("bench versions: enable versioning on %s: %w", bucket, err)
	}
	return nil
}

// overwriteRate PUTs n objects onto one key per client and returns PUTs
// per second.
func overwriteRate(ctx context.Context, c *s3.Client, bucket string, body []byte, n, clients int) (float64, error) {
	start := time.Now()
	err := parallel(clients, n, func(client, i int) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(benchKey(client)), Body: bytes.NewReader(body)})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("bench versions: overwrite in %s: %w", bucket, err)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// seedVersions writes s.listVersions versions spread evenly over
// s.listKeys keys.
func seedVersions(ctx context.Context, c *s3.Client, bucket string, s versionsBenchSettings, body []byte) error {
	err := parallel(s.concurrency, s.listVersions, func(_, i int) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(benchKey(i % s.listKeys)), Body: bytes.NewReader(body)})
		return err
	})
	if err != nil {
		return fmt.Errorf("bench versions: seed %s: %w", bucket, err)
	}
	return nil
}

// listPageTimes times n ListObjectVersions pages of 1000 from keyMarker.
func listPageTimes(ctx context.Context, c *s3.Client, bucket, keyMarker string, n int) ([]time.Duration, error) {
	var times []time.Duration
	for range n {
		in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), MaxKeys: aws.Int32(1000)}
		if keyMarker != "" {
			in.KeyMarker = aws.String(keyMarker)
		}
		start := time.Now()
		out, err := c.ListObjectVersions(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("bench versions: list versions of %s: %w", bucket, err)
		}
		times = append(times, time.Since(start))
		if len(out.Versions)+len(out.DeleteMarkers) == 0 {
			return nil, fmt.Errorf("bench versions: list versions of %s: an empty page", bucket)
		}
	}
	return times, nil
}

// parallel runs n calls of op over clients goroutines; op gets its client
// number and the call's index. The first error stops the rest.
func parallel(clients, n int, op func(client, i int) error) error {
	var next int
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for client := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := firstErr != nil || i >= n
				mu.Unlock()
				if stop {
					return
				}
				if err := op(client, i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

func benchKey(i int) string { return fmt.Sprintf("key-%06d", i) }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianDuration(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
