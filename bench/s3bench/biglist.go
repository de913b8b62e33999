package s3bench

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/terngate/terngate/bench/listseed"
	"github.com/terngate/terngate/bench/workload"
)

// The directories (under the run's prefix) of the big listing workloads.
const (
	listLargeDir    = "list-large/"
	listPrefixesDir = "list-prefixes/"
)

// bigListPage is the page size of list-large and list-prefixes: S3's
// largest, as the yardstick list's.
const bigListPage = 1000

// bigListWorkload lists one full page from a random place of list-large's
// keys or list-prefixes' common prefixes, checking it is full and in place.
func (t *s3Target) bigListWorkload(name string) workload.Op {
	rngs := make([]*rand.Rand, t.settings.Concurrency)
	for w := range rngs {
		rngs[w] = rand.New(rand.NewPCG(uint64(w), 0x6c697374)) // same pages on every run
	}
	return func(ctx context.Context, w, seq int) (int64, error) {
		in := &s3.ListObjectsV2Input{Bucket: aws.String(t.bucket), MaxKeys: aws.Int32(bigListPage)}
		var first string
		if name == "list-large" {
			dir := t.key(listLargeDir)
			i := rngs[w].IntN(t.settings.ListLargeKeys - bigListPage)
			in.Prefix, in.StartAfter = aws.String(dir), aws.String(listseed.FlatKey(dir, i))
			first = listseed.FlatKey(dir, i+1)
		} else {
			dir := t.key(listPrefixesDir)
			i := rngs[w].IntN(t.settings.ListPrefixes - bigListPage)
			in.Prefix, in.Delimiter = aws.String(dir), aws.String("/")
			in.StartAfter = aws.String(listseed.PrefixOf(dir, i))
			first = listseed.PrefixOf(dir, i+1)
		}
		out, err := t.client.ListObjectsV2(ctx, in)
		if err != nil {
			return 0, fmt.Errorf("LIST %s after %s: %w", aws.ToString(in.Prefix), aws.ToString(in.StartAfter), err)
		}
		got, n := "", len(out.Contents)+len(out.CommonPrefixes)
		switch {
		case len(out.Contents) > 0:
			got = aws.ToString(out.Contents[0].Key)
		case len(out.CommonPrefixes) > 0:
			got = aws.ToString(out.CommonPrefixes[0].Prefix)
		}
		if n != bigListPage || got != first {
			return 0, fmt.Errorf("LIST %s after %s: %d entries from %q, want %d from %q",
				aws.ToString(in.Prefix), aws.ToString(in.StartAfter), n, got, bigListPage, first)
		}
		return 0, nil
	}
}
