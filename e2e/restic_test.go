package e2e

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// restic 0.14 talks to S3 through minio-go, which over HTTP sends signed
// aws-chunked bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) with Content-MD5.

func TestResticHTTP(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	tap := newWiretap(t, g)
	checkRestic(t, g, tap.server.URL)
	t.Logf("restic PUT x-amz-content-sha256 modes: %v", tap.seen())
	if tap.count(streamingSigned) == 0 {
		t.Errorf("restic sent no %s body, so the signed aws-chunked path went untested; PUT modes seen: %v", streamingSigned, tap.seen())
	}
}

func TestResticHTTPS(t *testing.T) {
	g := startTLSGateway(t, newDataDir(t))
	checkRestic(t, g, g.endpoint())
}

const streamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"

// checkRestic backs up, checks and restores a tree through endpoint (g's
// own, or a proxy in front of it).
func checkRestic(t *testing.T, g *gateway, endpoint string) {
	restic := requireTool(t, "restic", "restic")
	work := t.TempDir()
	tree := filepath.Join(work, "tree")
	writeResticTree(t, tree)

	env := append(scrubbedEnv(),
		"AWS_ACCESS_KEY_ID="+g.accessKey,
		"AWS_SECRET_ACCESS_KEY="+g.secretKey,
		"AWS_DEFAULT_REGION="+testRegion,
		"RESTIC_REPOSITORY=s3:"+endpoint+"/restic-bucket/repo",
		"RESTIC_PASSWORD=e2e restic password",
		"RESTIC_CACHE_DIR="+filepath.Join(work, "cache"),
		"HOME="+work,
	)
	var tlsArgs []string
	if g.caFile != "" {
		tlsArgs = []string{"--cacert", g.caFile}
	}
	run := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command(restic, append(append([]string(nil), tlsArgs...), args...)...)
		cmd.Env, cmd.Dir = env, dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("restic %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	run(work, "init")
	run(tree, "backup", ".")
	if out := run(work, "check", "--read-data"); !strings.Contains(out, "no errors were found") {
		t.Errorf("restic check --read-data did not report a clean repository:\n%s", out)
	}
	restored := filepath.Join(work, "restored")
	run(work, "restore", "latest", "--target", restored)
	compareTrees(t, tree, restored)
}

// writeResticTree writes nested dirs of small files (a few hundred KiB in
// all) and one 3 MiB file.
func writeResticTree(t *testing.T, root string) {
	t.Helper()
	for i := 0; i < 60; i++ {
		dir := filepath.Join(root, "d"+string(rune('a'+i%5)), "sub"+string(rune('0'+i%3)))
		mustNoErr(t, os.MkdirAll(dir, 0o755), "mkdir")
		name := filepath.Join(dir, "file"+string(rune('A'+i%26))+string(rune('a'+i/26))+".dat")
		mustNoErr(t, os.WriteFile(name, patternBytes(uint64(500+i), 1000+i*97), 0o644), "write")
	}
	mustNoErr(t, os.WriteFile(filepath.Join(root, "big.bin"), patternBytes(3, 3<<20), 0o644), "write big file")
	mustNoErr(t, os.MkdirAll(filepath.Join(root, "empty-dir"), 0o755), "mkdir empty")
}

// compareTrees fails unless got has exactly want's dirs and files, byte
// for byte.
func compareTrees(t *testing.T, want, got string) {
	t.Helper()
	wantEntries, gotEntries := readTree(t, want), readTree(t, got)
	for name, data := range wantEntries {
		other, ok := gotEntries[name]
		switch {
		case !ok:
			t.Errorf("%s is missing from the restored tree", name)
		case !bytes.Equal(data, other):
			t.Errorf("%s: restored %d bytes differ from the %d backed up", name, len(other), len(data))
		}
	}
	for name := range gotEntries {
		if _, ok := wantEntries[name]; !ok {
			t.Errorf("the restored tree has %s, which was not backed up", name)
		}
	}
}

// readTree maps each path under root to its bytes ("/" suffix and nil for
// directories).
func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	entries := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == root {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			entries[rel+"/"] = nil
			return nil
		}
		data, err := os.ReadFile(path)
		entries[rel] = data
		return err
	})
	mustNoErr(t, err, "walk %s", root)
	return entries
}

// requireTool returns the path of a client tool, failing with the Debian
// package to install when it is missing.
func requireTool(t *testing.T, name, aptPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is needed on PATH: apt-get install %s (%v)", name, aptPackage, err)
	}
	return path
}
