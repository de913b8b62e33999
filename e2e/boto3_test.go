package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBoto3 runs testdata/boto3_check.py against a plain-HTTP gateway.
func TestBoto3(t *testing.T) {
	runBoto3Script(t, startGateway(t, newDataDir(t)), "testdata/boto3_check.py", "boto3-check")
}

// runBoto3Script runs a boto3 script of testdata/ against g. The scripts
// assert by themselves and print ALL OK on success; they get the endpoint,
// credentials, bucket and (over HTTPS) the CA bundle from the environment,
// and nothing of the user's AWS configuration; extraEnv adds to that.
func runBoto3Script(t *testing.T, g *gateway, script, bucket string, extraEnv ...string) {
	t.Helper()
	python := requirePython3WithBoto3(t)
	// A path that does not exist, rather than /dev/null: botocore parses any
	// regular file it is given, and a sandbox's /dev/null may be one.
	noConfig := filepath.Join(t.TempDir(), "no-aws-config")
	cmd := exec.Command(python, script)
	cmd.Env = append(scrubbedEnv(),
		"E2E_ENDPOINT="+g.endpoint(),
		"E2E_ACCESS_KEY="+g.accessKey,
		"E2E_SECRET_KEY="+g.secretKey,
		"E2E_BUCKET="+bucket,
		"E2E_CA_BUNDLE="+g.caFile,
		"AWS_CONFIG_FILE="+noConfig,
		"AWS_SHARED_CREDENTIALS_FILE="+noConfig,
		"AWS_EC2_METADATA_DISABLED=true",
		"PYTHONIOENCODING=utf-8",
	)
	cmd.Env = append(cmd.Env, extraEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ALL OK") {
		t.Fatalf("%s failed (%v):\n%s", script, err, out)
	}
	t.Logf("%s output:\n%s", script, out)
}

func requirePython3WithBoto3(t *testing.T) string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed on PATH with boto3: apt-get install python3 python3-boto3 (%v)", err)
	}
	if out, err := exec.Command(python, "-c", "import boto3").CombinedOutput(); err != nil {
		t.Fatalf("boto3 is not importable: apt-get install python3-boto3 or pip install boto3 (%v: %s)", err, out)
	}
	return python
}

// TestBoto3BucketControls runs testdata/boto3_bucket_controls.py: Block
// Public Access, GetBucketPolicyStatus and ownership controls through
// boto3's own calls.
func TestBoto3BucketControls(t *testing.T) {
	runBoto3Script(t, startGateway(t, newDataDir(t)), "testdata/boto3_bucket_controls.py", "boto3-controls")
}
