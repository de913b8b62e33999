package ternfsbench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/terngate/terngate/bench/payload"
	"github.com/terngate/terngate/bench/s3bench"
	"github.com/terngate/terngate/bench/s3client"
	"github.com/terngate/terngate/bench/workload"
	"github.com/terngate/terngate/internal/syncbuf"
)

// tool runs an external program, one process per copy, and adds up the CPU
// time its processes used.
type tool struct {
	bin string
	env []string // nil: this process's environment
	cpu atomic.Int64
}

func (t *tool) toolCPU() time.Duration { return time.Duration(t.cpu.Load()) }

// run runs the program to completion; a failure carries the end of its
// output.
func (t *tool) run(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, t.bin, args...)
	cmd.Env = t.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ps := cmd.ProcessState; ps != nil {
		t.cpu.Add(int64(ps.UserTime() + ps.SystemTime()))
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(t.bin), strings.Join(args, " "), err, syncbuf.Tail(out.String(), 2000))
	}
	return nil
}

// localFiles are the bodies terncli and the AWS CLI upload, as files: the
// same bytes the S3 client sends (seed = worker).
type localFiles struct{ dir string }

func (f localFiles) path(size int64, worker int) string {
	return filepath.Join(f.dir, fmt.Sprintf("body-%s-%d", s3bench.FormatSize(size), worker))
}

// write stores the body of worker and size, fsynced so that no writeback
// of it competes with a timed phase.
func (f localFiles) write(p *payload.Pattern, size int64, worker int) (err error) {
	file, err := os.Create(f.path(size, worker))
	if err != nil {
		return fmt.Errorf("local body: %w", err)
	}
	defer func() {
		if cerr := file.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("local body: %w", cerr)
		}
	}()
	if _, err := io.CopyBuffer(file, p.NewBody(int64(worker), size), make([]byte, 1<<20)); err != nil {
		return fmt.Errorf("local body: %w", err)
	}
	if err := file.Sync(); err != nil {
		return fmt.Errorf("local body: fsync: %w", err)
	}
	return nil
}

// terncliTarget copies with TernFS's own client: cp-into from a local
// file, cp-outof to /dev/null.
type terncliTarget struct {
	tool
	registry string
	root     string
	files    localFiles
}

func newTerncli(bin, registry, root string, files localFiles) *terncliTarget {
	return &terncliTarget{tool: tool{bin: bin}, registry: registry, root: root, files: files}
}

func (t *terncliTarget) name() string   { return terncliName }
func (t *terncliTarget) serverPid() int { return 0 }

func (t *terncliTarget) does(o Op) string {
	if o == Put {
		return "terncli cp-into"
	}
	return "terncli cp-outof"
}

// args is the command line of one copy.
func (t *terncliTarget) args(o Op, size int64, worker int) []string {
	if o == Put {
		return []string{"-registry", t.registry, "cp-into",
			"-i", t.files.path(size, worker), "-o", path.Join(t.root, terncliBucket, putKey(size, worker))}
	}
	return []string{"-registry", t.registry, "cp-outof",
		"-i", path.Join(t.root, terngateBucket, getKey(size, worker)), "-o", os.DevNull}
}

func (t *terncliTarget) workload(o Op, size int64) (workload.Op, bool) {
	return func(ctx context.Context, w, seq int) (int64, error) {
		return size, t.run(ctx, t.args(o, size, w)...)
	}, true
}

// collect removes the snapshot edges of directory dir (a decimal inode
// id) that its SNAPSHOT policy no longer keeps, at once rather than after
// the garbage collector's minimum edge age.
func (t *terncliTarget) collect(ctx context.Context, dir uint64) error {
	return t.run(ctx, "-registry", t.registry, "collect", "-dir", fmt.Sprint(dir), "-min-edge-age", "0s")
}

// awsTarget uploads with `aws s3 cp` through a terngate, with the CLI's
// defaults (multipart above 8 MiB, 8 MiB parts, 10 requests at once): a
// config file of its own keeps the user's settings out. The terngate is
// the one on the cluster, or (awsLocalName) one on the local store, which
// shows what the CLI itself can do on this machine.
type awsTarget struct {
	tool
	label       string
	description string // what does reports
	endpoint    string
	terngatePid int
	files       localFiles
	cliVersion  string
}

func newAWSTarget(ctx context.Context, label, description, bin, endpoint string, terngatePid int, creds s3client.Credentials, files localFiles, workDir string) (*awsTarget, error) {
	config := filepath.Join(workDir, "aws-config")
	if err := os.WriteFile(config, nil, 0o600); err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	t := &awsTarget{
		tool:        tool{bin: bin, env: awsEnv(os.Environ(), creds, config)},
		label:       label,
		description: description,
		endpoint:    endpoint,
		terngatePid: terngatePid,
		files:       files,
	}
	version, err := exec.CommandContext(ctx, bin, "--version").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s --version: %w: %s", bin, err, version)
	}
	t.cliVersion = strings.TrimSpace(string(version))
	return t, nil
}

// awsEnv is environ without AWS settings, plus the key pair, the region
// and an empty config and credentials file.
func awsEnv(environ []string, creds s3client.Credentials, config string) []string {
	var env []string
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"AWS_ACCESS_KEY_ID="+creds.AccessKey,
		"AWS_SECRET_ACCESS_KEY="+creds.SecretKey,
		"AWS_DEFAULT_REGION="+s3client.DefaultRegion,
		"AWS_CONFIG_FILE="+config,
		"AWS_SHARED_CREDENTIALS_FILE="+config,
		"AWS_EC2_METADATA_DISABLED=true",
	)
}

func (t *awsTarget) name() string     { return t.label }
func (t *awsTarget) serverPid() int   { return t.terngatePid }
func (t *awsTarget) does(o Op) string { return t.description }

func (t *awsTarget) args(size int64, worker int) []string {
	return []string{"--endpoint-url", t.endpoint, "s3", "cp", "--no-progress", "--only-show-errors",
		t.files.path(size, worker), "s3://" + terngateBucket + "/aws-" + putKey(size, worker)}
}

// workload uploads only: the CLI's download writes a local file, which
// would measure the local disk as much as the gateway.
func (t *awsTarget) workload(o Op, size int64) (workload.Op, bool) {
	if o != Put {
		return nil, false
	}
	return func(ctx context.Context, w, seq int) (int64, error) {
		return size, t.run(ctx, t.args(size, w)...)
	}, true
}
