package e2e

import (
	"bytes"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestConcurrentOverwritesAreAtomic races PUTs of different bodies to one key
// against GETs: every GET must return exactly one whole body, never a mix,
// with the ETag of that body, and the final object must be one of them.
func TestConcurrentOverwritesAreAtomic(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	ctx := testContext(t, 3*time.Minute)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("race")})
	mustNoErr(t, err, "CreateBucket")
	const writers, rounds, size = 4, 3, 2 << 20
	bodies := map[string]bool{}
	payloads := make([][]byte, writers)
	for i := range payloads {
		payloads[i] = patternBytes(uint64(500+i), size)
		bodies[sha256Hex(payloads[i])] = true
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String("hot"), Body: bytes.NewReader(payloads[0])})
	mustNoErr(t, err, "initial PUT")

	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds+64)
	stop := make(chan struct{})
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String("hot"), Body: bytes.NewReader(payloads[i])})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	var readers sync.WaitGroup
	var mixed, mismatchedETags, reads int
	var mu sync.Mutex
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("race"), Key: aws.String("hot")})
				if err != nil {
					errs <- err
					return
				}
				b, err := io.ReadAll(out.Body)
				out.Body.Close()
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				reads++
				if !bodies[sha256Hex(b)] {
					mixed++
				} else if etag := aws.ToString(out.ETag); etag != `"`+md5Hex(b)+`"` {
					mismatchedETags++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("request failed during the race: %v", err)
	}
	if mixed > 0 {
		t.Errorf("%d of %d GETs returned a body that is none of the PUT bodies (torn overwrite)", mixed, reads)
	}
	if mismatchedETags > 0 {
		t.Errorf("%d of %d GETs returned an ETag that is not the MD5 of the body they returned", mismatchedETags, reads)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("race"), Key: aws.String("hot")})
	mustNoErr(t, err, "final GET")
	defer out.Body.Close()
	if sum, _ := readerSHA256(t, out.Body); !bodies[sum] {
		t.Errorf("final object is none of the PUT bodies")
	}
	t.Logf("%d GETs during %d racing PUTs", reads, writers*rounds)
}
