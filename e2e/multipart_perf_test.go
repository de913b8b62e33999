package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawMultipart uploads data as a multipart upload of partSize parts with
// conc parts in flight, through raw UNSIGNED-PAYLOAD requests, and returns
// the Complete's answer.
func rawMultipart(t testing.TB, g *gateway, bucket, key string, data []byte, partSize, conc int) string {
	t.Helper()
	ctx := testContext(t, 5*time.Minute)
	resp := g.do(t, ctx, rawRequest{method: "POST", rawPath: "/" + bucket + "/" + key, rawQuery: "uploads"})
	m := regexp.MustCompile(`<UploadId>([^<]+)</UploadId>`).FindSubmatch(resp.body)
	if resp.status != http.StatusOK || m == nil {
		t.Fatalf("create %s: %d %s", key, resp.status, resp.body)
	}
	id := string(m[1])
	nparts := (len(data) + partSize - 1) / partSize
	etags := make([]string, nparts)
	var wg sync.WaitGroup
	sem := make(chan struct{}, conc)
	var mu sync.Mutex
	var failed error
	for i := range nparts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			part := data[i*partSize : min(len(data), (i+1)*partSize)]
			r, err := g.send(ctx, rawRequest{method: "PUT", rawPath: "/" + bucket + "/" + key,
				rawQuery: fmt.Sprintf("partNumber=%d&uploadId=%s", i+1, id), body: bytes.NewReader(part),
				contentLength: int64(len(part)), payloadHash: unsignedPayload})
			if err == nil {
				io.Copy(io.Discard, r.Body)
				r.Body.Close()
				if r.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d", r.StatusCode)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil && failed == nil {
				failed = fmt.Errorf("part %d: %w", i+1, err)
			}
			if err == nil {
				etags[i] = r.Header.Get("ETag")
			}
		}()
	}
	wg.Wait()
	mustNoErr(t, failed, "upload parts of %s", key)
	var doc strings.Builder
	doc.WriteString("<CompleteMultipartUpload>")
	for i, e := range etags {
		fmt.Fprintf(&doc, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i+1, e)
	}
	doc.WriteString("</CompleteMultipartUpload>")
	resp = g.do(t, ctx, rawRequest{method: "POST", rawPath: "/" + bucket + "/" + key, rawQuery: "uploadId=" + id, bodyBytes: []byte(doc.String())})
	if resp.status != http.StatusOK || !bytes.Contains(resp.body, []byte("<ETag>")) {
		t.Fatalf("complete %s: %d %s", key, resp.status, resp.body)
	}
	return string(resp.body)
}

func rawPut(t testing.TB, g *gateway, bucket, key string, data []byte) {
	t.Helper()
	r, err := g.send(testContext(t, 5*time.Minute), rawRequest{method: "PUT", rawPath: "/" + bucket + "/" + key,
		body: bytes.NewReader(data), contentLength: int64(len(data)), payloadHash: unsignedPayload})
	mustNoErr(t, err, "PUT %s", key)
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("PUT %s: %d", key, r.StatusCode)
	}
}

// vmHWM reads the peak resident set size of pid, in bytes.
func vmHWM(t testing.TB, pid int) int64 {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	mustNoErr(t, err, "read /proc/%d/status", pid)
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		t.Fatalf("no VmHWM in /proc/%d/status", pid)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

// TestMultipartGatewayPeakRSS runs 16 multipart uploads at once (4 parts of
// 8 MiB each, all 64 parts in flight together) and checks the gateway's
// peak RSS (VmHWM) stays within 256 MiB: parts must stream to disk. On
// TernFS, where span buffers come out of --ternfs-buffer-memory (kept
// resident while idle, within the budget), the budget is set to 192 MiB:
// the process's memory is the budget plus what the Go heap needs.
func TestMultipartGatewayPeakRSS(t *testing.T) {
	var args []string
	if ternfsRegistry() != "" {
		args = []string{"--ternfs-buffer-memory", "201326592"}
	}
	g := startGateway(t, newDataDir(t), args...)
	expectStatus(t, g.do(t, testContext(t, time.Minute), rawRequest{method: "PUT", rawPath: "/mpu-rss"}), http.StatusOK, "create bucket")
	baseline := vmHWM(t, g.cmd.Process.Pid)
	data := patternBytes(1000, 32<<20)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rawMultipart(t, g, "mpu-rss", fmt.Sprintf("obj-%d", i), data, 8<<20, 4)
		}()
	}
	wg.Wait()
	peak := vmHWM(t, g.cmd.Process.Pid)
	t.Logf("gateway VmHWM: %d MiB at start, %d MiB after 16 concurrent multipart uploads (512 MiB in 64 parts in flight)", baseline>>20, peak>>20)
	if peak > 256<<20 {
		t.Errorf("gateway peak RSS %d MiB during 16 concurrent multipart uploads, goal ≤ 256 MiB", peak>>20)
	}
}

// BenchmarkMultipartVsPut compares one 256 MiB object sent as a single PUT
// with the same object as a multipart upload of 10 parts in flight at once,
// on the embedded local store through the real binary, and reports both
// rates and their ratio (goal: multipart/PUT ≥ 1.0).
func BenchmarkMultipartVsPut(b *testing.B) {
	g := startGateway(b, newDataDir(b))
	if r := g.do(b, testContext(b, time.Minute), rawRequest{method: "PUT", rawPath: "/mpu-bench"}); r.status != http.StatusOK {
		b.Fatalf("create bucket: %d", r.status)
	}
	const size = 256 << 20
	data := patternBytes(1100, size)
	var putTime, mpuTime time.Duration
	for b.Loop() {
		start := time.Now()
		rawPut(b, g, "mpu-bench", "single", data)
		putTime += time.Since(start)
		start = time.Now()
		rawMultipart(b, g, "mpu-bench", "multi", data, size/10+1, 10)
		mpuTime += time.Since(start)
	}
	mb := float64(size) / (1 << 20) * float64(b.N)
	b.ReportMetric(mb/putTime.Seconds(), "MiB/s-single-PUT")
	b.ReportMetric(mb/mpuTime.Seconds(), "MiB/s-multipart-10")
	b.ReportMetric(putTime.Seconds()/mpuTime.Seconds(), "ratio-multipart/PUT")
}
