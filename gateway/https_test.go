package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startProgram runs the terngate program with args until the test ends and
// waits until it accepts connections.
func startProgram(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		// No admin listener: its default port would be shared by tests.
		done <- run(ctx, append([]string{"--log-level", "error", "--admin-listen", ""}, args...), func(string) string { return "" }, io.Discard, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("terngate: %v", err)
		}
	})
	addr := args[indexOf(args, "--listen")+1]
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatal("terngate did not start")
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func writeUsers(t *testing.T, path string, users ...[3]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("users:\n")
	for _, u := range users {
		fmt.Fprintf(&b, "  - name: %s\n    access_key: %s\n    secret_key: %s\n", u[0], u[1], u[2])
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func httpsClient(t *testing.T, caFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("the generated certificate is not usable as a CA bundle")
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func sdkClient(endpoint string, hc *http.Client, ak, sk string) *s3.Client {
	return s3.New(s3.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider(ak, sk, ""),
		HTTPClient:       hc,
		RetryMaxAttempts: 1,
	})
}

// The program over HTTPS with its self-signed certificate, a users file
// that is re-read while it runs, aws-sdk-go-v2's default trailing
// checksums (STREAMING-UNSIGNED-PAYLOAD-TRAILER) with every algorithm, and
// presigned URLs.
func TestHTTPSUsersChecksumsAndPresignedURLs(t *testing.T) {
	dir := t.TempDir()
	usersFile := filepath.Join(dir, "users.yaml")
	writeUsers(t, usersFile, [3]string{"alice", "AKIDALICE", "alice-secret-123"})
	addr := freeAddr(t)
	dataDir := filepath.Join(dir, "data")
	startProgram(t, "--listen", addr, "--data-dir", dataDir, "--tls-self-signed", "--users-file", usersFile)

	caFile := filepath.Join(dataDir, "tls", "cert.pem")
	hc := httpsClient(t, caFile)
	endpoint := "https://" + addr
	ctx := context.Background()
	alice := sdkClient(endpoint, hc, "AKIDALICE", "alice-secret-123")
	if _, err := alice.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("secure")}); err != nil {
		t.Fatalf("CreateBucket over HTTPS: %v", err)
	}

	for _, alg := range []s3types.ChecksumAlgorithm{"", s3types.ChecksumAlgorithmCrc32, s3types.ChecksumAlgorithmCrc32c, s3types.ChecksumAlgorithmCrc64nvme, s3types.ChecksumAlgorithmSha1, s3types.ChecksumAlgorithmSha256} {
		key := "obj-" + string(alg)
		data := bytes.Repeat([]byte("terngate "+key+"\n"), 20000)
		// An unseekable body makes the SDK stream it as aws-chunked with
		// the checksum in the trailer.
		out, err := alice.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("secure"), Key: aws.String(key),
			Body: io.MultiReader(bytes.NewReader(data)), ContentLength: aws.Int64(int64(len(data))),
			ChecksumAlgorithm: alg,
		})
		if err != nil {
			t.Fatalf("PutObject %q: %v", alg, err)
		}
		got, err := alice.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("secure"), Key: aws.String(key), ChecksumMode: s3types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(got.Body) // the SDK validates the returned checksum here
		got.Body.Close()
		if err != nil || !bytes.Equal(body, data) {
			t.Fatalf("GetObject %q: %d bytes, %v", alg, len(body), err)
		}
		if got.ContentEncoding != nil {
			t.Errorf("%q: Content-Encoding %q served back", alg, *got.ContentEncoding)
		}
		// With no algorithm named the SDK picks its default (CRC32).
		want := map[s3types.ChecksumAlgorithm]*string{
			"": firstNonNil(got.ChecksumCRC32, got.ChecksumCRC64NVME, got.ChecksumCRC32C), s3types.ChecksumAlgorithmCrc32: got.ChecksumCRC32, s3types.ChecksumAlgorithmCrc32c: got.ChecksumCRC32C,
			s3types.ChecksumAlgorithmCrc64nvme: got.ChecksumCRC64NVME, s3types.ChecksumAlgorithmSha1: got.ChecksumSHA1, s3types.ChecksumAlgorithmSha256: got.ChecksumSHA256,
		}[alg]
		if want == nil || got.ChecksumType != s3types.ChecksumTypeFullObject {
			t.Errorf("%q: checksum not returned with checksum mode (type %q)", alg, got.ChecksumType)
		}
		echoed := aws.ToString(out.ChecksumCRC32) + aws.ToString(out.ChecksumCRC32C) + aws.ToString(out.ChecksumCRC64NVME) + aws.ToString(out.ChecksumSHA1) + aws.ToString(out.ChecksumSHA256)
		if want != nil && echoed != *want {
			t.Errorf("%q: PutObject echoed %q, GET returned %q", alg, echoed, *want)
		}
		attrs, err := alice.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{
			Bucket: aws.String("secure"), Key: aws.String(key),
			ObjectAttributes: []s3types.ObjectAttributes{s3types.ObjectAttributesEtag, s3types.ObjectAttributesChecksum, s3types.ObjectAttributesObjectSize, s3types.ObjectAttributesStorageClass},
		})
		if err != nil {
			t.Fatalf("GetObjectAttributes: %v", err)
		}
		if aws.ToInt64(attrs.ObjectSize) != int64(len(data)) || attrs.Checksum == nil || attrs.StorageClass != s3types.StorageClassStandard || strings.Contains(aws.ToString(attrs.ETag), `"`) || attrs.LastModified == nil {
			t.Errorf("GetObjectAttributes %q: %+v", alg, attrs)
		}
	}

	// Ranged GETs carry no whole-object checksum.
	rg, err := alice.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("secure"), Key: aws.String("obj-SHA256"), Range: aws.String("bytes=0-9"), ChecksumMode: s3types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	rg.Body.Close()
	if rg.ChecksumSHA256 != nil {
		t.Error("a ranged GET returned the whole object's checksum")
	}

	// Presigned GET and PUT; an expired or tampered URL is refused and the
	// object stays as it was.
	presign := s3.NewPresignClient(alice)
	putURL, err := presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("secure"), Key: aws.String("shared")}, s3.WithPresignExpires(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, putURL.URL, strings.NewReader("uploaded via URL"))
	if resp := mustDo(t, hc, req); resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: %d", resp.StatusCode)
	}
	getURL, err := presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("secure"), Key: aws.String("shared")}, s3.WithPresignExpires(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest(http.MethodGet, getURL.URL, nil)
	if resp := mustDo(t, hc, req); resp.StatusCode != 200 || resp.body != "uploaded via URL" {
		t.Fatalf("presigned GET: %d %q", resp.StatusCode, resp.body)
	}
	expired, err := presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("secure"), Key: aws.String("shared")}, s3.WithPresignExpires(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	req, _ = http.NewRequest(http.MethodPut, expired.URL, strings.NewReader("late"))
	if resp := mustDo(t, hc, req); resp.StatusCode != 403 || !strings.Contains(resp.body, "<Code>AccessDenied</Code>") || !strings.Contains(resp.body, "Request has expired") {
		t.Errorf("expired presigned PUT: %d %s", resp.StatusCode, resp.body)
	}
	tampered := strings.Replace(putURL.URL, "/shared?", "/shared2?", 1)
	req, _ = http.NewRequest(http.MethodPut, tampered, strings.NewReader("forged"))
	if resp := mustDo(t, hc, req); resp.StatusCode != 403 || !strings.Contains(resp.body, "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("tampered presigned PUT: %d %s", resp.StatusCode, resp.body)
	}
	req, _ = http.NewRequest(http.MethodGet, getURL.URL, nil)
	if resp := mustDo(t, hc, req); resp.body != "uploaded via URL" {
		t.Errorf("object changed to %q", resp.body)
	}

	// A user added to the file works without a restart.
	bob := sdkClient(endpoint, hc, "AKIDBOB", "bob-secret-4567")
	_, err = bob.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err == nil || !strings.Contains(err.Error(), "InvalidAccessKeyId") {
		t.Fatalf("unknown user: %v", err)
	}
	writeUsers(t, usersFile, [3]string{"alice", "AKIDALICE", "alice-secret-123"}, [3]string{"bob", "AKIDBOB", "bob-secret-4567"})
	deadline := time.Now().Add(10 * time.Second)
	for {
		lb, err := bob.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err == nil {
			if len(lb.Buckets) != 0 {
				t.Errorf("bob sees alice's buckets: %v", lb.Buckets)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("new user still refused after the reload: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	_, err = bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("secure"), Key: aws.String("shared")})
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("bob reads alice's object: %v", err)
	}
}

type response struct {
	StatusCode int
	body       string
}

func mustDo(t *testing.T, hc *http.Client, req *http.Request) response {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{StatusCode: resp.StatusCode, body: string(b)}
}

func firstNonNil(vs ...*string) *string {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}
