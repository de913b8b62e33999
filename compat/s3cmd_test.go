package compat

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// s3cmdInfoMD5 is s3cmd info's "   MD5 sum:   <hex>" line.
var s3cmdInfoMD5 = regexp.MustCompile(`(?m)^\s*MD5 sum:\s*([0-9a-f]{32})\s*$`)

// s3cmdScenario: mb, put (single and multipart), get, ls, info, del, rb.
func s3cmdScenario(t *testing.T, g *gateway) (string, []step, error) {
	path, err := lookTool("s3cmd", "apt-get install s3cmd")
	if err != nil {
		return "", nil, err
	}
	work := t.TempDir()
	config := filepath.Join(work, "s3cfg")
	// Path-style addressing: host_bucket is the endpoint itself.
	err = writeFile(config, fmt.Appendf(nil, "[default]\naccess_key = %s\nsecret_key = %s\nhost_base = %s\nhost_bucket = %s\nuse_https = False\nsignature_v2 = False\nbucket_location = %s\n",
		accessKey, secretKey, g.addr, g.addr, region))
	if err != nil {
		return "", nil, err
	}
	s3cmd := command{path: path, env: append(cleanEnv(), "HOME="+work), dir: work}
	run := func(args ...string) (string, error) {
		return s3cmd.run(append([]string{"--config", config, "--no-progress"}, args...)...)
	}
	banner, err := s3cmd.run("--version")
	if err != nil {
		return "", nil, err
	}
	const bucket = "s3://s3cmd-bucket"
	files := map[string][]byte{"small.bin": randomBytes(71, mib+3), "multipart.bin": randomBytes(72, 12*mib+1)}

	steps := []step{
		{"write local files", func() error {
			for name, data := range files {
				if err := writeFile(filepath.Join(work, name), data); err != nil {
					return err
				}
			}
			return nil
		}},
		{"mb", func() error { _, err := run("mb", bucket); return err }},
		{"put", func() error {
			if _, err := run("put", filepath.Join(work, "small.bin"), bucket+"/dir/small.bin"); err != nil {
				return err
			}
			_, err := run("put", "--multipart-chunk-size-mb=5", filepath.Join(work, "multipart.bin"), bucket+"/dir/multipart.bin")
			return err
		}},
		{"get", func() error {
			for name, data := range files {
				dst := filepath.Join(work, "got-"+name)
				if _, err := run("get", bucket+"/dir/"+name, dst); err != nil {
					return err
				}
				if err := expectFile(dst, data); err != nil {
					return err
				}
			}
			return nil
		}},
		{"ls", func() error {
			out, err := run("ls", "--recursive", bucket)
			if err != nil {
				return err
			}
			for name, data := range files {
				line := regexp.MustCompile(fmt.Sprintf(`(?m)^\S+ \S+ +%d +%s/dir/%s$`, len(data), regexp.QuoteMeta(bucket), regexp.QuoteMeta(name)))
				if !line.MatchString(out) {
					return fmt.Errorf("s3cmd ls does not show %s with size %d:\n%s", name, len(data), out)
				}
			}
			return nil
		}},
		{"info", func() error {
			// For the multipart object s3cmd shows the MD5 it stored in
			// its own metadata; for the other, the ETag.
			for name, data := range files {
				out, err := run("info", bucket+"/dir/"+name)
				if err != nil {
					return err
				}
				if m := s3cmdInfoMD5.FindStringSubmatch(out); m == nil || m[1] != md5Hex(data) {
					return fmt.Errorf("s3cmd info %s: MD5 sum %v, want %s:\n%s", name, m, md5Hex(data), out)
				}
			}
			return nil
		}},
		{"del", func() error {
			for name := range files {
				if _, err := run("del", bucket+"/dir/"+name); err != nil {
					return err
				}
			}
			out, err := run("ls", "--recursive", bucket)
			if err == nil && strings.TrimSpace(out) != "" {
				err = fmt.Errorf("objects remain after del:\n%s", out)
			}
			return err
		}},
		{"rb", func() error {
			if _, err := run("rb", bucket); err != nil {
				return err
			}
			out, err := run("ls")
			if err == nil && strings.Contains(out, bucket) {
				err = fmt.Errorf("%s is still listed after rb:\n%s", bucket, out)
			}
			return err
		}},
	}
	return strings.TrimPrefix(firstLine(banner), "s3cmd version "), steps, nil
}
