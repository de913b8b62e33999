package objects

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// ReplaceTags racing with overwrites lands on one object whole: a reader
// sees each version's bytes with that version's record (ETag, and either
// the tags it was written with or the tagger's), never another version's
// tags or ETag on these bytes. ReplaceTags keeps ETag and LastModified.
func TestReplaceTagsRacingOverwrites(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const key = "tagged/key"
	mustPut(t, l, key, "version 0")
	tagged := []Tag{{Key: "by", Value: "tagger"}}

	var wg sync.WaitGroup
	errs := make(chan error, 16)
	wg.Go(func() {
		defer cancel()
		for i := 1; i <= 150; i++ {
			body := fmt.Sprintf("version %d", i)
			md := Metadata{Tags: []Tag{{Key: "v", Value: body}}}
			if _, err := l.Put(ctx, PutInput{Bucket: testBucket, Key: key, Body: strings.NewReader(body), Size: int64(len(body)), Metadata: md}); err != nil {
				errs <- fmt.Errorf("put %d: %w", i, err)
				return
			}
		}
	})
	wg.Go(func() {
		for ctx.Err() == nil {
			before, err := l.Stat(ctx, testBucket, key)
			if err != nil {
				continue
			}
			after, err := l.ReplaceTags(ctx, testBucket, key, tagged)
			if err != nil {
				if ctx.Err() == nil {
					errs <- fmt.Errorf("replace tags: %w", err)
				}
				return
			}
			if after.FileID == before.FileID && (after.ETag != before.ETag || !after.LastModified.Equal(before.LastModified)) {
				errs <- fmt.Errorf("tagging changed ETag or LastModified: %+v -> %+v", before, after)
				return
			}
		}
	})
	wg.Go(func() {
		for ctx.Err() == nil {
			body, info, err := get(ctx, l, key)
			if err != nil {
				if ctx.Err() == nil {
					errs <- fmt.Errorf("get: %w", err)
				}
				return
			}
			own := []Tag{{Key: "v", Value: body}}
			if info.ETag != md5hex(body) || (info.Metadata.Tags != nil && !slices.Equal(info.Metadata.Tags, own) && !slices.Equal(info.Metadata.Tags, tagged)) {
				errs <- fmt.Errorf("read %q with ETag %s and tags %v", body, info.ETag, info.Metadata.Tags)
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, err := l.ReplaceTags(context.Background(), testBucket, "missing", tagged); err == nil {
		t.Error("ReplaceTags of a missing key succeeded")
	}
}
