package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"
)

// ringARN is a static ring key's ARN as the gateway answers it.
func ringARN(id string) string { return "arn:aws:kms:" + testRegion + ":000000000000:key/" + id }

// startKMSGateway serves HTTPS, as SSE-KMS is used in practice (clients
// then send aws-chunked bodies with trailing checksums), with a static KMS
// key ring of e2e-kms-1 (the default key) and e2e-kms-2.
func startKMSGateway(t *testing.T) *gateway {
	t.Helper()
	ring := filepath.Join(t.TempDir(), "kms-keys")
	var lines []string
	for i, id := range []string{"e2e-kms-1", "e2e-kms-2"} {
		lines = append(lines, id+" "+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{byte(0x40 + i)}, 32)))
	}
	mustNoErr(t, os.WriteFile(ring, []byte(strings.Join(lines, "\n")+"\n"), 0o600), "write KMS keys")
	return startTLSGateway(t, newDataDir(t), "--kms-key-file", ring)
}

// TestSSEKMSClients drives SSE-KMS over the static key ring with the
// clients users have, on the local store or (TERNFS_REGISTRY) a TernFS
// cluster: boto3 (testdata/boto3_sse_kms.py), the AWS CLI (`aws s3 cp --sse
// aws:kms --sse-kms-key-id`) and minio-go (encrypt.NewSSEKMS with a
// context); then, on the local store, no file holds the plaintext. Source:
// API_PutObject (the x-amz-server-side-encryption-aws-kms-key-id and
// -context headers) and the S3 user guide, "Using server-side encryption
// with AWS KMS keys (SSE-KMS)" and "Protecting data with server-side
// encryption" (data is encrypted as it is written to disk). Over HTTPS
// boto3 sends a refused PUT's whole aws-chunked body before it reads the
// answer; the gateway reads it away and closes in stages (RFC 9112 section
// 9.6), so boto3 gets KMS.NotFoundException, not an SSL EOF.
func TestSSEKMSClients(t *testing.T) {
	g := startKMSGateway(t)

	t.Run("boto3", func(t *testing.T) {
		runBoto3Script(t, g, "testdata/boto3_sse_kms.py", "ssekms-boto3")
	})

	t.Run("awscli", func(t *testing.T) {
		cli := newAWSCLI(t, g)
		cli.must("s3", "mb", "s3://ssekms-cli")
		dir := t.TempDir()
		src := filepath.Join(dir, "src")
		body := sseBody(1 << 20) // below the CLI's multipart threshold
		mustNoErr(t, os.WriteFile(src, body, 0o600), "write source")
		cli.must("s3", "cp", src, "s3://ssekms-cli/named", "--sse", "aws:kms", "--sse-kms-key-id", "e2e-kms-2")
		cli.must("s3", "cp", src, "s3://ssekms-cli/default", "--sse", "aws:kms")
		for key, id := range map[string]string{"named": "e2e-kms-2", "default": "e2e-kms-1"} {
			head := decodeJSON(t, cli.must("s3api", "head-object", "--bucket", "ssekms-cli", "--key", key))
			if head["ServerSideEncryption"] != "aws:kms" || head["SSEKMSKeyId"] != ringARN(id) {
				t.Fatalf("head-object of %s: %v", key, head)
			}
			out := filepath.Join(dir, "out-"+key)
			cli.must("s3", "cp", "s3://ssekms-cli/"+key, out)
			got, err := os.ReadFile(out)
			mustNoErr(t, err, "read download")
			if !bytes.Equal(got, body) {
				t.Fatalf("%s: downloaded %d bytes that differ from the upload", key, len(got))
			}
		}
		// Above the CLI's 8 MiB threshold the upload is multipart: each part
		// is encrypted under the upload's data key (API_CreateMultipartUpload).
		large := filepath.Join(dir, "large")
		largeBody := sseBody(9 << 20)
		mustNoErr(t, os.WriteFile(large, largeBody, 0o600), "write large source")
		cli.must("s3", "cp", large, "s3://ssekms-cli/multipart", "--sse", "aws:kms", "--sse-kms-key-id", "e2e-kms-2")
		head := decodeJSON(t, cli.must("s3api", "head-object", "--bucket", "ssekms-cli", "--key", "multipart"))
		if head["ServerSideEncryption"] != "aws:kms" || head["SSEKMSKeyId"] != ringARN("e2e-kms-2") || !strings.HasSuffix(fmt.Sprint(head["ETag"]), `-2"`) {
			t.Fatalf("head-object of the multipart upload: %v", head)
		}
		out := filepath.Join(dir, "out-multipart")
		cli.must("s3", "cp", "s3://ssekms-cli/multipart", out)
		got, err := os.ReadFile(out)
		mustNoErr(t, err, "read download")
		if !bytes.Equal(got, largeBody) {
			t.Fatalf("multipart: downloaded %d bytes that differ from the upload", len(got))
		}
		if _, stderr, err := cli.run("s3", "cp", src, "s3://ssekms-cli/bad", "--sse", "aws:kms", "--sse-kms-key-id", "nope"); err == nil || !strings.Contains(stderr, "KMS.NotFoundException") {
			t.Fatalf("upload under an unknown key: %v %s", err, stderr)
		}
	})

	t.Run("minio-go", func(t *testing.T) {
		mc, err := minio.New(g.addr, &minio.Options{Creds: miniocreds.NewStaticV4(g.accessKey, g.secretKey, ""), Region: testRegion,
			Secure: true, Transport: g.httpClient(time.Minute).Transport})
		mustNoErr(t, err, "minio client")
		ctx := testContext(t, time.Minute)
		mustNoErr(t, mc.MakeBucket(ctx, "ssekms-minio", minio.MakeBucketOptions{}), "make bucket")
		sseKMS, err := encrypt.NewSSEKMS("e2e-kms-2", map[string]string{"client": "minio-go"})
		mustNoErr(t, err, "SSE-KMS settings")
		body := sseBody(300 << 10)
		info, err := mc.PutObject(ctx, "ssekms-minio", "o", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{ServerSideEncryption: sseKMS})
		mustNoErr(t, err, "PutObject")
		obj, err := mc.GetObject(ctx, "ssekms-minio", "o", minio.GetObjectOptions{})
		mustNoErr(t, err, "GetObject")
		got, err := io.ReadAll(obj)
		obj.Close()
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("GetObject: %d bytes, %v", len(got), err)
		}
		st, err := mc.StatObject(ctx, "ssekms-minio", "o", minio.StatObjectOptions{})
		if err != nil || st.Size != int64(len(body)) || st.ETag != info.ETag ||
			st.Metadata.Get("X-Amz-Server-Side-Encryption") != "aws:kms" || st.Metadata.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id") != ringARN("e2e-kms-2") {
			t.Fatalf("StatObject: %+v %v", st, err)
		}
	})

	t.Run("no plaintext at rest", func(t *testing.T) { expectNoPlaintextAtRest(t, g.dataDir) })
}

// startLocalKMS runs local-kms (github.com/nsmithuk/local-kms, a server of
// the AWS KMS API; .ci/run installs it and names it in TERNGATE_LOCAL_KMS)
// until the test ends, and returns its endpoint.
func startLocalKMS(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("TERNGATE_LOCAL_KMS")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("local-kms"); err != nil {
			t.Fatal("local-kms is needed: GOBIN=$(mktemp -d) go install github.com/nsmithuk/local-kms@<version in .ci/run>, and TERNGATE_LOCAL_KMS=<that dir>/local-kms")
		}
	}
	addr := freeAddr(t)
	_, port, err := net.SplitHostPort(addr)
	mustNoErr(t, err, "split %s", addr)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PORT="+port, "KMS_DATA_PATH="+t.TempDir(), "KMS_REGION="+testRegion,
		"KMS_ACCOUNT_ID=111122223333", "KMS_SEED_PATH="+filepath.Join(t.TempDir(), "none.yaml"))
	mustNoErr(t, cmd.Start(), "start local-kms")
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("local-kms did not start listening")
		}
	}
	return "http://127.0.0.1:" + port
}

// TestSSEKMSExternalKMS runs the gateway program (over HTTPS) against an
// external KMS speaking the AWS KMS API (--kms-endpoint, --kms-default-key
// and its credentials) and drives it with the AWS CLI: object keys are the data
// keys of the KMS's GenerateDataKey, and the answers name the key's ARN as
// the KMS reports it.
func TestSSEKMSExternalKMS(t *testing.T) {
	endpoint := startLocalKMS(t)
	ctx := context.Background()
	admin := awskms.New(awskms.Options{Region: testRegion, BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("kms", "kms", "")})
	created, err := admin.CreateKey(ctx, &awskms.CreateKeyInput{})
	mustNoErr(t, err, "CreateKey")
	arn := aws.ToString(created.KeyMetadata.Arn)
	_, err = admin.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: aws.String("alias/e2e"), TargetKeyId: created.KeyMetadata.KeyId})
	mustNoErr(t, err, "CreateAlias")
	g := startTLSGateway(t, newDataDir(t), "--kms-endpoint", endpoint, "--kms-default-key", "alias/e2e", "--kms-access-key", "kms", "--kms-secret-key", "kms")

	cli := newAWSCLI(t, g)
	cli.must("s3", "mb", "s3://ssekms-ext")
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	body := sseBody(700 << 10)
	mustNoErr(t, os.WriteFile(src, body, 0o600), "write source")
	cli.must("s3", "cp", src, "s3://ssekms-ext/o", "--sse", "aws:kms")
	head := decodeJSON(t, cli.must("s3api", "head-object", "--bucket", "ssekms-ext", "--key", "o"))
	if head["ServerSideEncryption"] != "aws:kms" || head["SSEKMSKeyId"] != arn {
		t.Fatalf("head-object: %v, want key %s", head, arn)
	}
	out := filepath.Join(dir, "out")
	cli.must("s3", "cp", "s3://ssekms-ext/o", out)
	got, err := os.ReadFile(out)
	mustNoErr(t, err, "read download")
	if !bytes.Equal(got, body) {
		t.Fatalf("downloaded %d bytes that differ from the upload", len(got))
	}

	// Under a bucket key (UG "Reducing the cost of SSE-KMS with Amazon S3
	// Bucket Keys"): local-kms draws a key bound to the bucket's ARN, the
	// object's own key is sealed under it, and a read opens it again.
	put := decodeJSON(t, cli.must("s3api", "put-object", "--bucket", "ssekms-ext", "--key", "bk", "--body", src,
		"--server-side-encryption", "aws:kms", "--bucket-key-enabled"))
	if put["BucketKeyEnabled"] != true || put["SSEKMSKeyId"] != arn {
		t.Fatalf("put-object with a bucket key: %v", put)
	}
	bkOut := filepath.Join(dir, "bk")
	getBK := decodeJSON(t, cli.must("s3api", "get-object", "--bucket", "ssekms-ext", "--key", "bk", bkOut))
	got, err = os.ReadFile(bkOut)
	mustNoErr(t, err, "read bucket-key download")
	if !bytes.Equal(got, body) || getBK["BucketKeyEnabled"] != true {
		t.Fatalf("get-object under a bucket key: %d bytes, %v", len(got), getBK)
	}
}
