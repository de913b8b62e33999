package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// syncTreeNames are the files of the tree `aws s3 sync` uploads: nested
// dirs and names with spaces, '+', '%' and unicode.
func syncTreeNames() []string {
	return []string{
		"top.txt", "with space.txt", "plus+sign.txt", "percent%20.txt", "ünïcödé.txt", "日本語.txt",
		"a/one.txt", "a/two.txt", "a/b/three.txt", "a/b/c/four.txt", "a/b/c/d/five.txt",
		"dir with space/x.txt", "dir+plus/y.txt", "ü/z.txt", "empty-ish.txt", "deep/1/2/3/4/5/6/7/8/leaf.txt",
		"obj+", "obj/x", "obj1", "tilde~.txt",
	}
}

// lsLine is one object line of `aws s3 ls`: "2026-01-01 10:00:00  123 key".
var lsLine = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\d+ (.*)$`)

func writeTree(t *testing.T, root string, names []string) {
	t.Helper()
	for i, name := range names {
		p := filepath.Join(root, filepath.FromSlash(name))
		mustNoErr(t, os.MkdirAll(filepath.Dir(p), 0o755), "mkdir")
		mustNoErr(t, os.WriteFile(p, patternBytes(uint64(1000+i), 100+i*37), 0o644), "write %s", p)
	}
}

func TestAWSCLIHighLevel(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	cli := newAWSCLI(t, g)
	work := t.TempDir()
	cli.must("s3", "mb", "s3://cli-high")

	// cp up and down: a small file and one just under the 8 MiB multipart
	// threshold of `aws s3 cp`.
	for name, size := range map[string]int{"small.bin": 1234, "seven-mib.bin": 7 << 20} {
		data := patternBytes(uint64(size), size)
		src := filepath.Join(work, name)
		mustNoErr(t, os.WriteFile(src, data, 0o644), "write")
		cli.must("s3", "cp", src, "s3://cli-high/files/"+name)
		dst := filepath.Join(work, "down-"+name)
		cli.must("s3", "cp", "s3://cli-high/files/"+name, dst)
		got, err := os.ReadFile(dst)
		mustNoErr(t, err, "read downloaded file")
		if !bytes.Equal(got, data) {
			t.Errorf("aws s3 cp round trip of %s: %d bytes differ from the %d uploaded", name, len(got), len(data))
		}
	}

	// sync a tree, then sync again: nothing to transfer.
	syncTree := syncTreeNames()
	tree := filepath.Join(work, "tree")
	writeTree(t, tree, syncTree)
	out := cli.must("s3", "sync", tree, "s3://cli-high/tree/")
	if n := strings.Count(out, "upload:"); n != len(syncTree) {
		t.Errorf("first sync uploaded %d files, want %d:\n%s", n, len(syncTree), out)
	}
	if out := cli.must("s3", "sync", tree, "s3://cli-high/tree/"); strings.TrimSpace(out) != "" {
		t.Errorf("second sync transferred again:\n%s", out)
	}
	listing := cli.must("s3", "ls", "--recursive", "s3://cli-high/tree/")
	var listed []string
	for _, line := range strings.Split(strings.TrimSpace(listing), "\n") {
		if m := lsLine.FindStringSubmatch(line); m != nil {
			listed = append(listed, strings.TrimPrefix(m[1], "tree/"))
		} else {
			t.Errorf("unexpected ls line %q", line)
		}
	}
	want := append([]string(nil), syncTree...)
	sort.Strings(want)
	sort.Strings(listed)
	if strings.Join(listed, "\n") != strings.Join(want, "\n") {
		t.Errorf("ls --recursive after sync:\n got  %q\n want %q\nraw:\n%s", listed, want, listing)
	}
	top := cli.must("s3", "ls", "s3://cli-high/tree/")
	for _, wantLine := range []string{"PRE a/", "PRE dir with space/", "PRE deep/", "top.txt", "with space.txt"} {
		if !strings.Contains(top, wantLine) {
			t.Errorf("ls s3://cli-high/tree/ lacks %q:\n%s", wantLine, top)
		}
	}
	if strings.Contains(top, "one.txt") {
		t.Errorf("non-recursive ls shows nested keys:\n%s", top)
	}
	down := filepath.Join(work, "tree-down")
	cli.must("s3", "sync", "s3://cli-high/tree/", down)
	for _, name := range syncTree {
		a, _ := os.ReadFile(filepath.Join(tree, filepath.FromSlash(name)))
		b, err := os.ReadFile(filepath.Join(down, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("sync down: %s differs (%v)", name, err)
		}
	}

	if _, stderr, err := cli.run("s3", "rb", "s3://cli-high"); err == nil {
		t.Errorf("rb of a non-empty bucket succeeded")
	} else if !strings.Contains(stderr, "BucketNotEmpty") {
		t.Errorf("rb of a non-empty bucket: %s, want BucketNotEmpty", stderr)
	}
	cli.must("s3", "rm", "--recursive", "s3://cli-high/")
	if out := cli.must("s3", "ls", "--recursive", "s3://cli-high/"); strings.TrimSpace(out) != "" {
		t.Errorf("keys left after rm --recursive:\n%s", out)
	}
	cli.must("s3", "rb", "s3://cli-high")
	if out := cli.must("s3", "ls"); strings.Contains(out, "cli-high") {
		t.Errorf("bucket still listed after rb:\n%s", out)
	}
}

func TestAWSCLIS3API(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	cli := newAWSCLI(t, g)
	work := t.TempDir()
	cli.must("s3api", "create-bucket", "--bucket", "cli-api")

	// A 20 MiB single PUT (put-object never uses multipart).
	big := patternBytes(7, 20<<20)
	bigPath := filepath.Join(work, "big.bin")
	mustNoErr(t, os.WriteFile(bigPath, big, 0o644), "write")
	cli.must("s3api", "put-object", "--bucket", "cli-api", "--key", "big.bin", "--body", bigPath)
	bigDown := filepath.Join(work, "big-down.bin")
	cli.must("s3api", "get-object", "--bucket", "cli-api", "--key", "big.bin", bigDown)
	if got, _ := os.ReadFile(bigDown); !bytes.Equal(got, big) {
		t.Errorf("20 MiB put-object/get-object round trip differs (%d bytes back)", len(got))
	}

	// Metadata on PUT shows in head-object.
	small := filepath.Join(work, "meta.txt")
	mustNoErr(t, os.WriteFile(small, []byte("0123456789abcdefghij"), 0o644), "write")
	put := decodeJSON(t, cli.must("s3api", "put-object", "--bucket", "cli-api", "--key", "meta/obj.txt", "--body", small,
		"--content-type", "text/x-e2e", "--metadata", "colour=blue,shape=round", "--cache-control", "no-cache",
		"--content-disposition", `attachment; filename="obj.txt"`))
	etag, _ := put["ETag"].(string)
	if etag != `"`+md5Hex([]byte("0123456789abcdefghij"))+`"` {
		t.Errorf("put-object ETag %q is not the quoted MD5", etag)
	}
	head := decodeJSON(t, cli.must("s3api", "head-object", "--bucket", "cli-api", "--key", "meta/obj.txt"))
	meta, _ := head["Metadata"].(map[string]any)
	if head["ContentType"] != "text/x-e2e" || head["CacheControl"] != "no-cache" ||
		head["ContentDisposition"] != `attachment; filename="obj.txt"` || meta["colour"] != "blue" || meta["shape"] != "round" ||
		head["ContentLength"] != float64(20) || head["ETag"] != etag {
		t.Errorf("head-object = %v", head)
	}

	rangePath := filepath.Join(work, "range.out")
	ranged := decodeJSON(t, cli.must("s3api", "get-object", "--bucket", "cli-api", "--key", "meta/obj.txt", "--range", "bytes=5-9", rangePath))
	if got, _ := os.ReadFile(rangePath); string(got) != "56789" || ranged["ContentRange"] != "bytes 5-9/20" {
		t.Errorf("ranged get-object = %q, ContentRange %v", got, ranged["ContentRange"])
	}

	cli.must("s3api", "copy-object", "--bucket", "cli-api", "--key", "copy/kept.txt", "--copy-source", "cli-api/meta/obj.txt")
	kept := decodeJSON(t, cli.must("s3api", "head-object", "--bucket", "cli-api", "--key", "copy/kept.txt"))
	if km, _ := kept["Metadata"].(map[string]any); km["colour"] != "blue" || kept["ContentType"] != "text/x-e2e" {
		t.Errorf("copy-object COPY lost metadata: %v", kept)
	}
	cli.must("s3api", "copy-object", "--bucket", "cli-api", "--key", "copy/replaced.txt", "--copy-source", "cli-api/meta/obj.txt",
		"--metadata-directive", "REPLACE", "--metadata", "colour=green", "--content-type", "application/x-replaced")
	repl := decodeJSON(t, cli.must("s3api", "head-object", "--bucket", "cli-api", "--key", "copy/replaced.txt"))
	if rm, _ := repl["Metadata"].(map[string]any); rm["colour"] != "green" || rm["shape"] != nil || repl["ContentType"] != "application/x-replaced" {
		t.Errorf("copy-object REPLACE: %v", repl)
	}

	stdout, stderr, err := cli.run("s3api", "get-object", "--bucket", "cli-api", "--key", "meta/obj.txt", "--if-none-match", etag, filepath.Join(work, "nm.out"))
	if err == nil || !(strings.Contains(stderr, "Not Modified") || strings.Contains(stderr, "304")) {
		t.Errorf("get-object --if-none-match <current etag>: err=%v stdout=%s stderr=%s, want a 304 Not Modified failure", err, stdout, stderr)
	}

	for _, k := range []string{"p/1", "p/2", "p/3", "p/4", "p/5"} {
		cli.must("s3api", "put-object", "--bucket", "cli-api", "--key", k, "--body", small)
	}
	page := decodeJSON(t, cli.must("s3api", "list-objects-v2", "--bucket", "cli-api", "--prefix", "p/", "--max-items", "3", "--page-size", "2"))
	if keys := jsonKeys(page["Contents"]); strings.Join(keys, ",") != "p/1,p/2,p/3" || page["NextToken"] == nil {
		t.Fatalf("list-objects-v2 --max-items 3 --page-size 2: keys %v NextToken %v", keys, page["NextToken"])
	}
	rest := decodeJSON(t, cli.must("s3api", "list-objects-v2", "--bucket", "cli-api", "--prefix", "p/", "--page-size", "2", "--starting-token", page["NextToken"].(string)))
	if keys := jsonKeys(rest["Contents"]); strings.Join(keys, ",") != "p/4,p/5" {
		t.Errorf("list-objects-v2 --starting-token: %v", keys)
	}

	versions := decodeJSON(t, cli.must("s3api", "list-object-versions", "--bucket", "cli-api", "--prefix", "p/"))
	if keys := jsonKeys(versions["Versions"]); strings.Join(keys, ",") != "p/1,p/2,p/3,p/4,p/5" {
		t.Errorf("list-object-versions: %v", versions)
	}

	del := decodeJSON(t, cli.must("s3api", "delete-objects", "--bucket", "cli-api", "--delete",
		`{"Objects":[{"Key":"p/1"},{"Key":"p/2"},{"Key":"p/3"},{"Key":"p/4"},{"Key":"p/5"},{"Key":"never"}]}`))
	if deleted, _ := del["Deleted"].([]any); len(deleted) != 6 || del["Errors"] != nil {
		t.Errorf("delete-objects: %v", del)
	}
	left := decodeJSON(t, cli.must("s3api", "list-objects-v2", "--bucket", "cli-api", "--prefix", "p/"))
	if keys := jsonKeys(left["Contents"]); len(keys) != 0 {
		t.Errorf("keys left after delete-objects: %v", keys)
	}
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	if strings.TrimSpace(s) == "" {
		return map[string]any{}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("CLI output is not JSON: %v\n%s", err, s)
	}
	return m
}

func jsonKeys(v any) []string {
	items, _ := v.([]any)
	var keys []string
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			k, _ := m["Key"].(string)
			keys = append(keys, k)
		}
	}
	return keys
}
