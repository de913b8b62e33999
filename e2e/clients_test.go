package e2e

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// sdkClient is an aws-sdk-go-v2 S3 client for g: path-style, static keys,
// default checksum behaviour, no retries (a retry would hide a failure).
func (g *gateway) sdkClient() *s3.Client {
	return s3.New(s3.Options{
		Region:           testRegion,
		Credentials:      credentials.NewStaticCredentialsProvider(g.accessKey, g.secretKey, ""),
		BaseEndpoint:     aws.String(g.endpoint()),
		UsePathStyle:     true,
		RetryMaxAttempts: 1,
		HTTPClient:       g.httpClient(10 * time.Minute),
	})
}

// vhostSDKClient addresses buckets as <bucket>.<domain>:port while every
// connection goes to the gateway's loopback address.
func (g *gateway) vhostSDKClient(domain string) *s3.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	transport := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, g.addr)
		},
	}
	return s3.New(s3.Options{
		Region:           testRegion,
		Credentials:      credentials.NewStaticCredentialsProvider(g.accessKey, g.secretKey, ""),
		BaseEndpoint:     aws.String("http://" + domain + ":" + g.port()),
		UsePathStyle:     false,
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: transport, Timeout: time.Minute},
	})
}

// awsCLI runs the AWS CLI v1 against a gateway with a private configuration.
type awsCLI struct {
	t        testing.TB
	endpoint string
	env      []string
}

func newAWSCLI(t testing.TB, g *gateway) *awsCLI {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Fatalf("the AWS CLI v1 is needed on PATH: install it with `pip install awscli` (%v)", err)
	}
	dir := t.TempDir()
	configFile := filepath.Join(dir, "config")
	credsFile := filepath.Join(dir, "credentials")
	config := "[default]\nregion = " + testRegion + "\noutput = json\ns3 =\n    addressing_style = path\n"
	mustNoErr(t, os.WriteFile(configFile, []byte(config), 0o600), "write aws config")
	mustNoErr(t, os.WriteFile(credsFile, nil, 0o600), "write aws credentials file")
	env := append(scrubbedEnv(),
		"AWS_ACCESS_KEY_ID="+g.accessKey,
		"AWS_SECRET_ACCESS_KEY="+g.secretKey,
		"AWS_DEFAULT_REGION="+testRegion,
		"AWS_CONFIG_FILE="+configFile,
		"AWS_SHARED_CREDENTIALS_FILE="+credsFile,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=1",
		"PYTHONIOENCODING=utf-8",
	)
	if g.caFile != "" {
		env = append(env, "AWS_CA_BUNDLE="+g.caFile)
	}
	return &awsCLI{t: t, endpoint: g.endpoint(), env: env}
}

// run executes `aws <args> --endpoint-url ...` and returns stdout, stderr
// and the error (non-nil on a non-zero exit).
func (c *awsCLI) run(args ...string) (string, string, error) {
	args = append(args, "--endpoint-url", c.endpoint)
	cmd := exec.Command("aws", args...)
	cmd.Env = c.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// must runs the CLI and fails the test on a non-zero exit.
func (c *awsCLI) must(args ...string) string {
	c.t.Helper()
	stdout, stderr, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("aws %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout, stderr)
	}
	return stdout
}
