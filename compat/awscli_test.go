package compat

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The AWS CLI v1 lives in Python's scripts directory (pyenv here); the
// Debian package installs v2 as /usr/bin/aws. Each is run by absolute path
// so neither shadows the other.
const debianAWSCLIv2 = "/usr/bin/aws"

func awsCLIv1Scenario(t *testing.T, g *gateway) (string, []step, error) {
	path, err := findAWSCLIv1()
	if err != nil {
		return "", nil, err
	}
	return awsCLIScenario(t, g, path, "aws-cli/1.", true)
}

func awsCLIv2Scenario(t *testing.T, g *gateway) (string, []step, error) {
	return awsCLIScenario(t, g, debianAWSCLIv2, "aws-cli/2.", false)
}

// findAWSCLIv1 looks next to python3 (where pip installs it) and then on
// PATH.
func findAWSCLIv1() (string, error) {
	candidates := []string{}
	if out, err := exec.Command("python3", "-c", "import sysconfig; print(sysconfig.get_path('scripts'))").Output(); err == nil {
		candidates = append(candidates, filepath.Join(strings.TrimSpace(string(out)), "aws"))
	}
	if path, err := exec.LookPath("aws"); err == nil {
		candidates = append(candidates, path)
	}
	for _, path := range candidates {
		if out, err := exec.Command(path, "--version").CombinedOutput(); err == nil && strings.HasPrefix(string(out), "aws-cli/1.") {
			return path, nil
		}
	}
	return "", fmt.Errorf("no AWS CLI v1 next to python3 or on PATH (tried %v); install it with `pip install awscli`", candidates)
}

// awsCLIScenario: mb, cp up and down (small, and 20 MiB in 8 MiB parts),
// sync up and down, ls, rm, rb. defaultCRC32 says the CLI sends a CRC32
// with every upload unasked (v1 since 1.37), which the gateway must keep.
func awsCLIScenario(t *testing.T, g *gateway, path, wantPrefix string, defaultCRC32 bool) (string, []step, error) {
	banner, err := exec.Command(path, "--version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(banner), wantPrefix) {
		return "", nil, fmt.Errorf("%s is not %s… (%v: %s); install v2 with `apt-get install awscli`, v1 with `pip install awscli`", path, wantPrefix, err, banner)
	}
	version, _, _ := strings.Cut(strings.TrimPrefix(string(banner), "aws-cli/"), " ")

	work := t.TempDir()
	aws := newAWSCLI(t, g, path, work)
	const bucket = "cli-bucket"
	small := randomBytes(11, 100*1024+7)
	large := randomBytes(12, 20*mib)
	smallFile, largeFile := filepath.Join(work, "small.bin"), filepath.Join(work, "large.bin")
	treeDir, downDir := filepath.Join(work, "tree"), filepath.Join(work, "down")
	var tree map[string][]byte

	steps := []step{
		{"write local files", func() (err error) {
			if err = writeFile(smallFile, small); err == nil {
				err = writeFile(largeFile, large)
			}
			if err == nil {
				tree, err = writeTree(treeDir, 13, 9*mib)
			}
			return err
		}},
		{"mb", func() error {
			if _, err := aws.run("s3", "mb", "s3://"+bucket); err != nil {
				return err
			}
			out, err := aws.run("s3", "ls")
			if err == nil && !strings.Contains(out, " "+bucket+"\n") {
				err = fmt.Errorf("aws s3 ls does not list %s:\n%s", bucket, out)
			}
			return err
		}},
		{"cp up small", func() error {
			if _, err := aws.run("s3", "cp", smallFile, "s3://"+bucket+"/small.bin"); err != nil {
				return err
			}
			return aws.expectHead(bucket, "small.bin", len(small), quotedMD5(small))
		}},
		{"cp up 20 MiB multipart", func() error {
			if _, err := aws.run("s3", "cp", largeFile, "s3://"+bucket+"/large.bin"); err != nil {
				return err
			}
			return aws.expectHead(bucket, "large.bin", len(large), multipartETag(large, 8*mib))
		}},
		{"cp down", func() error {
			for name, data := range map[string][]byte{"small.bin": small, "large.bin": large} {
				dst := filepath.Join(work, "copy-of-"+name)
				if _, err := aws.run("s3", "cp", "s3://"+bucket+"/"+name, dst); err != nil {
					return err
				}
				if err := expectFile(dst, data); err != nil {
					return err
				}
			}
			return nil
		}},
		{"sync up", func() error {
			if _, err := aws.run("s3", "sync", treeDir, "s3://"+bucket+"/tree/"); err != nil {
				return err
			}
			// Nothing changed, so a second sync must find nothing to do.
			out, err := aws.run("s3", "sync", treeDir, "s3://"+bucket+"/tree/")
			if err == nil && strings.TrimSpace(out) != "" {
				err = fmt.Errorf("a repeated sync of an unchanged tree transferred again:\n%s", out)
			}
			return err
		}},
		{"ls", func() error {
			out, err := aws.run("s3", "ls", "--recursive", "s3://"+bucket+"/tree/")
			if err != nil {
				return err
			}
			return expectListed(out, "tree/", tree)
		}},
		{"sync down", func() error {
			if _, err := aws.run("s3", "sync", "s3://"+bucket+"/tree/", downDir); err != nil {
				return err
			}
			return compareTree(downDir, tree)
		}},
		{"rm", func() error {
			if _, err := aws.run("s3", "rm", "s3://"+bucket+"/small.bin"); err != nil {
				return err
			}
			if _, err := aws.run("s3api", "head-object", "--bucket", bucket, "--key", "small.bin"); err == nil || !strings.Contains(err.Error(), "404") {
				return fmt.Errorf("head-object after rm: want a 404, got %v", err)
			}
			if _, err := aws.run("s3", "rm", "--recursive", "s3://"+bucket); err != nil {
				return err
			}
			out, err := aws.run("s3", "ls", "--recursive", "s3://"+bucket)
			if err == nil && strings.TrimSpace(out) != "" {
				err = fmt.Errorf("objects remain after rm --recursive:\n%s", out)
			}
			return err
		}},
		{"rb", func() error {
			if _, err := aws.run("s3", "rb", "s3://"+bucket); err != nil {
				return err
			}
			out, err := aws.run("s3", "ls")
			if err == nil && strings.Contains(out, " "+bucket+"\n") {
				err = fmt.Errorf("%s is still listed after rb:\n%s", bucket, out)
			}
			return err
		}},
	}
	if defaultCRC32 {
		// Inserted after "cp up small": the CRC32 the CLI sent on its own.
		crcStep := step{"default CRC32 kept", func() error {
			out, err := aws.run("s3api", "head-object", "--bucket", bucket, "--key", "small.bin", "--checksum-mode", "ENABLED")
			if err != nil {
				return err
			}
			var head struct{ ChecksumCRC32 string }
			if err := json.Unmarshal([]byte(out), &head); err != nil {
				return fmt.Errorf("head-object output: %v\n%s", err, out)
			}
			if want := crc32Base64(small); head.ChecksumCRC32 != want {
				return fmt.Errorf("ChecksumCRC32 %q, want %q (the CLI's default checksum)", head.ChecksumCRC32, want)
			}
			return nil
		}}
		steps = append(steps[:3], append([]step{crcStep}, steps[3:]...)...)
	}
	return version, steps, nil
}

func crc32Base64(b []byte) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(b)))
}

// awsCLI is one AWS CLI with a private configuration: path-style
// addressing, static keys, no retries (a retry would hide a failure).
type awsCLI struct {
	command
	endpoint string
}

func newAWSCLI(t *testing.T, g *gateway, path, work string) *awsCLI {
	home := filepath.Join(work, "home")
	configFile := filepath.Join(home, "config")
	if err := writeFile(configFile, []byte("[default]\nregion = "+region+"\noutput = json\ns3 =\n    addressing_style = path\n")); err != nil {
		t.Fatal(err)
	}
	env := append(cleanEnv(),
		"HOME="+home,
		"AWS_ACCESS_KEY_ID="+accessKey,
		"AWS_SECRET_ACCESS_KEY="+secretKey,
		"AWS_CONFIG_FILE="+configFile,
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_PAGER=",
	)
	if g.tls() {
		env = append(env, "AWS_CA_BUNDLE="+g.caFile)
	}
	return &awsCLI{command: command{path: path, env: env, dir: work}, endpoint: g.endpoint()}
}

func (c *awsCLI) run(args ...string) (string, error) {
	return c.command.run(append(args, "--endpoint-url", c.endpoint)...)
}

// expectHead checks an object's size and ETag through s3api head-object.
func (c *awsCLI) expectHead(bucket, key string, size int, etag string) error {
	out, err := c.run("s3api", "head-object", "--bucket", bucket, "--key", key)
	if err != nil {
		return err
	}
	var head struct {
		ETag          string
		ContentLength int
	}
	if err := json.Unmarshal([]byte(out), &head); err != nil {
		return fmt.Errorf("head-object output: %v\n%s", err, out)
	}
	if head.ETag != etag || head.ContentLength != size {
		return fmt.Errorf("%s: ETag %s and size %d, want %s and %d", key, head.ETag, head.ContentLength, etag, size)
	}
	return nil
}

// expectListed checks `aws s3 ls --recursive` lines ("date time size key")
// against tree stored under prefix: every file, with its size, nothing more.
func expectListed(out, prefix string, tree map[string][]byte) error {
	line := regexp.MustCompile(`^\S+ \S+ +(\d+) (.+)$`)
	listed := map[string]string{}
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			return fmt.Errorf("unexpected ls line %q in:\n%s", l, out)
		}
		listed[m[2]] = m[1]
	}
	for rel, data := range tree {
		if size, ok := listed[prefix+rel]; !ok || size != fmt.Sprint(len(data)) {
			return fmt.Errorf("ls shows %s with size %q, want %d:\n%s", prefix+rel, size, len(data), out)
		}
	}
	if len(listed) != len(tree) {
		return fmt.Errorf("ls shows %d objects, want %d:\n%s", len(listed), len(tree), out)
	}
	return nil
}
