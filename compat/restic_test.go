package compat

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// resticScenario: init, backup, check --read-data, restore, a second
// backup of a changed tree, forget + prune, and the same checks again.
// restic talks S3 through minio-go: signed aws-chunked bodies over HTTP.
func resticScenario(t *testing.T, g *gateway) (string, []step, error) {
	path, err := lookTool("restic", "apt-get install restic")
	if err != nil {
		return "", nil, err
	}
	work := t.TempDir()
	treeDir := filepath.Join(work, "tree")
	env := append(cleanEnv(),
		"HOME="+work,
		"AWS_ACCESS_KEY_ID="+accessKey,
		"AWS_SECRET_ACCESS_KEY="+secretKey,
		"AWS_DEFAULT_REGION="+region,
		"RESTIC_REPOSITORY=s3:"+g.endpoint()+"/restic-bucket/repo",
		"RESTIC_PASSWORD=compat suite password",
		"RESTIC_CACHE_DIR="+filepath.Join(work, "cache"),
	)
	restic := command{path: path, env: env, dir: work}
	banner, err := restic.run("version")
	if err != nil {
		return "", nil, err
	}
	version := strings.TrimPrefix(strings.Fields(firstLine(banner) + " ? ?")[1], "v")
	var tree map[string][]byte

	inTree := command{path: path, env: env, dir: treeDir}
	check := func() error {
		out, err := restic.combined("check", "--read-data")
		if err == nil && !strings.Contains(out, "no errors were found") {
			err = fmt.Errorf("restic check --read-data did not report a clean repository:\n%s", out)
		}
		return err
	}
	restore := func(target string) error {
		if _, err := restic.run("restore", "latest", "--target", target); err != nil {
			return err
		}
		return compareTree(target, tree)
	}
	steps := []step{
		{"write tree", func() (err error) { tree, err = writeTree(treeDir, 61, 3*mib); return err }},
		{"init", func() error { _, err := restic.run("init"); return err }},
		{"backup", func() error { _, err := inTree.run("backup", "."); return err }},
		{"check --read-data", check},
		{"restore", func() error { return restore(filepath.Join(work, "restore-1")) }},
		{"backup a changed tree", func() error {
			tree["a/one.bin"] = randomBytes(62, 5000)
			tree["new/file.bin"] = randomBytes(63, 2*mib)
			delete(tree, "a/two.bin")
			for _, rel := range []string{"a/one.bin", "new/file.bin"} {
				if err := writeFile(filepath.Join(treeDir, rel), tree[rel]); err != nil {
					return err
				}
			}
			if err := os.Remove(filepath.Join(treeDir, "a/two.bin")); err != nil {
				return err
			}
			_, err := inTree.run("backup", ".")
			return err
		}},
		{"forget + prune", func() error {
			if _, err := restic.combined("forget", "--keep-last", "1", "--prune"); err != nil {
				return err
			}
			out, err := restic.run("snapshots", "--json")
			if err != nil {
				return err
			}
			var snapshots []json.RawMessage
			if err := json.Unmarshal([]byte(out), &snapshots); err != nil {
				return fmt.Errorf("restic snapshots --json: %v\n%s", err, out)
			}
			if len(snapshots) != 1 {
				return fmt.Errorf("%d snapshots after forget --keep-last 1, want 1", len(snapshots))
			}
			return nil
		}},
		{"check after prune", check},
		{"restore after prune", func() error { return restore(filepath.Join(work, "restore-2")) }},
	}
	return version, steps, nil
}
