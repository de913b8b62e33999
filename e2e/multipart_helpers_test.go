package e2e

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/redis/go-redis/v9"
)

// redisServer is a real redis-server on a free port in a temp dir, killed
// at the end of the test. It can be killed and started again on the same
// port and dir (with the same flags) to simulate a Redis restart.
type redisServer struct {
	t     testing.TB
	addr  string
	dir   string
	flags []string
	cmd   *exec.Cmd
	done  chan struct{}
}

// startRedisServer runs redis-server with extra flags (e.g. --save "" or
// --appendonly yes) and waits until it answers PING.
func startRedisServer(t testing.TB, flags ...string) *redisServer {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is needed on PATH: apt-get install redis-server (%v)", err)
	}
	_ = path
	r := &redisServer{t: t, addr: freeAddr(t), dir: t.TempDir(), flags: flags}
	r.start()
	t.Cleanup(func() { r.kill() })
	return r
}

func (r *redisServer) url() string { return "redis://" + r.addr + "/0" }

func (r *redisServer) start() {
	r.t.Helper()
	_, port, _ := net.SplitHostPort(r.addr)
	args := append([]string{"--port", port, "--bind", "127.0.0.1", "--dir", r.dir, "--protected-mode", "no"}, r.flags...)
	r.cmd = exec.Command("redis-server", args...)
	log, err := os.Create(filepath.Join(r.dir, fmt.Sprintf("redis-%d.log", time.Now().UnixNano())))
	mustNoErr(r.t, err, "redis log file")
	r.cmd.Stdout, r.cmd.Stderr = log, log
	mustNoErr(r.t, r.cmd.Start(), "start redis-server")
	r.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); log.Close(); close(done) }(r.cmd, r.done)
	rdb := redis.NewClient(&redis.Options{Addr: r.addr})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if rdb.Ping(context.Background()).Err() == nil {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server on %s did not answer PING within 10s", r.addr)
		}
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (r *redisServer) kill() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.done
}

// restart is kill -9 then start on the same port and dir.
func (r *redisServer) restart() {
	r.t.Helper()
	r.kill()
	r.start()
}

// fileDigest is what the tests need to know about a generated file.
type fileDigest struct {
	path     string
	size     int64
	sha256   string
	md5      []byte
	partMD5s [][]byte // md5 of each partSize chunk
	crc32    uint32
}

// writePatternFile writes size pattern bytes of seed to dir/name, hashing
// them on the way (part MD5s over partSize chunks).
func writePatternFile(t testing.TB, dir, name string, seed uint64, size, partSize int64) fileDigest {
	t.Helper()
	d := fileDigest{path: filepath.Join(dir, name), size: size}
	f, err := os.Create(d.path)
	mustNoErr(t, err, "create %s", d.path)
	defer f.Close()
	whole, sha, crc := md5.New(), sha256.New(), crc32.NewIEEE()
	src := newPatternReader(seed, size)
	for left := size; left > 0 || (size == 0 && len(d.partMD5s) == 0); {
		n := min(left, partSize)
		part := md5.New()
		if _, err := io.CopyN(io.MultiWriter(f, whole, sha, crc, part), src, n); err != nil {
			t.Fatalf("write %s: %v", d.path, err)
		}
		d.partMD5s = append(d.partMD5s, part.Sum(nil))
		left -= n
		if size == 0 {
			break
		}
	}
	mustNoErr(t, f.Close(), "close %s", d.path)
	d.md5, d.sha256, d.crc32 = whole.Sum(nil), hex.EncodeToString(sha.Sum(nil)), crc.Sum32()
	return d
}

// multipartETagOf is the quoted ETag S3 gives an upload of these part MD5s.
func multipartETagOf(partMD5s [][]byte) string {
	h := md5.New()
	for _, p := range partMD5s {
		h.Write(p)
	}
	return fmt.Sprintf("\"%x-%d\"", h.Sum(nil), len(partMD5s))
}

// md5Of returns the raw MD5 of b.
func md5Of(b []byte) []byte { s := md5.Sum(b); return s[:] }

// fileSHA256 hashes a file on disk.
func fileSHA256(t testing.TB, path string) (string, int64) {
	t.Helper()
	f, err := os.Open(path)
	mustNoErr(t, err, "open %s", path)
	defer f.Close()
	return readerSHA256(t, f)
}

// expectAPIError checks an SDK error has the S3 code (and status if > 0).
func expectAPIError(t testing.TB, err error, code string, status int, what string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: succeeded, want %s", what, code)
		return
	}
	if got := apiErrorCode(err); got != code {
		t.Errorf("%s: %v (code %q), want %s", what, err, got, code)
		return
	}
	if status > 0 {
		var re interface{ HTTPStatusCode() int }
		if !errors.As(err, &re) || re.HTTPStatusCode() != status {
			t.Errorf("%s: %v, want HTTP %d", what, err, status)
		}
	}
}

// createBucketSDK creates a bucket through the SDK.
func createBucketSDK(t testing.TB, c *s3.Client, bucket string) {
	t.Helper()
	_, err := c.CreateBucket(testContext(t, time.Minute), &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	mustNoErr(t, err, "create bucket %s", bucket)
}

// getObjectSHA256 reads bucket/key through the SDK and returns its SHA-256,
// length and ETag.
func getObjectSHA256(t testing.TB, c *s3.Client, bucket, key string) (string, int64, string) {
	t.Helper()
	out, err := c.GetObject(testContext(t, 5*time.Minute), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	mustNoErr(t, err, "GET %s/%s", bucket, key)
	defer out.Body.Close()
	sum, n := readerSHA256(t, out.Body)
	return sum, n, aws.ToString(out.ETag)
}

// uploadPatternParts uploads parts 1..n of upload id, part i+1 holding
// patternBytes(seed+i, size), at most inFlight at a time, part i through
// clientFor(i). before(i), if not nil, runs first in part i's goroutine. It
// returns the parts for Complete and their MD5s.
func uploadPatternParts(t *testing.T, clientFor func(i int) *s3.Client, bucket, key, id string, seed uint64, n, size, inFlight int, before func(i int)) ([]types.CompletedPart, [][]byte) {
	t.Helper()
	parts := make([]types.CompletedPart, n)
	md5s := make([][]byte, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, inFlight)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if before != nil {
				before(i)
			}
			data := patternBytes(seed+uint64(i), size)
			md5s[i] = md5Of(data)
			parts[i] = uploadPartIn(t, clientFor(i), bucket, key, id, int32(i+1), data)
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return parts, md5s
}
