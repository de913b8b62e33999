package ternfsbench

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/terngate/terngate/bench/payload"
	"github.com/terngate/terngate/bench/s3client"
)

// fakeTool writes a shell script that appends its arguments to a log and
// fails when its first argument is "-fail".
func fakeTool(t *testing.T) (bin, log string) {
	t.Helper()
	dir := t.TempDir()
	bin, log = filepath.Join(dir, "terncli"), filepath.Join(dir, "calls")
	script := "#!/bin/sh\necho \"$@\" >> " + log + "\nif [ \"$1\" = -fail ]; then echo 'panic: no such file' >&2; exit 2; fi\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, log
}

// TestTerncliCopiesTheSameBytesAndPaths checks the command lines of
// terncli's copies: cp-into of the worker's local body to its key in the
// terncli bucket, cp-outof of the object terngate wrote to /dev/null.
func TestTerncliCopiesTheSameBytesAndPaths(t *testing.T) {
	bin, log := fakeTool(t)
	files := localFiles{dir: t.TempDir()}
	if err := files.write(payload.NewPattern(), 3000, 1); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(files.path(3000, 1)); err != nil || info.Size() != 3000 {
		t.Fatalf("local body: %v, %v", info, err)
	}
	tc := newTerncli(bin, "10.0.0.1:10001", "/terngate-bench/7", files)
	for _, o := range []Op{Put, Get} {
		op, ok := tc.workload(o, 64<<20)
		if !ok {
			t.Fatalf("terncli does not %s", o)
		}
		n, err := op(context.Background(), 1, 0)
		if err != nil || n != 64<<20 {
			t.Fatalf("%s: %d bytes, %v", o, n, err)
		}
	}
	calls, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	want := "-registry 10.0.0.1:10001 cp-into -i " + files.path(64<<20, 1) + " -o /terngate-bench/7/terncli/put-64MiB-1\n" +
		"-registry 10.0.0.1:10001 cp-outof -i /terngate-bench/7/terngate/get-64MiB-1 -o " + os.DevNull + "\n"
	if string(calls) != want {
		t.Errorf("calls:\n%s\nwant:\n%s", calls, want)
	}
	if tc.toolCPU() <= 0 {
		t.Error("no CPU time accounted for the processes")
	}
}

func TestToolFailureCarriesItsOutput(t *testing.T) {
	bin, _ := fakeTool(t)
	tl := &tool{bin: bin}
	err := tl.run(context.Background(), "-fail", "cp-outof")
	if err == nil || !strings.Contains(err.Error(), "panic: no such file") || !strings.Contains(err.Error(), "-fail cp-outof") {
		t.Errorf("error %v: want the command line and its output", err)
	}
}

func TestAWSEnvKeepsOnlyTheRunsAWSSettings(t *testing.T) {
	env := awsEnv([]string{"PATH=/bin", "AWS_PROFILE=prod", "HOME=/root", "AWS_ENDPOINT_URL=https://s3.example"},
		s3client.Credentials{AccessKey: "AK", SecretKey: "SK"}, "/w/aws-config")
	want := []string{"PATH=/bin", "HOME=/root", "AWS_ACCESS_KEY_ID=AK", "AWS_SECRET_ACCESS_KEY=SK",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/w/aws-config", "AWS_SHARED_CREDENTIALS_FILE=/w/aws-config",
		"AWS_EC2_METADATA_DISABLED=true"}
	if !slices.Equal(env, want) {
		t.Errorf("env %q\nwant %q", env, want)
	}
	at := &awsTarget{endpoint: "http://127.0.0.1:9", files: localFiles{dir: "/w"}}
	if _, ok := at.workload(Get, 1); ok {
		t.Error("the AWS CLI target downloads; only its upload is compared")
	}
	args := strings.Join(at.args(1<<30, 0), " ")
	if args != "--endpoint-url http://127.0.0.1:9 s3 cp --no-progress --only-show-errors /w/body-1GiB-0 s3://terngate/aws-put-1GiB-0" {
		t.Errorf("aws args %q", args)
	}
}
