package objects

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Readers racing with overwrites must always see metadata that matches the
// bytes they read: the record is written before the file is linked and
// removed only after the file is replaced.
func TestMetadataVisibleAtomically(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const key = "hot/key"
	mustPut(t, l, key, "v0")

	var wg sync.WaitGroup
	errs := make(chan error, 16)
	wg.Go(func() {
		defer cancel()
		for i := 1; i <= 200; i++ {
			body := fmt.Sprintf("version %d %s", i, strings.Repeat("x", i%17))
			if _, err := l.Put(ctx, PutInput{Bucket: testBucket, Key: key, Body: strings.NewReader(body), Size: int64(len(body))}); err != nil {
				errs <- fmt.Errorf("put %d: %w", i, err)
				return
			}
		}
	})
	for range 3 {
		wg.Go(func() {
			for ctx.Err() == nil {
				body, info, err := get(ctx, l, key)
				if err != nil {
					if ctx.Err() == nil {
						errs <- fmt.Errorf("get: %w", err)
					}
					return
				}
				if info.Foreign || info.ETag != md5hex(body) || info.Size != int64(len(body)) {
					errs <- fmt.Errorf("read %q with info %+v", body, info)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for ctx.Err() == nil {
			out, err := l.List(ctx, ListInput{Bucket: testBucket, Prefix: "hot/", MaxKeys: 10})
			if err != nil {
				if ctx.Err() == nil {
					errs <- fmt.Errorf("list: %w", err)
				}
				return
			}
			for _, o := range out.Objects {
				if o.Foreign {
					errs <- fmt.Errorf("listed without metadata: %+v", o)
					return
				}
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Concurrent puts of a key and keys below it, and deletes, must leave every
// surviving key readable with its own bytes.
func TestConcurrentStructuralChanges(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx := t.Context()
	keys := []string{"p", "p/q", "p/q/", "p/q/r", "p/s"}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 4 {
		wg.Go(func() {
			for i := range 40 {
				k := keys[(i+w)%len(keys)]
				if (i+w)%3 == 0 {
					if err := l.Delete(ctx, testBucket, k); err != nil {
						errs <- fmt.Errorf("delete %q: %w", k, err)
					}
					continue
				}
				if _, err := l.Put(ctx, PutInput{Bucket: testBucket, Key: k, Body: strings.NewReader(k), Size: int64(len(k))}); err != nil {
					errs <- fmt.Errorf("put %q: %w", k, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, k := range keys {
		mustPut(t, l, k, k)
	}
	for _, k := range keys {
		mustGet(t, l, k, k)
	}
	if got := listAll(t, l); strings.Join(got, ",") != "p,p/q,p/q/,p/q/r,p/s" {
		t.Fatalf("list = %q", got)
	}
}
