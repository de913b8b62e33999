package compat

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// rcloneScenario: sync a tree up, check sizes and hashes, server-side copy
// to a second bucket (CopyObject), move within it, sync it back down.
// The remote is configured the way rclone documents for environments:
// RCLONE_CONFIG_<NAME>_* variables, provider Other, path style, and the
// endpoint given with --s3-endpoint.
func rcloneScenario(t *testing.T, g *gateway) (string, []step, error) {
	path, err := lookTool("rclone", "apt-get install rclone")
	if err != nil {
		return "", nil, err
	}
	work := t.TempDir()
	env := append(cleanEnv(),
		"HOME="+work,
		"RCLONE_CONFIG="+filepath.Join(work, "rclone.conf"),
		"RCLONE_CONFIG_TG_TYPE=s3",
		"RCLONE_CONFIG_TG_PROVIDER=Other",
		"RCLONE_CONFIG_TG_ACCESS_KEY_ID="+accessKey,
		"RCLONE_CONFIG_TG_SECRET_ACCESS_KEY="+secretKey,
		"RCLONE_CONFIG_TG_REGION="+region,
		"RCLONE_CONFIG_TG_FORCE_PATH_STYLE=true",
	)
	rclone := command{path: path, env: env, dir: work}
	run := func(args ...string) (string, error) {
		// -v makes rclone say what it did (e.g. "server-side copy"); one
		// attempt, because a retry would hide a failure.
		return rclone.combined(append(args, "--s3-endpoint", g.endpoint(), "-v", "--retries", "1", "--low-level-retries", "1")...)
	}
	banner, err := rclone.run("version")
	if err != nil {
		return "", nil, err
	}
	treeDir, downDir := filepath.Join(work, "tree"), filepath.Join(work, "down")
	var tree map[string][]byte

	steps := []step{
		{"write tree", func() (err error) { tree, err = writeTree(treeDir, 81, 6*mib); return err }},
		{"mkdir", func() error {
			if _, err := run("mkdir", "tg:rclone-a"); err != nil {
				return err
			}
			_, err := run("mkdir", "tg:rclone-b")
			return err
		}},
		{"sync up", func() error { _, err := run("sync", treeDir, "tg:rclone-a/tree"); return err }},
		{"check size+hash", func() error {
			out, err := run("check", treeDir, "tg:rclone-a/tree")
			if err != nil {
				return err
			}
			if want := fmt.Sprintf("%d matching files", len(tree)); !strings.Contains(out, "0 differences found") || !strings.Contains(out, want) {
				return fmt.Errorf("rclone check: want 0 differences and %s:\n%s", want, out)
			}
			// The hashes rclone compared are the gateway's ETags: list them.
			sums, err := rclone.run("md5sum", "tg:rclone-a/tree", "--s3-endpoint", g.endpoint())
			if err != nil {
				return err
			}
			for rel, data := range tree {
				if !strings.Contains(sums, md5Hex(data)+"  "+rel+"\n") {
					return fmt.Errorf("rclone md5sum lacks %s %s:\n%s", md5Hex(data), rel, sums)
				}
			}
			return nil
		}},
		{"server-side copy", func() error {
			out, err := run("copy", "tg:rclone-a/tree", "tg:rclone-b/tree")
			if err != nil {
				return err
			}
			if n := strings.Count(out, "Copied (server-side copy)"); n != len(tree) {
				return fmt.Errorf("%d of %d files were copied server-side:\n%s", n, len(tree), out)
			}
			out, err = run("check", "tg:rclone-a/tree", "tg:rclone-b/tree")
			if err == nil && !strings.Contains(out, "0 differences found") {
				err = fmt.Errorf("the copy differs from its source:\n%s", out)
			}
			return err
		}},
		{"move", func() error {
			if _, err := run("move", "tg:rclone-b/tree", "tg:rclone-b/moved"); err != nil {
				return err
			}
			out, err := rclone.run("lsf", "-R", "--files-only", "tg:rclone-b", "--s3-endpoint", g.endpoint())
			if err != nil {
				return err
			}
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if !strings.HasPrefix(line, "moved/") {
					return fmt.Errorf("after the move, rclone-b still holds %q:\n%s", line, out)
				}
			}
			if got := len(regexp.MustCompile(`(?m)^moved/`).FindAllString(out, -1)); got != len(tree) {
				return fmt.Errorf("%d files under moved/, want %d:\n%s", got, len(tree), out)
			}
			return nil
		}},
		{"sync down", func() error {
			if _, err := run("sync", "tg:rclone-b/moved", downDir); err != nil {
				return err
			}
			return compareTree(downDir, tree)
		}},
		{"purge", func() error {
			for _, bucket := range []string{"tg:rclone-a", "tg:rclone-b"} {
				if _, err := run("purge", bucket); err != nil {
					return err
				}
			}
			out, err := rclone.run("lsd", "tg:", "--s3-endpoint", g.endpoint())
			if err == nil && strings.Contains(out, "rclone-") {
				err = fmt.Errorf("buckets remain after purge:\n%s", out)
			}
			return err
		}},
	}
	return strings.TrimPrefix(firstLine(banner), "rclone "), steps, nil
}
