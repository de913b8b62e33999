package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestLogShutdownWritesEveryAccessLine: the gateway batches its log lines
// in memory; a gracefully stopped (SIGTERM) gateway must still have
// written the access line of every request it answered, each whole. With
// an interval of an hour only the 32 KiB size limit and the shutdown can
// write them, and 400 lines from concurrent clients need both.
func TestLogShutdownWritesEveryAccessLine(t *testing.T) {
	g := startGateway(t, newDataDir(t), "--log-format", "json", "--log-flush-interval", "1h")
	ctx := testContext(t, 2*time.Minute)
	c := g.sdkClient()
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logs")})
	mustNoErr(t, err, "CreateBucket")

	const clients, each = 4, 100
	var wg sync.WaitGroup
	for cl := range clients {
		wg.Go(func() {
			for i := range each {
				key := fmt.Sprintf("k-%d-%03d", cl, i)
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logs"), Key: aws.String(key), Body: strings.NewReader(key)})
				if err != nil {
					t.Errorf("PutObject %s: %v", key, err)
					return
				}
			}
		})
	}
	wg.Wait()
	g.stop()

	puts := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(g.stderr.String()))
	for sc.Scan() {
		var line struct {
			Msg       string `json:"msg"`
			Operation string `json:"operation"`
			Key       string `json:"key"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("a log line is not whole JSON (split or interleaved): %q", sc.Text())
		}
		if line.Msg == "request" && line.Operation == "PutObject" {
			puts[line.Key]++
		}
	}
	mustNoErr(t, sc.Err(), "read the log")
	for cl := range clients {
		for i := range each {
			if key := fmt.Sprintf("k-%d-%03d", cl, i); puts[key] != 1 {
				t.Errorf("%d access lines for PutObject %s, want 1", puts[key], key)
			}
		}
	}
	if len(puts) != clients*each {
		t.Errorf("access lines for %d keys, want %d", len(puts), clients*each)
	}
}
