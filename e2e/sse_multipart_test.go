package e2e

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"
)

// TestSSEMultipartClients drives encrypted multipart uploads with the
// clients users have, on the local store or (TERNFS_REGISTRY) a TernFS
// cluster: boto3 upload_fileobj above its threshold with SSECustomerKey
// and ServerSideEncryption (testdata/boto3_sse_multipart.py), the AWS CLI
// (`aws s3 cp --sse AES256` and `--sse-c AES256 --sse-c-key` of a file
// above its 8 MiB multipart threshold, then downloads) and minio-go
// (PutObject of an object larger than its part size, with encrypt.NewSSE
// and encrypt.NewSSEC); then, on the local store, no file of the store
// holds the plaintext (TestSSETernFSBlocks checks the cluster's blocks).
// Sources: AWS user guide, "Using server-side encryption with
// customer-provided keys (SSE-C)" (multipart uploads take the key on every
// part) and API_UploadPart.
func TestSSEMultipartClients(t *testing.T) {
	g := startSSEGateway(t)

	t.Run("boto3", func(t *testing.T) {
		runBoto3Script(t, g, "testdata/boto3_sse_multipart.py", "ssemp-boto3")
	})

	t.Run("awscli", func(t *testing.T) {
		cli := newAWSCLI(t, g)
		cli.must("s3", "mb", "s3://ssemp-cli")
		dir := t.TempDir()
		src := filepath.Join(dir, "src")
		body := sseBody(9<<20 + 4321) // above the CLI's 8 MiB multipart threshold
		mustNoErr(t, os.WriteFile(src, body, 0o600), "write source")
		keyFile := filepath.Join(dir, "customer.key")
		mustNoErr(t, os.WriteFile(keyFile, bytes.Repeat([]byte{0x4d}, 32), 0o600), "write customer key")
		ssec := []string{"--sse-c", "AES256", "--sse-c-key", "fileb://" + keyFile}

		cli.must("s3", "cp", src, "s3://ssemp-cli/sses3", "--sse", "AES256")
		cli.must(append([]string{"s3", "cp", src, "s3://ssemp-cli/ssec"}, ssec...)...)
		head := decodeJSON(t, cli.must("s3api", "head-object", "--bucket", "ssemp-cli", "--key", "sses3"))
		if head["ServerSideEncryption"] != "AES256" || !strings.HasSuffix(strings.Trim(head["ETag"].(string), `"`), "-2") {
			t.Fatalf("head-object of an --sse AES256 multipart upload: %v", head)
		}
		head = decodeJSON(t, cli.must(append([]string{"s3api", "head-object", "--bucket", "ssemp-cli", "--key", "ssec"}, "--sse-customer-algorithm", "AES256", "--sse-customer-key", "fileb://"+keyFile)...))
		if head["SSECustomerAlgorithm"] != "AES256" || head["ContentLength"] != float64(len(body)) {
			t.Fatalf("head-object of an --sse-c multipart upload: %v", head)
		}
		for _, c := range []struct{ key, dst string }{{"sses3", "out-s3"}, {"ssec", "out-c"}} {
			args := []string{"s3", "cp", "s3://ssemp-cli/" + c.key, filepath.Join(dir, c.dst)}
			if c.key == "ssec" {
				args = append(args, ssec...)
			}
			cli.must(args...)
			got, err := os.ReadFile(filepath.Join(dir, c.dst))
			mustNoErr(t, err, "read download")
			if !bytes.Equal(got, body) {
				t.Fatalf("%s: downloaded %d bytes that differ from the upload", c.key, len(got))
			}
		}
		if _, stderr, err := cli.run("s3", "cp", "s3://ssemp-cli/ssec", filepath.Join(dir, "nokey")); err == nil || !strings.Contains(stderr, "400") {
			t.Fatalf("download of an SSE-C multipart object without its key: %v %s", err, stderr)
		}
	})

	t.Run("minio-go", func(t *testing.T) {
		mc, err := minio.New(g.addr, &minio.Options{Creds: miniocreds.NewStaticV4(g.accessKey, g.secretKey, ""), Region: testRegion,
			Secure: true, Transport: g.httpClient(2 * time.Minute).Transport})
		mustNoErr(t, err, "minio client")
		ctx := testContext(t, 2*time.Minute)
		mustNoErr(t, mc.MakeBucket(ctx, "ssemp-minio", minio.MakeBucketOptions{}), "make bucket")
		ssec, err := encrypt.NewSSEC(bytes.Repeat([]byte{0x78}, 32))
		mustNoErr(t, err, "SSE-C key")
		body := sseBody(12<<20 + 777)
		for _, c := range []struct {
			key string
			sse encrypt.ServerSide
		}{{"sses3", encrypt.NewSSE()}, {"ssec", ssec}} {
			info, err := mc.PutObject(ctx, "ssemp-minio", c.key, bytes.NewReader(body), int64(len(body)),
				minio.PutObjectOptions{ServerSideEncryption: c.sse, PartSize: 5 << 20})
			if err != nil {
				t.Fatalf("%s: PutObject: %v", c.key, err)
			}
			if !strings.HasSuffix(info.ETag, "-3") {
				t.Fatalf("%s: PutObject did not upload in 3 parts: ETag %s", c.key, info.ETag)
			}
			var get minio.GetObjectOptions
			if c.key == "ssec" {
				get.ServerSideEncryption = ssec
			}
			obj, err := mc.GetObject(ctx, "ssemp-minio", c.key, get)
			mustNoErr(t, err, "GetObject")
			got, err := io.ReadAll(obj)
			obj.Close()
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("%s: GetObject: %d bytes, %v", c.key, len(got), err)
			}
			st, err := mc.StatObject(ctx, "ssemp-minio", c.key, minio.StatObjectOptions{ServerSideEncryption: get.ServerSideEncryption})
			if err != nil || st.Size != int64(len(body)) {
				t.Fatalf("%s: StatObject: %+v %v", c.key, st, err)
			}
			if err := get.SetRange(5<<20-10, 5<<20+10); err != nil {
				t.Fatal(err)
			}
			obj, err = mc.GetObject(ctx, "ssemp-minio", c.key, get)
			mustNoErr(t, err, "ranged GetObject")
			got, err = io.ReadAll(obj)
			obj.Close()
			if err != nil || !bytes.Equal(got, body[5<<20-10:5<<20+11]) {
				t.Fatalf("%s: ranged GetObject across a part boundary: %d bytes, %v", c.key, len(got), err)
			}
		}
	})

	t.Run("no plaintext at rest", func(t *testing.T) { expectNoPlaintextAtRest(t, g.dataDir) })
}
