package e2e

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestLogRecordsDroppedMetric runs the gateway with stderr on /dev/full,
// where every write fails (ENOSPC): it keeps serving, and the access lines
// it cannot write are counted in terngate_log_records_dropped_total
// instead of vanishing unseen.
func TestLogRecordsDroppedMetric(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	mustNoErr(t, err, "open /dev/full")
	t.Cleanup(func() { full.Close() })
	g := startGatewayWithStderr(t, full)
	admin := "http://" + g.adminAddr
	const metric = "terngate_log_records_dropped_total"

	// The start-up lines are lost already, once their flush interval has
	// passed.
	var before float64
	for deadline := time.Now().Add(logWait); ; time.Sleep(20 * time.Millisecond) {
		if before = scrapeMetrics(t, admin)[metric]; before > 0 || time.Now().After(deadline) {
			break
		}
	}
	if before == 0 {
		t.Fatalf("%s = 0 with every log write failing", metric)
	}

	ctx := testContext(t, time.Minute)
	c := g.sdkClient()
	const requests = 5
	for i := range requests {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(fmt.Sprintf("dropped-%d", i))})
		mustNoErr(t, err, "CreateBucket %d", i)
	}
	var after float64
	for deadline := time.Now().Add(logWait); ; time.Sleep(20 * time.Millisecond) {
		if after = scrapeMetrics(t, admin)[metric]; after >= before+requests || time.Now().After(deadline) {
			break
		}
	}
	if after < before+requests {
		t.Fatalf("%s went from %v to %v over %d requests whose access lines could not be written", metric, before, after, requests)
	}
}

// TestLogPipeClosedKeepsServing runs the gateway with stderr on a pipe
// whose reader has gone (a log collector that stopped, `terngate | tee`
// with tee killed). A Go program dies of SIGPIPE on its first write to
// such a stderr unless it ignores the signal; the gateway must keep
// serving instead and count the lines it cannot write.
func TestLogPipeClosedKeepsServing(t *testing.T) {
	r, w, err := os.Pipe()
	mustNoErr(t, err, "pipe")
	r.Close()
	t.Cleanup(func() { w.Close() })
	g := startGatewayWithStderr(t, w)
	admin := "http://" + g.adminAddr
	const metric = "terngate_log_records_dropped_total"

	ctx := testContext(t, time.Minute)
	c := g.sdkClient()
	for i := range 5 {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(fmt.Sprintf("piped-%d", i))})
		mustNoErr(t, err, "CreateBucket %d", i)
		// The access lines are flushed within logWait; a gateway killed by
		// the write would fail the next request.
		time.Sleep(logWait / 5)
	}
	if g.hasExited() {
		t.Fatalf("terngate exited with its stderr on a closed pipe: %v", g.exitErr)
	}
	var dropped float64
	for deadline := time.Now().Add(logWait); ; time.Sleep(20 * time.Millisecond) {
		if dropped = scrapeMetrics(t, admin)[metric]; dropped >= 5 || time.Now().After(deadline) {
			break
		}
	}
	if dropped < 5 {
		t.Fatalf("%s = %v after 5 requests whose access lines went to a closed pipe", metric, dropped)
	}
}

// startGatewayWithStderr is startGateway with the gateway's stderr on f
// instead of the harness's buffer.
func startGatewayWithStderr(t *testing.T, f *os.File) *gateway {
	t.Helper()
	dataDir := newDataDir(t)
	addr := freeAddr(t)
	g := launch(t, launchSpec{
		args:   []string{"--listen", addr, "--data-dir", dataDir, "--access-key", testAccessKey, "--secret-key", testSecretKey},
		addr:   addr,
		stderr: f,
	})
	g.dataDir, g.accessKey, g.secretKey = dataDir, testAccessKey, testSecretKey
	return g
}
