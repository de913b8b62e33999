// Package listseed fills a local data directory with the keys of the
// listing workloads (a big flat bucket, many prefixes) through store/objects
// before a gateway starts on it: at a busy machine's few hundred PUT/s, a
// million keys through S3 would take most of an hour, and the PUTs are not
// what those workloads measure.
package listseed

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/local"
	"github.com/terngate/terngate/store/objects"
)

// FlatKey is the i-th key of a flat set under prefix: one directory.
func FlatKey(prefix string, i int) string { return fmt.Sprintf("%s%08d", prefix, i) }

// PrefixedKey is the key under the i-th common prefix of a prefixed set:
// one directory per prefix, each holding one key.
func PrefixedKey(prefix string, i int) string { return fmt.Sprintf("%s%06d/key", prefix, i) }

// PrefixOf is the i-th common prefix of a prefixed set (delimiter '/').
func PrefixOf(prefix string, i int) string { return fmt.Sprintf("%s%06d/", prefix, i) }

// Set is a run of keys to seed: Count keys Key(Prefix, 0..Count-1).
type Set struct {
	Prefix string
	Count  int
	Key    func(prefix string, i int) string
}

// workers is how many PUTs are kept in flight: enough that the local
// store's group commit shares each fsync among many.
const workers = 128

// Seed puts every key of sets, with empty bodies, into bucket (created for
// owner if missing) of the local store in dataDir.
func Seed(ctx context.Context, dataDir, bucket, owner string, sets []Set, progress io.Writer) error {
	st, err := local.Open(dataDir, local.Options{})
	if err != nil {
		return fmt.Errorf("listseed: %w", err)
	}
	defer st.Close()
	l, err := objects.New(ctx, st, st.Root(), objects.Options{})
	if err != nil {
		return fmt.Errorf("listseed: %w", err)
	}
	if err := l.CreateBucket(ctx, bucket, owner); err != nil && !errors.Is(err, s3err.BucketAlreadyOwnedByYou) {
		return fmt.Errorf("listseed: create bucket %s: %w", bucket, err)
	}
	for _, set := range sets {
		start := time.Now()
		if err := putAll(ctx, l, bucket, set); err != nil {
			return err
		}
		fmt.Fprintf(progress, "listseed: %d keys under %s in %v\n", set.Count, set.Prefix, time.Since(start).Round(time.Second))
	}
	return nil
}

func putAll(ctx context.Context, l *objects.Layer, bucket string, set Set) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < set.Count; i = int(next.Add(1) - 1) {
				key := set.Key(set.Prefix, i)
				if _, err := l.Put(ctx, objects.PutInput{Bucket: bucket, Key: key, Body: strings.NewReader("")}); err != nil {
					errs <- fmt.Errorf("listseed: put %s: %w", key, err)
					cancel()
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// RunCommand seeds from a command line. Benchmarks re-execute their own
// binary with a hidden subcommand that calls it, before starting the
// gateway on the same data directory.
func RunCommand(ctx context.Context, name string, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", "", "the gateway's data directory (local store)")
	bucket := fs.String("bucket", "", "bucket to seed")
	owner := fs.String("owner", "admin", "owner of the bucket if it is created")
	flatPrefix := fs.String("flat-prefix", "", "prefix of the flat keys")
	flatCount := fs.Int("flat-keys", 0, "how many flat keys")
	prefixedPrefix := fs.String("prefixed-prefix", "", "prefix of the prefixed keys")
	prefixedCount := fs.Int("prefixes", 0, "how many common prefixes, one key each")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dataDir == "" || *bucket == "" {
		return errors.New("listseed: --data-dir and --bucket are required")
	}
	var sets []Set
	if *flatCount > 0 {
		sets = append(sets, Set{Prefix: *flatPrefix, Count: *flatCount, Key: FlatKey})
	}
	if *prefixedCount > 0 {
		sets = append(sets, Set{Prefix: *prefixedPrefix, Count: *prefixedCount, Key: PrefixedKey})
	}
	return Seed(ctx, *dataDir, *bucket, *owner, sets, stderr)
}
