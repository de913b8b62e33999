package s3bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/terngate/terngate/bench/listseed"
	"github.com/terngate/terngate/bench/s3client"
	"github.com/terngate/terngate/bench/s3object"
	"github.com/terngate/terngate/bench/workload"
)

// s3Target runs the workloads against one S3 endpoint.
type s3Target struct {
	label    string
	client   *s3.Client
	creds    s3client.Credentials
	bucket   string
	prefix   string // every key of the run starts with it
	pid      int
	settings Settings
	bodies   *s3object.Bodies
	objects  s3object.Bucket
	prepared map[op]bool
	// mixedPresent[worker][key] says which of a worker's mixed keys exist
	// now; it outlives a phase because mixed DELETEs do.
	mixedPresent [][]bool
	// listsSeeded: the keys of list-large and list-prefixes were put in the
	// data directory before the server started (seedLists).
	listsSeeded bool
}

func (t *s3Target) name() string   { return t.label }
func (t *s3Target) serverPid() int { return t.pid }

// mixedKeysPerWorker is how many keys each mixed worker cycles through.
const mixedKeysPerWorker = 8

// getObjects is how many objects a GET workload reads in turn: one per
// worker for large objects, more for small ones so they are not all the
// same few keys.
func getObjects(size int64, concurrency int) int {
	if size >= 1<<20 {
		return concurrency
	}
	return max(concurrency, 64)
}

func (t *s3Target) key(parts ...any) string {
	k := t.prefix
	for i, p := range parts {
		if i > 0 {
			k += "-"
		}
		k += fmt.Sprint(p)
	}
	return k
}

// prepare does an op's untimed set-up once per run: hashes, and the objects
// GET, LIST and mixed read.
func (t *s3Target) prepare(ctx context.Context, o op) error {
	if t.prepared[o] {
		return nil
	}
	c := t.settings.Concurrency
	var err error
	switch o.name {
	case "put":
		err = t.bodies.Warm(c, o.size)
	case "multipart":
		err = t.bodies.Warm(c, partSizes(o.size, t.settings.PartSize)...)
	case "get":
		n := getObjects(o.size, c)
		err = t.putMany(ctx, n, o.sse, func(i int) (string, int64, int64) { return t.getKey(o, i), int64(i), o.size })
	case "list":
		err = t.putMany(ctx, t.settings.ListObjects, "", func(i int) (string, int64, int64) {
			return t.key("list/", fmt.Sprintf("%05d", i)), 0, 0
		})
	case "list-large":
		if !t.listsSeeded {
			err = t.putMany(ctx, t.settings.ListLargeKeys, "", func(i int) (string, int64, int64) {
				return listseed.FlatKey(t.key(listLargeDir), i), 0, 0
			})
		}
	case "list-prefixes":
		if !t.listsSeeded {
			err = t.putMany(ctx, t.settings.ListPrefixes, "", func(i int) (string, int64, int64) {
				return listseed.PrefixedKey(t.key(listPrefixesDir), i), 0, 0
			})
		}
	case "mixed":
		t.mixedPresent = make([][]bool, c)
		for w := range t.mixedPresent {
			t.mixedPresent[w] = make([]bool, mixedKeysPerWorker)
		}
		err = t.putMany(ctx, c*mixedKeysPerWorker, "", func(i int) (string, int64, int64) {
			w, k := i/mixedKeysPerWorker, i%mixedKeysPerWorker
			t.mixedPresent[w][k] = true
			return t.mixedKey(w, k), int64(w), o.size
		})
	default:
		return fmt.Errorf("%s: no S3 operation %q", t.label, o.name)
	}
	if err != nil {
		return fmt.Errorf("%s: prepare %s: %w", t.label, o, err)
	}
	t.prepared[o] = true
	return nil
}

func (t *s3Target) mixedKey(worker, k int) string { return t.key("mixed", worker, k) }

// putKey and getKey name the objects of put and get; encrypted ones apart
// from plaintext ones, so each get reads objects stored its way.
func (t *s3Target) putKey(o op, worker, turn int) string {
	if o.sse != "" {
		return t.key("put", o.sse, o.size, worker, turn)
	}
	return t.key("put", o.size, worker, turn)
}

func (t *s3Target) getKey(o op, i int) string {
	if o.sse != "" {
		return t.key("get", o.sse, o.size, i)
	}
	return t.key("get", o.size, i)
}

// putMany uploads n objects described by obj (key, seed, size), encrypted
// as sse asks, with the run's concurrency.
func (t *s3Target) putMany(ctx context.Context, n int, sse types.ServerSideEncryption, obj func(i int) (key string, seed, size int64)) error {
	type item struct {
		key        string
		seed, size int64
	}
	items := make([]item, n)
	for i := range items {
		k, seed, size := obj(i)
		items[i] = item{k, seed, size}
	}
	next := make(chan item)
	errs := make(chan error, t.settings.Concurrency)
	var wg sync.WaitGroup
	for range t.settings.Concurrency {
		wg.Go(func() {
			for it := range next {
				if err := t.objects.PutEncrypted(ctx, it.key, it.seed, it.size, sse); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var err error
feed:
	for _, it := range items {
		select {
		case next <- it:
		case err = <-errs:
			break feed
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	return errors.Join(err, <-errs)
}

func (t *s3Target) put(ctx context.Context, key string, seed, size int64) error {
	return t.objects.Put(ctx, key, seed, size)
}

// get reads an object, checking every byte against the body of seed.
func (t *s3Target) get(ctx context.Context, key string, seed, size int64) error {
	return t.objects.Get(ctx, key, seed, size)
}

// workload returns the timed operation of o.
func (t *s3Target) workload(o op) (workload.Op, error) {
	c := t.settings.Concurrency
	switch o.name {
	case "put":
		return func(ctx context.Context, w, seq int) (int64, error) {
			// Two keys per worker, overwritten in turn: the disk does not
			// fill however long the phase, and every PUT replaces an object
			// as a busy bucket's would.
			return o.size, t.objects.PutEncrypted(ctx, t.putKey(o, w, seq%2), int64(w), o.size, o.sse)
		}, nil
	case "get":
		n := getObjects(o.size, c)
		return func(ctx context.Context, w, seq int) (int64, error) {
			i := (w + seq*c) % n
			return o.size, t.get(ctx, t.getKey(o, i), int64(i), o.size)
		}, nil
	case "multipart":
		return func(ctx context.Context, w, seq int) (int64, error) {
			return o.size, t.multipart(ctx, t.key("multipart", o.size, w, seq%2), int64(w), o.size)
		}, nil
	case "list":
		return func(ctx context.Context, w, seq int) (int64, error) { return 0, t.list(ctx) }, nil
	case "list-large", "list-prefixes":
		return t.bigListWorkload(o.name), nil
	case "mixed":
		return t.mixedWorkload(o.size), nil
	}
	return nil, fmt.Errorf("%s: no S3 operation %q", t.label, o.name)
}

// multipart uploads one object in parts of the configured size, one after
// another (concurrency comes from the workers), and completes it.
func (t *s3Target) multipart(ctx context.Context, key string, seed, size int64) (err error) {
	created, err := t.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(t.bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("CreateMultipartUpload %s: %w", key, err)
	}
	defer func() {
		if err != nil {
			// Best effort, detached from a possibly cancelled ctx.
			_, _ = t.client.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{
				Bucket: aws.String(t.bucket), Key: aws.String(key), UploadId: created.UploadId})
		}
	}()
	var done []types.CompletedPart
	for i, partLen := range partSizes(size, t.settings.PartSize) {
		sha, err := t.bodies.Hash(seed, partLen)
		if err != nil {
			return err
		}
		num := aws.Int32(int32(i + 1))
		out, err := t.client.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: aws.String(t.bucket), Key: aws.String(key), UploadId: created.UploadId,
			PartNumber: num, Body: t.bodies.Pattern().NewBody(seed, partLen), ContentLength: aws.Int64(partLen),
		}, s3.WithAPIOptions(s3client.WithPayloadHash(sha)))
		if err != nil {
			return fmt.Errorf("UploadPart %s #%d: %w", key, i+1, err)
		}
		done = append(done, types.CompletedPart{ETag: out.ETag, PartNumber: num})
	}
	_, err = t.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(t.bucket), Key: aws.String(key), UploadId: created.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done},
	})
	if err != nil {
		return fmt.Errorf("CompleteMultipartUpload %s: %w", key, err)
	}
	return nil
}

// list reads the one page of the LIST workload's keys and checks it is
// complete.
func (t *s3Target) list(ctx context.Context) error {
	prefix := t.key("list/")
	out, err := t.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: aws.String(t.bucket), Prefix: aws.String(prefix), MaxKeys: aws.Int32(1000)})
	if err != nil {
		return fmt.Errorf("LIST %s: %w", prefix, err)
	}
	if len(out.Contents) != t.settings.ListObjects {
		return fmt.Errorf("LIST %s: %d keys, want %d", prefix, len(out.Contents), t.settings.ListObjects)
	}
	return nil
}

// Mixed operation weights, in percent: those of MinIO warp's mixed
// benchmark, a common reference point.
const (
	mixedGetPercent  = 45
	mixedHeadPercent = 30
	mixedPutPercent  = 15
	// the remaining 10% are DELETEs
)

// mixedWorkload draws GET, HEAD, PUT or DELETE for each operation, over the
// worker's own keys (so workers need no locks): reads and deletes go to a
// key that exists, PUTs preferably recreate a deleted one.
func (t *s3Target) mixedWorkload(size int64) workload.Op {
	rngs := make([]*rand.Rand, t.settings.Concurrency)
	for w := range rngs {
		rngs[w] = rand.New(rand.NewPCG(uint64(w), 0x6d69786564)) // same draws on every target
	}
	return func(ctx context.Context, w, seq int) (int64, error) {
		rng, present := rngs[w], t.mixedPresent[w]
		existing, missing := keysBy(present)
		roll := rng.IntN(100)
		switch {
		case len(existing) > 0 && roll < mixedGetPercent:
			k := existing[rng.IntN(len(existing))]
			return size, t.get(ctx, t.mixedKey(w, k), int64(w), size)
		case len(existing) > 0 && roll < mixedGetPercent+mixedHeadPercent:
			k := existing[rng.IntN(len(existing))]
			_, err := t.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(t.bucket), Key: aws.String(t.mixedKey(w, k))})
			if err != nil {
				return 0, fmt.Errorf("HEAD %s: %w", t.mixedKey(w, k), err)
			}
			return 0, nil
		case len(existing) == 0 || roll < mixedGetPercent+mixedHeadPercent+mixedPutPercent:
			k := rng.IntN(len(present))
			if len(missing) > 0 {
				k = missing[rng.IntN(len(missing))]
			}
			if err := t.put(ctx, t.mixedKey(w, k), int64(w), size); err != nil {
				return 0, err
			}
			present[k] = true
			return size, nil
		default:
			k := existing[rng.IntN(len(existing))]
			_, err := t.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(t.bucket), Key: aws.String(t.mixedKey(w, k))})
			if err != nil {
				return 0, fmt.Errorf("DELETE %s: %w", t.mixedKey(w, k), err)
			}
			present[k] = false
			return 0, nil
		}
	}
}

func keysBy(present []bool) (existing, missing []int) {
	for k, p := range present {
		if p {
			existing = append(existing, k)
		} else {
			missing = append(missing, k)
		}
	}
	return existing, missing
}
