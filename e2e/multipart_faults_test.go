package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/terngate/terngate/internal/syncbuf"
	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/objects"
)

// TestMultipartCrashDuringUploadPart kill -9s the gateway while a 50 MiB
// part is being streamed: after a restart the upload is still listed, the
// part is absent (or whole), and the upload completes once it is sent again.
func TestMultipartCrashDuringUploadPart(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	createBucketSDK(t, c, "mpu-crash")
	const key = "crashed-part"
	id := createIn(t, c, "mpu-crash", key)
	part1 := patternBytes(200, 5<<20)
	p1 := uploadPartIn(t, c, "mpu-crash", key, id, 1, part1)

	const partSize, killAfter = 50 << 20, 30 << 20
	w := watchStore(t, g, "mpu-crash", "mpu:"+id)
	release := make(chan struct{})
	body := &stallingReader{src: newPatternReader(201, partSize), threshold: killAfter, reached: make(chan struct{}), release: release}
	done := make(chan error, 1)
	go func() {
		resp, err := g.send(testContext(t, 5*time.Minute), rawRequest{
			method: "PUT", rawPath: "/mpu-crash/" + key, rawQuery: "partNumber=2&uploadId=" + id,
			body: body, contentLength: partSize, payloadHash: unsignedPayload,
		})
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				err = errPutCompleted
			}
		}
		done <- err
	}()
	select {
	case <-body.reached:
	case err := <-done:
		t.Fatalf("part 2 ended before 30 MiB were sent: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("30 MiB of part 2 not sent within 2 minutes")
	}
	w.awaitGrowth(t, 10<<20)
	g.kill()
	close(release)
	if err := <-done; err == errPutCompleted {
		t.Fatal("the interrupted UploadPart was answered 200")
	}

	g = g.restart(t)
	c = g.sdkClient()
	ctx := testContext(t, 5*time.Minute)
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu-crash")})
	mustNoErr(t, err, "ListMultipartUploads after the restart")
	if len(ups.Uploads) != 1 || aws.ToString(ups.Uploads[0].UploadId) != id {
		t.Fatalf("after the restart the uploads are %v, want only %s", ups.Uploads, id)
	}
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu-crash"), Key: aws.String(key), UploadId: aws.String(id)})
	mustNoErr(t, err, "ListParts after the restart")
	whole2 := patternBytes(201, partSize)
	for _, p := range parts.Parts {
		n, etag, size := aws.ToInt32(p.PartNumber), aws.ToString(p.ETag), aws.ToInt64(p.Size)
		switch {
		case n == 1 && (etag != quotedMD5(part1) || size != int64(len(part1))):
			t.Errorf("part 1 after the crash: ETag %s size %d, want %s %d", etag, size, quotedMD5(part1), len(part1))
		case n == 2 && (etag != quotedMD5(whole2) || size != partSize):
			t.Errorf("the interrupted part 2 is listed torn: ETag %s size %d (want absent, or %s %d)", etag, size, quotedMD5(whole2), partSize)
		case n != 1 && n != 2:
			t.Errorf("unexpected part %d listed", n)
		}
	}
	if len(parts.Parts) == 0 || aws.ToInt32(parts.Parts[0].PartNumber) != 1 {
		t.Errorf("part 1 is missing after the crash: %v", parts.Parts)
	}
	p2 := uploadPartIn(t, c, "mpu-crash", key, id, 2, whole2)
	out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String("mpu-crash"), Key: aws.String(key), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p1, p2}},
	})
	mustNoErr(t, err, "Complete after re-uploading part 2")
	wantETag := multipartETagOf([][]byte{md5Of(part1), md5Of(whole2)})
	want := append(part1, whole2...)
	if sum, n, etag := getObjectSHA256(t, c, "mpu-crash", key); n != int64(len(want)) || sum != sha256Hex(want) || etag != wantETag || aws.ToString(out.ETag) != wantETag {
		t.Errorf("object: %d bytes %s ETag %s (Complete said %s), want %d bytes %s ETag %s", n, sum, etag, aws.ToString(out.ETag), len(want), sha256Hex(want), wantETag)
	}
}

// TestMultipartCrashDuringComplete kill -9s the gateway as soon as a
// Complete of a 40 × 5 MiB upload has been sent. A poller HEADs and reads
// the key throughout (before, during and after the restart): it must only
// ever see nothing or the whole object. After the restart a retried
// Complete resumes the interrupted one and answers the object's ETag.
// The kill comes 0, 20 and 60 ms after the request was written (a 40-part
// Complete takes tens of milliseconds here), to land before, during and
// after the assembly.
func TestMultipartCrashDuringComplete(t *testing.T) {
	for _, delay := range []time.Duration{0, 20 * time.Millisecond, 60 * time.Millisecond} {
		t.Run(delay.String(), func(t *testing.T) { crashDuringComplete(t, delay) })
	}
}

func crashDuringComplete(t *testing.T, delay time.Duration) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	createBucketSDK(t, c, "mpu-crash")
	const key, nparts, partSize = "crashed-complete", 40, 5 << 20
	id := createIn(t, c, "mpu-crash", key)
	parts, md5s := uploadPatternParts(t, func(int) *s3.Client { return c }, "mpu-crash", key, id, 300, nparts, partSize, 4, nil)
	wantETag, wantSize := multipartETagOf(md5s), int64(nparts*partSize)
	wantTail := patternBytes(uint64(300+nparts-1), partSize)[partSize-4096:]

	var current atomic.Pointer[gateway]
	current.Store(g)
	stop := make(chan struct{})
	var polls, seen atomic.Int64
	var violations []string
	var vmu sync.Mutex
	pollDone := make(chan struct{})
	go func() {
		defer close(pollDone)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if v := pollWhole(current.Load(), key, wantSize, wantETag, wantTail); v != "" {
				if v == "present" {
					seen.Add(1)
				} else {
					vmu.Lock()
					violations = append(violations, v)
					vmu.Unlock()
				}
			}
			polls.Add(1)
			time.Sleep(2 * time.Millisecond)
		}
	}()

	var doc strings.Builder
	doc.WriteString("<CompleteMultipartUpload>")
	for _, p := range parts {
		fmt.Fprintf(&doc, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", aws.ToInt32(p.PartNumber), aws.ToString(p.ETag))
	}
	doc.WriteString("</CompleteMultipartUpload>")
	var killed atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) {
		if killed.CompareAndSwap(false, true) {
			proc := g.cmd.Process
			if delay == 0 {
				_ = proc.Signal(syscall.SIGKILL)
				return
			}
			time.AfterFunc(delay, func() { _ = proc.Signal(syscall.SIGKILL) })
		}
	}}
	ctx := httptrace.WithClientTrace(testContext(t, time.Minute), trace)
	resp, err := g.send(ctx, rawRequest{method: "POST", rawPath: "/mpu-crash/" + key, rawQuery: "uploadId=" + id, bodyBytes: []byte(doc.String())})
	firstAnswer := "connection error"
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		firstAnswer = fmt.Sprintf("%d %s", resp.StatusCode, b)
	}
	g.kill()
	t.Logf("the Complete interrupted by kill -9 answered: %s", syncbuf.Tail(firstAnswer, 300))

	g = g.restart(t)
	current.Store(g)
	c = g.sdkClient()
	time.Sleep(200 * time.Millisecond) // let the poller look at the restarted gateway
	_, headErr := c.HeadObject(testContext(t, time.Minute), &s3.HeadObjectInput{Bucket: aws.String("mpu-crash"), Key: aws.String(key)})
	// The gateway that held the Complete's claim is dead (the data dir's
	// lock proves it), so a retry has no reason to wait for its lease.
	const retryWithin = 20 * time.Second
	out, err := c.CompleteMultipartUpload(testContext(t, retryWithin), &s3.CompleteMultipartUploadInput{
		Bucket: aws.String("mpu-crash"), Key: aws.String(key), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		t.Errorf("the retried Complete after the restart did not answer within %v: the dead process's completion claim "+
			"(ClaimLease, 2 minutes, persisted by the embedded tracker) blocks it; it waits with whitespace keep-alive and then answers NoSuchUpload", retryWithin)
	case err == nil && aws.ToString(out.ETag) == wantETag:
		t.Logf("after the restart (object present before the retry: %v) the retried Complete answered the ETag", headErr == nil)
	case err == nil:
		t.Errorf("retried Complete answered ETag %s, want %s", aws.ToString(out.ETag), wantETag)
	case apiErrorCode(err) == "NoSuchUpload":
		// The interrupted Complete recorded its assembly before moving
		// anything, so the retry resumes it: the upload is never lost.
		t.Errorf("after the restart the retried Complete answered NoSuchUpload (object present: %v); it must resume the interrupted one", headErr == nil)
	default:
		t.Errorf("retried Complete after the restart: %v", err)
	}
	time.Sleep(100 * time.Millisecond)
	close(stop)
	<-pollDone
	if _, err := c.HeadObject(testContext(t, time.Minute), &s3.HeadObjectInput{Bucket: aws.String("mpu-crash"), Key: aws.String(key)}); err == nil {
		want := patternSHA256Parts(300, nparts, partSize)
		if sum, n, etag := getObjectSHA256(t, c, "mpu-crash", key); sum != want || n != wantSize || etag != wantETag {
			t.Errorf("final object: %d bytes %s ETag %s, want %d bytes %s ETag %s", n, sum, etag, wantSize, want, wantETag)
		}
	} else if apiErrorCode(err) != "NotFound" && apiErrorCode(err) != "NoSuchKey" {
		t.Errorf("final HEAD: %v", err)
	}
	vmu.Lock()
	defer vmu.Unlock()
	t.Logf("poller: %d polls, %d saw the whole object", polls.Load(), seen.Load())
	for _, v := range violations {
		t.Error("poller: " + v)
	}
}

// pollWhole HEADs key on g: "" if absent or unreachable, "present" if the
// object is whole (size, ETag, last 4 KiB), a description otherwise.
func pollWhole(g *gateway, key string, size int64, etag string, tailBytes []byte) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := g.send(ctx, rawRequest{method: "HEAD", rawPath: "/mpu-crash/" + key})
	if err != nil {
		return ""
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotFound, http.StatusServiceUnavailable:
		return ""
	case http.StatusOK:
	default:
		return fmt.Sprintf("HEAD answered %d", resp.StatusCode)
	}
	if resp.ContentLength != size || resp.Header.Get("ETag") != etag {
		return fmt.Sprintf("HEAD saw a partial object: %d bytes ETag %s (want %d, %s)", resp.ContentLength, resp.Header.Get("ETag"), size, etag)
	}
	h := http.Header{"Range": {fmt.Sprintf("bytes=%d-", size-int64(len(tailBytes)))}}
	resp, err = g.send(ctx, rawRequest{method: "GET", rawPath: "/mpu-crash/" + key, header: h})
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode == http.StatusNotFound {
		return ""
	}
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(b, tailBytes) {
		return fmt.Sprintf("GET of the last 4 KiB: %d, %d bytes, equal %v", resp.StatusCode, len(b), bytes.Equal(b, tailBytes))
	}
	return "present"
}

// patternSHA256Parts is the SHA-256 of parts of pattern bytes seeded
// seed, seed+1, ...
func patternSHA256Parts(seed uint64, n int, size int) string {
	h := sha256.New() // streamed: n × size may be gigabytes
	for i := range n {
		h.Write(patternBytes(seed+uint64(i), size))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func createIn(t testing.TB, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.CreateMultipartUpload(testContext(t, time.Minute), &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	mustNoErr(t, err, "CreateMultipartUpload %s", key)
	return aws.ToString(out.UploadId)
}

func uploadPartIn(t testing.TB, c *s3.Client, bucket, key, id string, n int32, data []byte) types.CompletedPart {
	t.Helper()
	out, err := c.UploadPart(testContext(t, 2*time.Minute), &s3.UploadPartInput{
		Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id), PartNumber: aws.Int32(n), Body: bytes.NewReader(data),
	})
	if err != nil {
		t.Errorf("UploadPart %s #%d: %v", key, n, err)
		return types.CompletedPart{}
	}
	if aws.ToString(out.ETag) != quotedMD5(data) {
		t.Errorf("UploadPart %s #%d: ETag %s, want %s", key, n, aws.ToString(out.ETag), quotedMD5(data))
	}
	return types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag}
}

// TestMultipartRedisLost restarts a redis-server without persistence in
// the middle of an upload: the upload answers NoSuchUpload everywhere, and
// the sweeper (run through the Go API with a short grace: the gateway
// sweeps every 10 minutes and waits an hour) leaves no transient data.
func TestMultipartRedisLost(t *testing.T) {
	r := startRedisServer(t, "--save", "", "--appendonly", "no")
	dataDir := newDataDir(t)
	g := startGateway(t, dataDir, "--redis-url", r.url())
	c := g.sdkClient()
	createBucketSDK(t, c, "mpu-redis")
	id := createIn(t, c, "mpu-redis", "lost")
	w := watchStore(t, g, "mpu-redis", "mpu:"+id)
	p1 := uploadPartIn(t, c, "mpu-redis", "lost", id, 1, patternBytes(400, 5<<20))
	uploadPartIn(t, c, "mpu-redis", "lost", id, 2, patternBytes(401, 5<<20))
	w.awaitGrowth(t, 10<<20)

	r.restart()
	ctx := testContext(t, time.Minute)
	_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu-redis"), Key: aws.String("lost"), UploadId: aws.String(id), PartNumber: aws.Int32(3), Body: strings.NewReader("three")})
	if apiErrorCode(err) != "NoSuchUpload" {
		// The first command on a dead pooled connection may fail once.
		_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu-redis"), Key: aws.String("lost"), UploadId: aws.String(id), PartNumber: aws.Int32(3), Body: strings.NewReader("three")})
		t.Logf("first UploadPart after the Redis restart did not answer NoSuchUpload (retried)")
	}
	expectAPIError(t, err, "NoSuchUpload", http.StatusNotFound, "UploadPart after Redis lost the upload")
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu-redis"), Key: aws.String("lost"), UploadId: aws.String(id)})
	expectAPIError(t, err, "NoSuchUpload", http.StatusNotFound, "ListParts after Redis lost the upload")
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String("mpu-redis"), Key: aws.String("lost"), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p1}},
	})
	expectAPIError(t, err, "NoSuchUpload", http.StatusNotFound, "Complete after Redis lost the upload")
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu-redis")})
	mustNoErr(t, err, "ListMultipartUploads")
	if len(ups.Uploads) != 0 {
		t.Errorf("ListMultipartUploads after Redis lost everything: %d uploads", len(ups.Uploads))
	}
	g.stop()

	// The sweeper, through the Go API, on the same store and Redis. On a
	// shared TernFS cluster the store sees the transient files of its own
	// bucket root only, never other gateways' (other tests').
	tracker, err := multipart.OpenRedis(ctx, r.url())
	mustNoErr(t, err, "open Redis tracker")
	defer tracker.Close()
	st := openGatewayStore(t, dataDir, tracker.Journal())
	layer, err := objects.New(ctx, st, st.Root(), objects.Options{})
	mustNoErr(t, err, "object layer")
	m := multipart.NewManager(st, layer, tracker, multipart.Options{OrphanGrace: time.Nanosecond})
	sw := multipart.NewSweeper(m, nil)
	for range 2 { // first sight starts the grace, the second scraps
		mustNoErr(t, sw.Sweep(ctx), "sweep")
		time.Sleep(time.Millisecond)
	}
	if ternfsRegistry() == "" {
		// The local store forgets scrapped files at once.
		var left []string
		mustNoErr(t, st.VisitTransient(ctx, func(ti store.TransientInfo) error {
			left = append(left, fmt.Sprintf("%s (%d bytes)", ti.Note, ti.Size))
			return nil
		}), "visit transient files")
		if len(left) != 0 {
			t.Errorf("transient files left after the sweeper: %v", left)
		}
	}
	w.expectReleased(t, "after Redis lost the upload and the sweeper ran", bySweep)
}

// TestMultipartRedisPersistentRestart kill -9s a redis-server with
// appendfsync always in the middle of an upload: the upload survives.
func TestMultipartRedisPersistentRestart(t *testing.T) {
	r := startRedisServer(t, "--save", "", "--appendonly", "yes", "--appendfsync", "always")
	g := startGateway(t, newDataDir(t), "--redis-url", r.url())
	c := g.sdkClient()
	createBucketSDK(t, c, "mpu-redis")
	id := createIn(t, c, "mpu-redis", "kept")
	d1, d2 := patternBytes(410, 5<<20), patternBytes(411, 3<<20)
	p1 := uploadPartIn(t, c, "mpu-redis", "kept", id, 1, d1)

	r.restart()
	ctx := testContext(t, time.Minute)
	out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu-redis"), Key: aws.String("kept"), UploadId: aws.String(id), PartNumber: aws.Int32(2), Body: bytes.NewReader(d2)})
	if err != nil {
		t.Errorf("first UploadPart after the Redis restart: %v (a client would retry)", err)
		out, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu-redis"), Key: aws.String("kept"), UploadId: aws.String(id), PartNumber: aws.Int32(2), Body: bytes.NewReader(d2)})
		mustNoErr(t, err, "retried UploadPart after the Redis restart")
	}
	p2 := types.CompletedPart{PartNumber: aws.Int32(2), ETag: out.ETag}
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu-redis"), Key: aws.String("kept"), UploadId: aws.String(id)})
	mustNoErr(t, err, "ListParts after the Redis restart")
	if len(parts.Parts) != 2 {
		t.Errorf("ListParts after the Redis restart: %d parts, want 2", len(parts.Parts))
	}
	res, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String("mpu-redis"), Key: aws.String("kept"), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p1, p2}},
	})
	mustNoErr(t, err, "Complete after the Redis restart")
	want := append(d1, d2...)
	wantETag := multipartETagOf([][]byte{md5Of(d1), md5Of(d2)})
	if sum, n, etag := getObjectSHA256(t, c, "mpu-redis", "kept"); sum != sha256Hex(want) || n != int64(len(want)) || etag != wantETag || aws.ToString(res.ETag) != wantETag {
		t.Errorf("object: %d bytes %s ETag %s, want %d bytes %s ETag %s", n, sum, etag, len(want), sha256Hex(want), wantETag)
	}
}
