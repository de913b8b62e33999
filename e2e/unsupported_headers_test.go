package e2e

import (
	"crypto/md5"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// SSE-C through the binary over plain HTTP. "Using server-side encryption
// with customer-provided keys (SSE-C)": "Amazon S3 rejects any requests
// made over HTTP when using SSE-C" (InvalidArgument, 400: S3's code for
// the same sentence about SSE-KMS, aws/aws-sdk-js issue #2335, and an S3
// service's for this one, velero-io/velero issue #7837), and nothing is
// stored. (Over HTTPS SSE-C is served: TestSSEClients.)
func TestSSECRefused(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	sum := md5.Sum(key)
	for _, tc := range []struct {
		name  string
		start func(testing.TB, string, ...string) *gateway
		want  string
	}{
		{"http", startGateway, "InvalidArgument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.start(t, newDataDir(t))
			c := g.sdkClient()
			ctx := testContext(t, time.Minute)
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("ssec")})
			mustNoErr(t, err, "create bucket")
			_, err = c.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String("ssec"), Key: aws.String("k"), Body: strings.NewReader("secret"),
				SSECustomerAlgorithm: aws.String("AES256"),
				SSECustomerKey:       aws.String(base64.StdEncoding.EncodeToString(key)),
				SSECustomerKeyMD5:    aws.String(base64.StdEncoding.EncodeToString(sum[:])),
			})
			expectCode(t, err, tc.want, "PutObject with SSE-C")
			if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String("k")}); err == nil {
				t.Error("a refused SSE-C PutObject stored the object")
			}
		})
	}
}

// Without a master key ring, `aws s3 cp --sse AES256` fails with
// NotImplemented instead of storing an object the user believes is
// encrypted at rest.
// Source: NotImplemented in https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
func TestAWSCLIServerSideEncryptionRefused(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	cli := newAWSCLI(t, g)
	cli.must("s3", "mb", "s3://cli-sse")
	src := filepath.Join(t.TempDir(), "f.txt")
	mustNoErr(t, os.WriteFile(src, []byte("hello"), 0o644), "write")
	_, stderr, err := cli.run("s3", "cp", "--sse", "AES256", src, "s3://cli-sse/f.txt")
	if err == nil || !strings.Contains(stderr, "NotImplemented") {
		t.Fatalf("aws s3 cp --sse AES256: err %v, stderr %s", err, stderr)
	}
	if out := cli.must("s3", "ls", "s3://cli-sse/"); strings.TrimSpace(out) != "" {
		t.Fatalf("the refused upload left an object: %s", out)
	}
}
