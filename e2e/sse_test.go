package e2e

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"
)

// sseMarker fills every encrypted body here: the stored bytes must never
// hold it.
var sseMarker = []byte("E2E-SSE-PLAINTEXT-")

func sseBody(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = sseMarker[i%len(sseMarker)]
	}
	return out
}

// startSSEGateway serves HTTPS (SSE-C needs it, as on AWS) with an SSE-S3
// master key ring.
func startSSEGateway(t *testing.T) *gateway {
	t.Helper()
	dataDir := newDataDir(t)
	ring := filepath.Join(t.TempDir(), "master-keys")
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x5e}, 32))
	mustNoErr(t, os.WriteFile(ring, []byte("e2e-1 "+key+"\n"), 0o600), "write master keys")
	return startTLSGateway(t, dataDir, "--sse-master-key-file", ring)
}

// TestSSEClients drives encryption at rest with the clients users have, on
// the local store or (TERNFS_REGISTRY) a TernFS cluster: boto3
// (testdata/boto3_sse.py), the AWS CLI (`aws s3 cp --sse AES256`,
// `--sse-c AES256 --sse-c-key`) and minio-go (encrypt.NewSSE,
// encrypt.NewSSEC); then, on the local store, no file of the store holds
// the plaintext. Source: AWS user guide, "Using server-side encryption
// with customer-provided keys (SSE-C)" and "Protecting data with server-side encryption".
func TestSSEClients(t *testing.T) {
	g := startSSEGateway(t)

	t.Run("boto3", func(t *testing.T) {
		runBoto3Script(t, g, "testdata/boto3_sse.py", "sse-boto3")
	})

	t.Run("awscli", func(t *testing.T) {
		cli := newAWSCLI(t, g)
		cli.must("s3", "mb", "s3://sse-cli")
		dir := t.TempDir()
		src := filepath.Join(dir, "src")
		body := sseBody(1 << 20) // below the CLI's multipart threshold
		mustNoErr(t, os.WriteFile(src, body, 0o600), "write source")
		keyFile := filepath.Join(dir, "customer.key")
		mustNoErr(t, os.WriteFile(keyFile, bytes.Repeat([]byte{0x3c}, 32), 0o600), "write customer key")

		cli.must("s3", "cp", src, "s3://sse-cli/sses3", "--sse", "AES256")
		head := decodeJSON(t, cli.must("s3api", "head-object", "--bucket", "sse-cli", "--key", "sses3"))
		if head["ServerSideEncryption"] != "AES256" {
			t.Fatalf("head-object of an --sse AES256 upload: %v", head)
		}
		cli.must("s3", "cp", src, "s3://sse-cli/ssec", "--sse-c", "AES256", "--sse-c-key", "fileb://"+keyFile)
		for _, c := range []struct{ key, dst string }{{"sses3", "out-s3"}, {"ssec", "out-c"}} {
			args := []string{"s3", "cp", "s3://sse-cli/" + c.key, filepath.Join(dir, c.dst)}
			if c.key == "ssec" {
				args = append(args, "--sse-c", "AES256", "--sse-c-key", "fileb://"+keyFile)
			}
			cli.must(args...)
			got, err := os.ReadFile(filepath.Join(dir, c.dst))
			mustNoErr(t, err, "read download")
			if !bytes.Equal(got, body) {
				t.Fatalf("%s: downloaded %d bytes that differ from the upload", c.key, len(got))
			}
		}
		if _, stderr, err := cli.run("s3", "cp", "s3://sse-cli/ssec", filepath.Join(dir, "nokey")); err == nil || !strings.Contains(stderr, "400") {
			t.Fatalf("download of an SSE-C object without its key: %v %s", err, stderr)
		}
	})

	t.Run("minio-go", func(t *testing.T) {
		mc, err := minio.New(g.addr, &minio.Options{Creds: miniocreds.NewStaticV4(g.accessKey, g.secretKey, ""), Region: testRegion,
			Secure: true, Transport: g.httpClient(time.Minute).Transport})
		mustNoErr(t, err, "minio client")
		ctx := testContext(t, time.Minute)
		mustNoErr(t, mc.MakeBucket(ctx, "sse-minio", minio.MakeBucketOptions{}), "make bucket")
		ssec, err := encrypt.NewSSEC(bytes.Repeat([]byte{0x77}, 32))
		mustNoErr(t, err, "SSE-C key")
		body := sseBody(300 << 10)
		for _, c := range []struct {
			key string
			sse encrypt.ServerSide
		}{{"sses3", encrypt.NewSSE()}, {"ssec", ssec}} {
			if _, err := mc.PutObject(ctx, "sse-minio", c.key, bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{ServerSideEncryption: c.sse}); err != nil {
				t.Fatalf("%s: PutObject: %v", c.key, err)
			}
			var get minio.GetObjectOptions
			if c.key == "ssec" {
				get.ServerSideEncryption = ssec
			}
			obj, err := mc.GetObject(ctx, "sse-minio", c.key, get)
			mustNoErr(t, err, "GetObject")
			got, err := io.ReadAll(obj)
			obj.Close()
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("%s: GetObject: %d bytes, %v", c.key, len(got), err)
			}
			st, err := mc.StatObject(ctx, "sse-minio", c.key, minio.StatObjectOptions{ServerSideEncryption: get.ServerSideEncryption})
			if err != nil || st.Size != int64(len(body)) {
				t.Fatalf("%s: StatObject: %+v %v", c.key, st, err)
			}
			if err := get.SetRange(70000, 140000); err != nil {
				t.Fatal(err)
			}
			obj, err = mc.GetObject(ctx, "sse-minio", c.key, get)
			mustNoErr(t, err, "ranged GetObject")
			got, err = io.ReadAll(obj)
			obj.Close()
			if err != nil || !bytes.Equal(got, body[70000:140001]) {
				t.Fatalf("%s: ranged GetObject: %d bytes, %v", c.key, len(got), err)
			}
		}
		wrong, err := encrypt.NewSSEC(bytes.Repeat([]byte{0x78}, 32))
		mustNoErr(t, err, "wrong SSE-C key")
		if _, err := mc.StatObject(ctx, "sse-minio", "ssec", minio.StatObjectOptions{ServerSideEncryption: wrong}); err == nil {
			t.Fatal("StatObject with a wrong SSE-C key succeeded")
		}
	})

	t.Run("no plaintext at rest", func(t *testing.T) { expectNoPlaintextAtRest(t, g.dataDir) })
}

// expectNoPlaintextAtRest greps every file of the local store's data
// directory (bodies, inline small bodies in meta.db, records) for the
// encrypted objects' marker, and for the unencrypted control object that
// boto3 writes, so that a search that finds nothing at all fails. On TernFS
// the bytes are on the cluster, where TestSSETernFSBlocks greps the block
// services' files.
func expectNoPlaintextAtRest(t *testing.T, dataDir string) {
	t.Helper()
	if ternfsRegistry() != "" {
		t.Log("on TernFS the bytes are on the cluster: TestSSETernFSBlocks greps its block files")
		return
	}
	found := 0
	err := filepath.WalkDir(dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			// A data file an overwrite or delete released, removed after
			// the reply by the store's remover: its bytes are gone.
			return nil
		}
		if err != nil {
			return err
		}
		if bytes.Contains(b, sseMarker) {
			t.Errorf("%s holds plaintext of an encrypted object", path)
		}
		found += bytes.Count(b, []byte("E2E-CONTROL-UNENCRYPTED")) // boto3's unencrypted control object
		return nil
	})
	mustNoErr(t, err, "walk the data dir")
	if found == 0 {
		t.Fatal("the unencrypted control object is not found either: the search is broken")
	}
}
