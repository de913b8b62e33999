package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/terngate/terngate/bench/procstat"
	"github.com/terngate/terngate/bench/s3client"
)

// BenchmarkStreamingSignedPut measures the server CPU per GiB of large PUTs
// whose bodies are signed chunk by chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD,
// as minio-go sends them over HTTP, in 64 KiB chunks), beside the same PUTs
// with the whole payload's SHA-256 signed (aws-sdk-go-v2, which hashes the
// body first, so that both clients do the same hashing on this machine),
// alternating within each iteration. It reports both and their ratio.
//
// The server is a terngate started on the local store, or, to compare with
// another S3 server, the one at $TERNGATE_BENCH_ENDPOINT (host:port, plain
// HTTP) whose process is $TERNGATE_BENCH_PID, with the keys in
// $TERNGATE_BENCH_ACCESS_KEY and $TERNGATE_BENCH_SECRET_KEY.
// docs/performance.md, "Streaming-signed PUT", has the figures.
func BenchmarkStreamingSignedPut(b *testing.B) {
	addr, pid, access, secret := streamingBenchServer(b)
	proc, err := procstat.NewReader()
	if err != nil {
		b.Fatal(err)
	}
	const size, inFlight, perRound = 64 << 20, 4, 8
	body := patternBytes(1300, size)
	mc, err := minio.New(addr, &minio.Options{Creds: miniocreds.NewStaticV4(access, secret, ""), Region: testRegion})
	if err != nil {
		b.Fatal(err)
	}
	sdk := s3client.New("http://"+addr, testRegion, s3client.Credentials{AccessKey: access, SecretKey: secret}, inFlight)
	ctx := context.Background()
	const bucket = "streaming-put-bench"
	if err := mc.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: testRegion}); err != nil {
		if resp := minio.ToErrorResponse(err); resp.Code != "BucketAlreadyOwnedByYou" {
			b.Fatal(err)
		}
	}
	puts := map[string]func(key string) error{
		"streaming-signed": func(key string) error {
			_, err := mc.PutObject(ctx, bucket, key, bytes.NewReader(body), size, minio.PutObjectOptions{DisableMultipart: true})
			return err
		},
		"signed-payload": func(key string) error {
			_, err := sdk.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body), ContentLength: aws.Int64(size)})
			return err
		},
	}
	cpu := map[string]time.Duration{}
	measure := func(name string) {
		before, err := serverCPU(proc, pid)
		if err != nil {
			b.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, perRound)
		sem := make(chan struct{}, inFlight)
		for i := range perRound {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if err := puts[name](fmt.Sprintf("%s-%d", name, i%inFlight)); err != nil {
					errs <- fmt.Errorf("%s PUT: %w", name, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		after, err := serverCPU(proc, pid)
		if err != nil {
			b.Fatal(err)
		}
		cpu[name] += after - before
	}
	rounds := 0
	for b.Loop() {
		// Alternate which goes first: the machine's load drifts.
		if rounds%2 == 0 {
			measure("streaming-signed")
			measure("signed-payload")
		} else {
			measure("signed-payload")
			measure("streaming-signed")
		}
		rounds++
	}
	gib := float64(size) * perRound * float64(rounds) / (1 << 30)
	streaming, signed := cpu["streaming-signed"].Seconds()/gib, cpu["signed-payload"].Seconds()/gib
	b.ReportMetric(streaming, "server-CPU-s/GiB-streaming-signed")
	b.ReportMetric(signed, "server-CPU-s/GiB-signed-payload")
	b.ReportMetric(streaming/signed, "ratio-streaming/signed")
}

// streamingBenchServer is the server BenchmarkStreamingSignedPut measures:
// $TERNGATE_BENCH_ENDPOINT's, or a terngate started here.
func streamingBenchServer(b *testing.B) (addr string, pid int, access, secret string) {
	if addr := os.Getenv("TERNGATE_BENCH_ENDPOINT"); addr != "" {
		pid, err := strconv.Atoi(os.Getenv("TERNGATE_BENCH_PID"))
		if err != nil {
			b.Fatalf("TERNGATE_BENCH_ENDPOINT needs TERNGATE_BENCH_PID, the server's process: %v", err)
		}
		return addr, pid, os.Getenv("TERNGATE_BENCH_ACCESS_KEY"), os.Getenv("TERNGATE_BENCH_SECRET_KEY")
	}
	g := startGateway(b, newDataDir(b))
	return g.addr, g.pid(), g.accessKey, g.secretKey
}

// serverCPU is the user and system time the process has used.
func serverCPU(proc *procstat.Reader, pid int) (time.Duration, error) {
	user, system, err := proc.CPU(pid)
	return user + system, err
}
