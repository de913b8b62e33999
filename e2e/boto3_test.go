package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBoto3 runs testdata/boto3_check.py, which asserts by itself and
// prints ALL OK on success.
func TestBoto3(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed on PATH with boto3: install python3 and `pip install boto3` (%v)", err)
	}
	if out, err := exec.Command(python, "-c", "import boto3").CombinedOutput(); err != nil {
		t.Fatalf("boto3 is not importable: `pip install boto3` (%v: %s)", err, out)
	}
	g := startGateway(t, newDataDir(t))
	cmd := exec.Command(python, "testdata/boto3_check.py")
	cmd.Env = append(scrubbedEnv(),
		"E2E_ENDPOINT="+g.endpoint(),
		"E2E_ACCESS_KEY="+g.accessKey,
		"E2E_SECRET_KEY="+g.secretKey,
		"E2E_BUCKET=boto3-check",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true",
		"PYTHONIOENCODING=utf-8",
	)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ALL OK") {
		t.Fatalf("boto3 checks failed (%v):\n%s", err, out)
	}
	t.Logf("boto3 output:\n%s", out)
}
