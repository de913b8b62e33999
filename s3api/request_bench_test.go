package s3api

import (
	"bytes"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/terngate/terngate/metrics"
)

// These benchmarks measure the gateway's cost per small request: the real
// fiber app on the local store, over a loopback socket, driven by net/http
// with one keep-alive connection. Each request is signed once (SigV4 with
// the body's SHA-256, as `terngate bench` sends them) and replayed, so the
// client adds as little as it can; ns/op and allocs/op still include the
// client's share, which the changes measured here leave alone.

const benchSmallSize = 4 << 10

// benchRequest is a signed request replayed on every iteration.
type benchRequest struct {
	method, url string
	header      http.Header
	body        []byte
}

func newBenchRequest(b *testing.B, g *gateway, method, path string, body []byte) benchRequest {
	req := g.signedRequest(b, method, path, body, testSecretKey)
	return benchRequest{method: method, url: req.URL.String(), header: req.Header, body: body}
}

func (br benchRequest) do(b *testing.B, client *http.Client, wantStatus int) {
	req, err := http.NewRequest(br.method, br.url, bytes.NewReader(br.body))
	if err != nil {
		b.Fatal(err)
	}
	maps.Copy(req.Header, br.header)
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != wantStatus {
		b.Fatalf("%s %s: status %d, want %d", br.method, br.url, resp.StatusCode, wantStatus)
	}
}

func benchGateway(b *testing.B) (*gateway, *http.Client, []byte) {
	// As the gateway runs: metrics recorded, an access line per request.
	g := startGateway(b, Config{
		Metrics: metrics.New(),
		Logger:  slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	g.mustCreateBucket(b, "bench")
	body := bytes.Repeat([]byte("terngate"), benchSmallSize/8)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	b.Cleanup(client.CloseIdleConnections)
	put := newBenchRequest(b, g, http.MethodPut, "/bench/object", body)
	put.do(b, client, http.StatusOK)
	return g, client, body
}

// processCPU is the CPU time (user and system) the test process has used:
// client and server share it, and unlike ns/op it does not grow with the
// time the benchmark waits for a CPU on a busy machine.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the process CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((processCPU(b)-start).Microseconds())/float64(b.N), "cpu-µs/op")
}

func BenchmarkSmallRequest(b *testing.B) {
	g, client, body := benchGateway(b)
	cases := []struct {
		name   string
		req    benchRequest
		status int
	}{
		{"GET", newBenchRequest(b, g, http.MethodGet, "/bench/object", nil), http.StatusOK},
		{"HEAD", newBenchRequest(b, g, http.MethodHead, "/bench/object", nil), http.StatusOK},
		{"PUT", newBenchRequest(b, g, http.MethodPut, "/bench/object", body), http.StatusOK},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			start := processCPU(b)
			for b.Loop() {
				c.req.do(b, client, c.status)
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkLargePut compares a 64 MiB PUT whose body's SHA-256 is signed
// in x-amz-content-sha256 with the same PUT sent as a SigV4 streaming
// body (STREAMING-AWS4-HMAC-SHA256-PAYLOAD, 64 KiB chunks as minio-go and
// restic send): the difference is what the aws-chunked path costs.
func BenchmarkLargePut(b *testing.B) {
	const size = 64 << 20
	g := startGateway(b, Config{})
	g.mustCreateBucket(b, "bench")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	b.Cleanup(client.CloseIdleConnections)
	data := bytes.Repeat([]byte("terngate"), size/8)

	b.Run("sha256", func(b *testing.B) {
		put := newBenchRequest(b, g, http.MethodPut, "/bench/large", data)
		b.SetBytes(size)
		start := processCPU(b)
		for b.Loop() {
			put.do(b, client, http.StatusOK)
		}
		reportCPU(b, start)
	})
	b.Run("streaming-signed", func(b *testing.B) {
		req := g.streamingRequest(b, "/bench/large", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", size, testSecretKey, nil)
		body := newChunkSigner(b, req, testSecretKey).signedChunks(data, 64<<10, -1)
		put := benchRequest{method: http.MethodPut, url: req.URL.String(), header: req.Header, body: body}
		b.SetBytes(size)
		start := processCPU(b)
		for b.Loop() {
			put.do(b, client, http.StatusOK)
		}
		reportCPU(b, start)
	})
}
