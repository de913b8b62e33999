package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptrace"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Replicas need a store they all share: only a TernFS cluster is one (the
// local store belongs to one process by design, its data dir is locked).

// startReplicasAt starts n gateways on one TernFS bucket root and one
// Redis, and returns them with the root.
func startReplicasAt(t *testing.T, n int) ([]*gateway, *redisServer, string) {
	t.Helper()
	registry := os.Getenv("TERNFS_REGISTRY")
	if registry == "" {
		t.Skip("TERNFS_REGISTRY not set (host:port): gateway replicas need a store they share, a TernFS cluster; " +
			"e.g. TERNFS_REGISTRY=127.0.0.1:10001 go test ./e2e -run Replica")
	}
	redis := startRedisServer(t)
	root := fmt.Sprintf("/terngate-e2e/replicas-%d", time.Now().UnixNano())
	gws := make([]*gateway, n)
	for i := range gws {
		gws[i] = startGateway(t, newDataDir(t), "--store", "ternfs", "--ternfs-registry", registry,
			"--ternfs-root", root, "--redis-url", redis.url())
	}
	return gws, redis, root
}

// TestReplicasShareOneUpload spreads the parts of one upload over three
// gateways sharing one Redis and one TernFS root, completes it on each in
// turn (three uploads), and reads the objects back byte-identical from
// every replica; ListMultipartUploads and ListParts answer the same
// everywhere.
func TestReplicasShareOneUpload(t *testing.T) {
	gws, _, root := startReplicasAt(t, 3)
	clients := make([]*s3.Client, len(gws))
	for i, g := range gws {
		clients[i] = g.sdkClient()
	}
	ctx := testContext(t, 10*time.Minute)
	const bucket = "replicas"
	createBucketSDK(t, clients[0], bucket)

	const nparts, partSize = 9, 5 << 20
	tail := patternBytes(999, 300) // a last part under 256 B: added inline
	for completer := range gws {
		key := fmt.Sprintf("dir/object-%d", completer)
		id := createIn(t, clients[(completer+1)%3], bucket, key)
		parts := make([]types.CompletedPart, nparts+1)
		md5s := make([][]byte, nparts+1)
		var want bytes.Buffer
		bodies := make([][]byte, nparts+1)
		for i := range nparts {
			bodies[i] = patternBytes(uint64(100*completer+i), partSize)
		}
		bodies[nparts] = tail
		var wg sync.WaitGroup
		for i, body := range bodies {
			wg.Add(1)
			go func() { // part i goes to replica i mod 3
				defer wg.Done()
				md5s[i] = md5Of(body)
				parts[i] = uploadPartIn(t, clients[i%3], bucket, key, id, int32(i+1), body)
			}()
			want.Write(body)
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		checkSameUploadViews(t, ctx, clients, bucket, key, id, nparts+1)

		out, err := clients[completer].CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
		mustNoErr(t, err, "Complete on replica %d", completer)
		wantETag := multipartETagOf(md5s)
		if got := aws.ToString(out.ETag); got != wantETag {
			t.Errorf("Complete on replica %d: ETag %s, want %s", completer, got, wantETag)
		}
		for i, c := range clients {
			sum, n, etag := getObjectSHA256(t, c, bucket, key)
			if sum != sha256Hex(want.Bytes()) || n != int64(want.Len()) || etag != wantETag {
				t.Errorf("GET of %s from replica %d: %d bytes %s ETag %s, want %d bytes %s ETag %s",
					key, i, n, sum, etag, want.Len(), sha256Hex(want.Bytes()), wantETag)
			}
		}
		if sum, n := terncliOutOf(t, root+"/"+bucket+"/"+key); sum != sha256Hex(want.Bytes()) || n != int64(want.Len()) {
			t.Errorf("terncli cp-outof %s: %d bytes %s, want %d bytes %s", key, n, sum, want.Len(), sha256Hex(want.Bytes()))
		}
		// Every replica's retried Complete answers the recorded result.
		for i, c := range clients {
			again, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
				Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
				MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
			})
			if err != nil || aws.ToString(again.ETag) != wantETag {
				t.Errorf("retried Complete on replica %d: %v, ETag %s", i, err, aws.ToString(again.ETag))
			}
		}
	}
}

// checkSameUploadViews asks every replica for the bucket's uploads and
// the upload's parts: all must agree and show the upload with its parts.
func checkSameUploadViews(t *testing.T, ctx context.Context, clients []*s3.Client, bucket, key, id string, nparts int) {
	t.Helper()
	var firstUploads, firstParts string
	for i, c := range clients {
		ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
		mustNoErr(t, err, "ListMultipartUploads on replica %d", i)
		var u strings.Builder
		found := false
		for _, up := range ups.Uploads {
			fmt.Fprintf(&u, "%s %s %s\n", aws.ToString(up.Key), aws.ToString(up.UploadId), aws.ToTime(up.Initiated).UTC())
			found = found || (aws.ToString(up.Key) == key && aws.ToString(up.UploadId) == id)
		}
		if !found {
			t.Errorf("replica %d does not list upload %s of %s:\n%s", i, id, key, u.String())
		}
		lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id)})
		mustNoErr(t, err, "ListParts on replica %d", i)
		var p strings.Builder
		for _, part := range lp.Parts {
			fmt.Fprintf(&p, "%d %s %d\n", aws.ToInt32(part.PartNumber), aws.ToString(part.ETag), aws.ToInt64(part.Size))
		}
		if len(lp.Parts) != nparts {
			t.Errorf("replica %d lists %d parts, want %d", i, len(lp.Parts), nparts)
		}
		if i == 0 {
			firstUploads, firstParts = u.String(), p.String()
			continue
		}
		if u.String() != firstUploads {
			t.Errorf("ListMultipartUploads differs between replica 0 and %d:\n%s---\n%s", i, firstUploads, u.String())
		}
		if p.String() != firstParts {
			t.Errorf("ListParts differs between replica 0 and %d:\n%s---\n%s", i, firstParts, p.String())
		}
	}
}

// TestReplicaKilledMidComplete kill -9s the replica running a Complete of
// a 40-part upload at several moments and retries the Complete on another
// replica: the retry resumes the assembly where it stopped (once the dead
// replica's claim lease has run out) and the object is whole, read back
// byte-identical from both the survivor and a third replica. A poller
// watches the key throughout: nothing or the whole object, never a part.
func TestReplicaKilledMidComplete(t *testing.T) {
	gws, _, root := startReplicasAt(t, 3)
	for i, delay := range []time.Duration{15 * time.Millisecond, 60 * time.Millisecond} {
		t.Run(delay.String(), func(t *testing.T) {
			killedMidComplete(t, gws[i], gws[2], root, delay, fmt.Sprintf("killed-%d", i))
		})
	}
	// The survivor logs each Complete it took over with parts already
	// moved: at least one kill must have landed there, or the test proved
	// nothing about resuming.
	const resumeLine = "resuming an interrupted Complete"
	log := gws[2].logWhen(func(log string) bool { return strings.Contains(log, resumeLine) })
	if n := strings.Count(log, resumeLine); n == 0 {
		t.Error("no kill landed mid-assembly (the survivor resumed nothing): adjust the delays")
	} else {
		t.Logf("the survivor resumed %d interrupted Completes", n)
	}
}

func killedMidComplete(t *testing.T, victim, survivor *gateway, root string, delay time.Duration, key string) {
	c := survivor.sdkClient()
	ctx := testContext(t, 10*time.Minute)
	const bucket, nparts, partSize = "replica-crash", 40, 5 << 20
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		createBucketSDK(t, c, bucket)
	}
	id := createIn(t, c, bucket, key)
	vc := victim.sdkClient()
	clientFor := func(i int) *s3.Client { // the parts spread over both
		if i%2 == 0 {
			return vc
		}
		return c
	}
	parts, md5s := uploadPatternParts(t, clientFor, bucket, key, id, 700, nparts, partSize, 4, nil)
	wantETag, wantSize := multipartETagOf(md5s), int64(nparts*partSize)

	stop := make(chan struct{})
	var violations atomic.Value
	pollDone := make(chan struct{})
	go func() {
		defer close(pollDone)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if v := pollWhole(survivor, key, wantSize, wantETag, patternBytes(uint64(700+nparts-1), partSize)[partSize-4096:]); v != "" && v != "present" {
				violations.Store(v)
			}
		}
	}()

	var doc strings.Builder
	doc.WriteString("<CompleteMultipartUpload>")
	for _, p := range parts {
		fmt.Fprintf(&doc, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", aws.ToInt32(p.PartNumber), aws.ToString(p.ETag))
	}
	doc.WriteString("</CompleteMultipartUpload>")
	var once sync.Once
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) {
		once.Do(func() { time.AfterFunc(delay, func() { _ = victim.cmd.Process.Signal(syscall.SIGKILL) }) })
	}}
	resp, err := victim.send(httptrace.WithClientTrace(testContext(t, time.Minute), trace),
		rawRequest{method: "POST", rawPath: "/" + bucket + "/" + key, rawQuery: "uploadId=" + id, bodyBytes: []byte(doc.String())})
	first := "connection error"
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		first = fmt.Sprintf("%d %s", resp.StatusCode, b)
	}
	<-victim.exited
	t.Logf("the Complete on the killed replica answered: %.200s", first)

	// The survivor waits out the dead replica's claim (2 minutes at most,
	// answering with whitespace meanwhile) and resumes.
	started := time.Now()
	out, err := c.CompleteMultipartUpload(testContext(t, 5*time.Minute), &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	mustNoErr(t, err, "Complete retried on the survivor")
	t.Logf("the survivor's Complete answered after %v", time.Since(started).Round(time.Second))
	if aws.ToString(out.ETag) != wantETag {
		t.Errorf("survivor's Complete: ETag %s, want %s", aws.ToString(out.ETag), wantETag)
	}
	close(stop)
	<-pollDone
	if v, _ := violations.Load().(string); v != "" {
		t.Errorf("poller saw: %s", v)
	}
	checkBothWays(t, c, root, bucket, key, patternSHA256Parts(700, nparts, partSize), wantSize, wantETag)
}
