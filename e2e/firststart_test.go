package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestFirstStartGeneratesCredentials starts with no key pair: one is
// generated, printed once, stored 0600, and reused by the next start.
func TestFirstStartGeneratesCredentials(t *testing.T) {
	dataDir := newDataDir(t)
	addr := freeAddr(t)
	g := launch(t, launchSpec{args: []string{"--listen", addr, "--data-dir", dataDir}, addr: addr})
	credsPath := filepath.Join(dataDir, "credentials.json")
	info, err := os.Stat(credsPath)
	mustNoErr(t, err, "stat generated credentials")
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("%s has mode %o, want 600", credsPath, mode)
	}
	raw, err := os.ReadFile(credsPath)
	mustNoErr(t, err, "read credentials")
	var creds struct {
		AccessKey string `json:"access_key"`
		SecretKey string `json:"secret_key"`
	}
	mustNoErr(t, json.Unmarshal(raw, &creds), "parse %s", credsPath)
	if len(creds.AccessKey) < 16 || len(creds.SecretKey) < 30 {
		t.Fatalf("generated key pair looks weak: %q / %d-char secret", creds.AccessKey, len(creds.SecretKey))
	}
	printed := g.stdout.String() + g.stderr.String()
	if !strings.Contains(printed, creds.AccessKey) || !strings.Contains(printed, creds.SecretKey) {
		t.Errorf("first start did not print the generated pair; output:\n%s", printed)
	}
	g.accessKey, g.secretKey = creds.AccessKey, creds.SecretKey
	ctx := testContext(t, time.Minute)
	_, err = g.sdkClient().ListBuckets(ctx, &s3.ListBucketsInput{})
	mustNoErr(t, err, "ListBuckets with the generated pair")
	g.stop()

	g2 := launch(t, launchSpec{args: []string{"--listen", addr, "--data-dir", dataDir}, addr: addr})
	if out := g2.stdout.String() + g2.stderr.String(); strings.Contains(out, creds.SecretKey) {
		t.Errorf("second start printed the secret again:\n%s", out)
	}
	g2.accessKey, g2.secretKey = creds.AccessKey, creds.SecretKey
	_, err = g2.sdkClient().ListBuckets(ctx, &s3.ListBucketsInput{})
	mustNoErr(t, err, "ListBuckets with the stored pair after a restart")
	after, err := os.ReadFile(credsPath)
	mustNoErr(t, err, "read credentials after restart")
	if !bytes.Equal(after, raw) {
		t.Errorf("credentials file changed on the second start")
	}
}

func TestHelpListsEveryFlag(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, terngateBinary, "--help")
	cmd.Env = scrubbedEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("terngate --help: %v (want exit 0)", err)
	}
	for _, flag := range []string{"listen", "data-dir", "access-key", "secret-key", "region", "domain", "config"} {
		if !strings.Contains(string(out), "-"+flag) {
			t.Errorf("--help does not mention --%s:\n%s", flag, out)
		}
	}
}

// TestConfigPrecedence sets the listen address in the YAML file, the
// environment and a flag: flag beats environment beats file.
func TestConfigPrecedence(t *testing.T) {
	dataDir := newDataDir(t)
	fileAddr, envAddr, flagAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	configPath := filepath.Join(t.TempDir(), "terngate.yaml")
	yaml := "listen: " + fileAddr + "\ndata-dir: " + dataDir + "\naccess-key: " + testAccessKey + "\nsecret-key: " + testSecretKey + "\n"
	mustNoErr(t, os.WriteFile(configPath, []byte(yaml), 0o600), "write config")

	cases := []struct {
		name string
		args []string
		env  []string
		addr string
	}{
		{"file only", []string{"--config", configPath}, nil, fileAddr},
		{"env beats file", []string{"--config", configPath}, []string{"TERNGATE_LISTEN=" + envAddr}, envAddr},
		{"flag beats env", []string{"--config", configPath, "--listen", flagAddr}, []string{"TERNGATE_LISTEN=" + envAddr}, flagAddr},
		{"config file from env", nil, []string{"TERNGATE_CONFIG=" + configPath}, fileAddr},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := launch(t, launchSpec{args: tc.args, env: tc.env, addr: tc.addr})
			g.accessKey, g.secretKey = testAccessKey, testSecretKey
			_, err := g.sdkClient().ListBuckets(testContext(t, time.Minute), &s3.ListBucketsInput{})
			mustNoErr(t, err, "ListBuckets with the key pair from the config file")
			g.stop()
		})
	}
	t.Run("secret from env", func(t *testing.T) {
		g := launch(t, launchSpec{
			args: []string{"--listen", flagAddr, "--data-dir", dataDir},
			env:  []string{"TERNGATE_ACCESS_KEY=ENVKEY0000000000", "TERNGATE_SECRET_KEY=envsecret"},
			addr: flagAddr,
		})
		g.accessKey, g.secretKey = "ENVKEY0000000000", "envsecret"
		_, err := g.sdkClient().ListBuckets(testContext(t, time.Minute), &s3.ListBucketsInput{})
		mustNoErr(t, err, "ListBuckets with the key pair from the environment")
		g.stop()
	})
}

// TestSecondGatewayOnAHeldDataDir: a second gateway started on a data dir
// that a running one holds stops at once, naming the holder, and writes
// nothing there first: no generated key pair, no self-signed certificate.
// (Issue 13, "a newcomer's first hour": it used to generate both and then
// wait out the embedded tracker's timeout.)
// Source: terngate issue 13 ("A newcomer's first hour").
func TestSecondGatewayOnAHeldDataDir(t *testing.T) {
	dataDir := newDataDir(t)
	first := startGateway(t, dataDir)
	ctx := testContext(t, 30*time.Second)
	cmd := exec.CommandContext(ctx, terngateBinary, withTernFSStore([]string{
		"--listen", freeAddr(t), "--admin-listen", "", "--data-dir", dataDir, "--tls-self-signed",
	})...)
	cmd.Env = scrubbedEnv()
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the second gateway did not stop within 30 s; output:\n%s", out)
	}
	if err == nil {
		t.Fatalf("the second gateway started on a held data dir; output:\n%s", out)
	}
	want := fmt.Sprintf("data dir %s is in use by pid %d", dataDir, first.cmd.Process.Pid)
	if !strings.Contains(string(out), want) {
		t.Errorf("the second gateway's output lacks %q:\n%s", want, out)
	}
	for _, name := range []string{"credentials.json", "tls"} {
		if _, err := os.Stat(filepath.Join(dataDir, name)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the failed start left %s in the data dir (stat: %v)", name, err)
		}
	}
}

// TestFailedStartKeepsNoCredentials: a start that fails after the key pair
// would be generated (here its listen address is taken) stores none and
// prints none, so the next start does not hand out a pair nobody saw work.
// Source: terngate issue 13 ("A newcomer's first hour").
func TestFailedStartKeepsNoCredentials(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	mustNoErr(t, err, "listen")
	defer taken.Close()
	dataDir := newDataDir(t)
	cmd := exec.Command(terngateBinary, withTernFSStore([]string{
		"--listen", taken.Addr().String(), "--admin-listen", "", "--data-dir", dataDir,
	})...)
	cmd.Env = scrubbedEnv()
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the gateway started on a taken address; output:\n%s", out)
	}
	if !strings.Contains(string(out), "address already in use") {
		t.Errorf("the failure does not say why:\n%s", out)
	}
	if strings.Contains(string(out), "secret key") {
		t.Errorf("a failed start printed a key pair:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "credentials.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed start stored credentials (stat: %v)", err)
	}
}
