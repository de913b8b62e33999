package e2e

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// ackedVersion is a version or delete marker a client was told exists.
type ackedVersion struct {
	key, id, body string
	marker        bool
}

// TestKillDuringVersionedWrites kills the gateway (SIGKILL) while workers
// overwrite and delete keys of a versioned bucket. After the restart every
// acknowledged version must be listed and read back with its own bytes, and
// every acknowledged delete marker listed: S3 keeps every version a write
// answered with an ID (API_PutObject, API_DeleteObject).
func TestKillDuringVersionedWrites(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	const bucket = "crashversions"
	c := g.sdkClient()
	createBucketSDK(t, c, bucket)
	_, err := c.PutBucketVersioning(testContext(t, time.Minute), &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	mustNoErr(t, err, "PutBucketVersioning")

	const workers, keysPerWorker = 6, 4
	var mu sync.Mutex
	var acked []ackedVersion
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for op := 1; ctx.Err() == nil; op++ {
				key := fmt.Sprintf("w%d/k%d", w, r.IntN(keysPerWorker))
				if r.IntN(4) == 0 {
					out, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
					if err != nil {
						return // the kill
					}
					if aws.ToBool(out.DeleteMarker) {
						mu.Lock()
						acked = append(acked, ackedVersion{key: key, id: aws.ToString(out.VersionId), marker: true})
						mu.Unlock()
					}
					continue
				}
				body := fmt.Sprintf("%s op %d %s", key, op, strings.Repeat("x", r.IntN(2000)))
				out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
				if err != nil {
					return
				}
				mu.Lock()
				acked = append(acked, ackedVersion{key: key, id: aws.ToString(out.VersionId), body: body})
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	g.kill()
	cancel()
	wg.Wait()

	g = g.restart(t)
	c = g.sdkClient()
	rctx := testContext(t, 3*time.Minute)
	listed := map[string]bool{} // key + " " + version ID, markers with a "m:" prefix
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), MaxKeys: aws.Int32(50)}
	for {
		out, err := c.ListObjectVersions(rctx, in)
		mustNoErr(t, err, "ListObjectVersions")
		for _, v := range out.Versions {
			listed[aws.ToString(v.Key)+" "+aws.ToString(v.VersionId)] = true
		}
		for _, m := range out.DeleteMarkers {
			listed["m:"+aws.ToString(m.Key)+" "+aws.ToString(m.VersionId)] = true
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
	if len(acked) < 10 {
		t.Fatalf("only %d writes were acknowledged before the kill: the test proved little", len(acked))
	}
	for _, a := range acked {
		if a.marker {
			if !listed["m:"+a.key+" "+a.id] {
				t.Errorf("acknowledged delete marker %s of %s is not listed", a.id, a.key)
			}
			continue
		}
		if !listed[a.key+" "+a.id] {
			t.Errorf("acknowledged version %s of %s is not listed", a.id, a.key)
		}
		out, err := c.GetObject(rctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(a.key), VersionId: aws.String(a.id)})
		if err != nil {
			t.Errorf("GET %s version %s: %v", a.key, a.id, err)
			continue
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || string(b) != a.body {
			t.Errorf("%s version %s reads %d bytes (%v), want its own %d", a.key, a.id, len(b), err, len(a.body))
		}
	}
	t.Logf("%d acknowledged versions and markers checked, %d listed", len(acked), len(listed))
}
