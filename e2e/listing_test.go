package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const listingBucket = "listing-model"

// TestListingModel checks ListObjects V1 and V2 pagination over 2,000+
// awkward keys against an in-memory model of S3's listing rules.
func TestListingModel(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	ctx := testContext(t, 8*time.Minute)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(listingBucket)})
	mustNoErr(t, err, "CreateBucket")
	keys := awkwardKeys(2000)
	putConcurrently(t, ctx, c, keys, 16)

	type combo struct {
		prefix, delimiter string
		pageSizes         []int32
	}
	combos := []combo{
		// Page size 1 over everything only where it is cheap enough.
		{"", "", []int32{7, 1000}},
		{"", "/", []int32{1, 2, 7, 1000}},
		{"a", "/", []int32{1, 2, 7, 1000}},             // ends mid-segment
		{"a/b", "", []int32{1, 2, 7, 1000}},            // ends mid-segment
		{"a/b/", "/", []int32{1, 2, 7, 1000}},          // ends in '/'
		{"obj", "/", []int32{1, 2, 7, 1000}},           // obj+ < obj/ < obj1
		{"obj", "", []int32{2, 7, 1000}},               //
		{"/", "/", []int32{1, 2, 1000}},                // leading '/' and '//'
		{"x/", "/", []int32{1, 2, 1000}},               // '.' and '..' segments
		{"x/../", "", []int32{2, 7, 1000}},             //
		{"deep/1/2/3/4/5/6/7/", "/", []int32{1, 1000}}, // deep nesting
		{"ünï", "/", []int32{1, 7, 1000}},              // unicode, mid-segment
		{"sp ace/", "", []int32{2, 1000}},              // spaces
		{"p+q/", "/", []int32{2, 1000}},                // '+'
		{"pct", "/", []int32{2, 1000}},                 // '%'
		{"seg/", "/", []int32{1, 1000}},                // 300-byte segments
		{"no-such-prefix/", "/", []int32{1, 1000}},     // empty listing
	}
	for _, cb := range combos {
		want := modelListing(keys, cb.prefix, cb.delimiter, "")
		if len(want) == 0 && cb.prefix != "no-such-prefix/" {
			t.Fatalf("model has no entries for prefix %q: the key set lost its coverage", cb.prefix)
		}
		for _, size := range cb.pageSizes {
			name := fmt.Sprintf("prefix=%q/delim=%q/max=%d", cb.prefix, cb.delimiter, size)
			t.Run("V2/"+name, func(t *testing.T) { checkListV2(t, ctx, c, want, cb.prefix, cb.delimiter, "", size) })
			t.Run("V1/"+name, func(t *testing.T) { checkListV1(t, ctx, c, want, cb.prefix, cb.delimiter, "", size) })
		}
	}
	// Page size 1 over the whole bucket, once per API.
	all := modelListing(keys, "", "", "")
	t.Run("V2/everything/max=1", func(t *testing.T) { checkListV2(t, ctx, c, all, "", "", "", 1) })
	t.Run("V1/everything-delimited/max=1000", func(t *testing.T) {
		checkListV1(t, ctx, c, modelListing(keys, "", "/", ""), "", "/", "", 1000)
	})

	// encoding-type=url (what botocore always asks for) lists the same keys.
	t.Run("V2/encoding-type=url/max=500", func(t *testing.T) {
		got := listKeysURLEncoded(t, g, listingBucket, 500)
		want := modelListing(keys, "", "", "")
		if len(got) != len(want) {
			t.Fatalf("url-encoded listing has %d keys, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i].name {
				t.Fatalf("url-encoded listing entry %d is %q, want %q", i, got[i], want[i].name)
			}
		}
	})

	// start-after (V2) and marker (V1) need not name an existing key.
	for _, from := range []string{"a/b", "a/b/", "obj+", "obj/", "m-not-a-key", "ünï", "x/../", "\U0010ffff"} {
		for _, prefix := range []string{"", "a/"} {
			want := modelListing(keys, prefix, "", from)
			name := fmt.Sprintf("from=%q/prefix=%q", from, prefix)
			t.Run("V2-start-after/"+name, func(t *testing.T) { checkListV2(t, ctx, c, want, prefix, "", from, 250) })
			t.Run("V1-marker/"+name, func(t *testing.T) { checkListV1(t, ctx, c, want, prefix, "", from, 250) })
		}
	}
}

// putConcurrently uploads each key with a small body naming it.
func putConcurrently(t *testing.T, ctx context.Context, c *s3.Client, keys []string, workers int) {
	t.Helper()
	work := make(chan string)
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range work {
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(listingBucket), Key: aws.String(k), Body: strings.NewReader("body of " + k)})
				if err != nil {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%q: %v", k, err))
					mu.Unlock()
				}
			}
		}()
	}
	for _, k := range keys {
		work <- k
	}
	close(work)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d PUTs failed, e.g.:\n%s", len(failures), len(keys), strings.Join(failures[:min(10, len(failures))], "\n"))
	}
}

// maxPages bounds a pagination loop so a server that never stops paging
// (wrong order, stuck token) fails instead of hanging.
func maxPages(want []listingEntry, size int32) int { return len(want)/int(size) + 3 }

func checkListV2(t *testing.T, ctx context.Context, c *s3.Client, want []listingEntry, prefix, delimiter, startAfter string, size int32) {
	var token *string
	pos := 0
	for page := 0; ; page++ {
		if page > maxPages(want, size) {
			t.Fatalf("still paging after %d pages (model has %d entries)", page, len(want))
		}
		in := &s3.ListObjectsV2Input{Bucket: aws.String(listingBucket), MaxKeys: aws.Int32(size), ContinuationToken: token}
		if prefix != "" {
			in.Prefix = aws.String(prefix)
		}
		if delimiter != "" {
			in.Delimiter = aws.String(delimiter)
		}
		if startAfter != "" {
			in.StartAfter = aws.String(startAfter)
		}
		out, err := c.ListObjectsV2(ctx, in)
		mustNoErr(t, err, "ListObjectsV2 page %d", page)
		got := mergeEntries(objectKeys(out.Contents), commonPrefixes(out.CommonPrefixes))
		end := min(pos+int(size), len(want))
		if !sameEntries(got, want[pos:end]) {
			t.Fatalf("page %d (entries %d..%d):\n got  %v\n want %v", page, pos, end, got, want[pos:end])
		}
		if kc := aws.ToInt32(out.KeyCount); int(kc) != len(got) {
			t.Errorf("page %d: KeyCount %d, but %d entries returned", page, kc, len(got))
		}
		pos = end
		truncated := aws.ToBool(out.IsTruncated)
		if truncated != (pos < len(want)) {
			t.Fatalf("page %d: IsTruncated=%v with %d of %d entries listed", page, truncated, pos, len(want))
		}
		if !truncated {
			if out.NextContinuationToken != nil {
				t.Errorf("last page carries NextContinuationToken %q", aws.ToString(out.NextContinuationToken))
			}
			return
		}
		if aws.ToString(out.NextContinuationToken) == "" {
			t.Fatalf("page %d is truncated but has no NextContinuationToken", page)
		}
		token = out.NextContinuationToken
	}
}

func checkListV1(t *testing.T, ctx context.Context, c *s3.Client, want []listingEntry, prefix, delimiter, marker string, size int32) {
	pos := 0
	for page := 0; ; page++ {
		if page > maxPages(want, size) {
			t.Fatalf("still paging after %d pages (model has %d entries)", page, len(want))
		}
		in := &s3.ListObjectsInput{Bucket: aws.String(listingBucket), MaxKeys: aws.Int32(size)}
		if prefix != "" {
			in.Prefix = aws.String(prefix)
		}
		if delimiter != "" {
			in.Delimiter = aws.String(delimiter)
		}
		if marker != "" {
			in.Marker = aws.String(marker)
		}
		out, err := c.ListObjects(ctx, in)
		mustNoErr(t, err, "ListObjects page %d", page)
		got := mergeEntries(objectKeys(out.Contents), commonPrefixes(out.CommonPrefixes))
		end := min(pos+int(size), len(want))
		if !sameEntries(got, want[pos:end]) {
			t.Fatalf("page %d (entries %d..%d) after marker %q:\n got  %v\n want %v", page, pos, end, marker, got, want[pos:end])
		}
		pos = end
		truncated := aws.ToBool(out.IsTruncated)
		if truncated != (pos < len(want)) {
			t.Fatalf("page %d: IsTruncated=%v with %d of %d entries listed", page, truncated, pos, len(want))
		}
		if !truncated {
			return
		}
		last := got[len(got)-1].name
		next := aws.ToString(out.NextMarker)
		switch {
		case delimiter != "" && next != last:
			t.Fatalf("page %d: NextMarker %q, want the last entry %q (required with a delimiter)", page, next, last)
		case delimiter == "" && next != "" && next != last:
			t.Fatalf("page %d: NextMarker %q is not the last key %q", page, next, last)
		}
		marker = last
	}
}

// mergeEntries interleaves a page's keys and common prefixes in S3 order.
func mergeEntries(keys, prefixes []string) []listingEntry {
	out := make([]listingEntry, 0, len(keys)+len(prefixes))
	i, j := 0, 0
	for i < len(keys) || j < len(prefixes) {
		if j == len(prefixes) || (i < len(keys) && keys[i] < prefixes[j]) {
			out = append(out, listingEntry{name: keys[i]})
			i++
		} else {
			out = append(out, listingEntry{name: prefixes[j], isPrefix: true})
			j++
		}
	}
	return out
}

func sameEntries(a, b []listingEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
