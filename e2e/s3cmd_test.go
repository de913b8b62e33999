package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestS3cmdHTTP(t *testing.T) {
	checkS3cmd(t, startGateway(t, newDataDir(t)))
}

func TestS3cmdHTTPS(t *testing.T) {
	checkS3cmd(t, startTLSGateway(t, newDataDir(t)))
}

// md5Line is s3cmd info's "   MD5 sum:   <hex>" line.
var md5Line = regexp.MustCompile(`(?m)^\s*MD5 sum:\s*([0-9a-f]{32})\s*$`)

func checkS3cmd(t *testing.T, g *gateway) {
	s3cmd := newS3cmd(t, g)
	work := t.TempDir()
	data := patternBytes(91, 1<<20+3)
	src := writeTemp(t, work, "upload.bin", data)
	sum := md5.Sum(data)
	wantMD5 := hex.EncodeToString(sum[:])

	s3cmd.must("mb", "s3://s3cmd-bucket")
	s3cmd.must("put", src, "s3://s3cmd-bucket/dir/object.bin")
	dst := filepath.Join(work, "download.bin")
	s3cmd.must("get", "s3://s3cmd-bucket/dir/object.bin", dst)
	expectFileBytes(t, dst, data)

	listing := s3cmd.must("ls", "--recursive", "s3://s3cmd-bucket")
	wantLine := regexp.MustCompile(fmt.Sprintf(`(?m)^\d{4}-\d\d-\d\d \d\d:\d\d +%d +s3://s3cmd-bucket/dir/object\.bin$`, len(data)))
	if !wantLine.MatchString(listing) {
		t.Errorf("s3cmd ls does not list the object with its size %d:\n%s", len(data), listing)
	}

	info := s3cmd.must("info", "s3://s3cmd-bucket/dir/object.bin")
	m := md5Line.FindStringSubmatch(info)
	if m == nil || m[1] != wantMD5 {
		t.Errorf("s3cmd info MD5 sum %v, want %s:\n%s", m, wantMD5, info)
	}
	// The MD5 s3cmd shows must also be the ETag the gateway serves.
	head := g.do(t, testContext(t, time.Minute), rawRequest{method: "HEAD", rawPath: "/s3cmd-bucket/dir/object.bin"})
	if etag := head.header.Get("ETag"); etag != `"`+wantMD5+`"` {
		t.Errorf("ETag %s, want the MD5 s3cmd shows %q", etag, wantMD5)
	}

	s3cmd.must("del", "s3://s3cmd-bucket/dir/object.bin")
	if listing := s3cmd.must("ls", "--recursive", "s3://s3cmd-bucket"); strings.TrimSpace(listing) != "" {
		t.Errorf("the bucket still lists objects after del:\n%s", listing)
	}
	s3cmd.must("rb", "s3://s3cmd-bucket")
	if buckets := s3cmd.must("ls"); strings.Contains(buckets, "s3cmd-bucket") {
		t.Errorf("the bucket is still listed after rb:\n%s", buckets)
	}
}

// s3cmdRunner runs s3cmd with a private config: path-style addressing
// (host_bucket is the endpoint itself), SigV4, and the CA for HTTPS.
type s3cmdRunner struct {
	t      *testing.T
	path   string
	config string
	env    []string
}

func newS3cmd(t *testing.T, g *gateway) *s3cmdRunner {
	path := requireTool(t, "s3cmd", "s3cmd")
	dir := t.TempDir()
	useHTTPS := "False"
	tlsLines := ""
	if g.caFile != "" {
		useHTTPS = "True"
		tlsLines = "check_ssl_certificate = True\ncheck_ssl_hostname = True\nca_certs_file = " + g.caFile + "\n"
	}
	config := fmt.Sprintf(`[default]
access_key = %s
secret_key = %s
host_base = %s
host_bucket = %s
use_https = %s
signature_v2 = False
bucket_location = %s
%s`, g.accessKey, g.secretKey, g.addr, g.addr, useHTTPS, testRegion, tlsLines)
	configFile := filepath.Join(dir, "s3cfg")
	mustNoErr(t, os.WriteFile(configFile, []byte(config), 0o600), "write s3cmd config")
	return &s3cmdRunner{t: t, path: path, config: configFile, env: append(scrubbedEnv(), "HOME="+dir)}
}

func (s *s3cmdRunner) must(args ...string) string {
	s.t.Helper()
	cmd := exec.Command(s.path, append([]string{"--config", s.config, "--no-progress"}, args...)...)
	cmd.Env = s.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		s.t.Fatalf("s3cmd %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}
