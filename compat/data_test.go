package compat

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
)

const mib = 1 << 20

// randomBytes is size bytes that differ for every seed and are the same
// on every run, so a failure reproduces.
func randomBytes(seed uint64, size int) []byte {
	var key [32]byte
	key[0], key[1] = byte(seed), byte(seed>>8)
	b := make([]byte, size)
	rand.NewChaCha8(key).Read(b)
	return b
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// quotedMD5 is the ETag S3 gives an object stored by a single PUT.
func quotedMD5(b []byte) string { return `"` + md5Hex(b) + `"` }

// multipartETag is the ETag S3 gives b uploaded in parts of partSize:
// the MD5 of the parts' binary MD5s, then "-" and the part count.
func multipartETag(b []byte, partSize int) string {
	var digests []byte
	parts := 0
	for off := 0; off < len(b); off += partSize {
		sum := md5.Sum(b[off:min(off+partSize, len(b))])
		digests = append(digests, sum[:]...)
		parts++
	}
	return fmt.Sprintf(`"%s-%d"`, md5Hex(digests), parts)
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// expectFile checks that path holds exactly want.
func expectFile(path string, want []byte) error {
	got, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s: %d bytes (md5 %s) differ from the %d uploaded (md5 %s)", path, len(got), md5Hex(got), len(want), md5Hex(want))
	}
	return nil
}

// writeTree writes a small tree of nested files (with one name that needs
// URL escaping) and returns relative path -> content.
func writeTree(root string, seed uint64, bigSize int) (map[string][]byte, error) {
	tree := map[string][]byte{
		"README.txt":               []byte("a tree for the compatibility suite\n"),
		"a/one.bin":                randomBytes(seed+1, 4096),
		"a/two.bin":                randomBytes(seed+2, 70_001),
		"a/b/deep.bin":             randomBytes(seed+3, 1),
		"with space & plus+.txt":   randomBytes(seed+4, 333),
		"c/empty.txt":              {},
		"c/d/e/f/nested-again.bin": randomBytes(seed+5, 128*1024),
	}
	if bigSize > 0 {
		tree["big/large.bin"] = randomBytes(seed+6, bigSize)
	}
	for rel, data := range tree {
		if err := writeFile(filepath.Join(root, rel), data); err != nil {
			return nil, err
		}
	}
	return tree, nil
}

// compareTree checks that root holds exactly want's files, byte for byte.
func compareTree(root string, want map[string][]byte) error {
	got := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		got[filepath.ToSlash(rel)] = true
		return nil
	})
	if err != nil {
		return err
	}
	for _, rel := range sortedKeys(want) {
		if !got[rel] {
			return fmt.Errorf("%s is missing under %s", rel, root)
		}
		if err := expectFile(filepath.Join(root, rel), want[rel]); err != nil {
			return err
		}
	}
	for rel := range got {
		if _, ok := want[rel]; !ok {
			return fmt.Errorf("%s holds %s, which was never uploaded", root, rel)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
