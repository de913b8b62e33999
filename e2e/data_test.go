package e2e

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// patternReader yields size deterministic pseudo-random bytes derived from
// seed, so large bodies need no memory and can be regenerated to compare.
type patternReader struct {
	rng       *rand.ChaCha8
	remaining int64
}

func newPatternReader(seed uint64, size int64) *patternReader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return &patternReader{rng: rand.NewChaCha8(key), remaining: size}
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.remaining <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.remaining {
		b = b[:p.remaining]
	}
	n, _ := p.rng.Read(b)
	p.remaining -= int64(n)
	return n, nil
}

func patternBytes(seed uint64, size int) []byte {
	b := make([]byte, size)
	if _, err := io.ReadFull(newPatternReader(seed, int64(size)), b); err != nil {
		panic(err)
	}
	return b
}

func patternSHA256(seed uint64, size int64) string {
	h := sha256.New()
	if _, err := io.Copy(h, newPatternReader(seed, size)); err != nil {
		panic(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// readerSHA256 hashes r to the end and counts its bytes.
func readerSHA256(t testing.TB, r io.Reader) (string, int64) {
	t.Helper()
	h := sha256.New()
	n, err := io.Copy(h, r)
	mustNoErr(t, err, "read body")
	return hex.EncodeToString(h.Sum(nil)), n
}

// treeFiles maps every regular file under root (relative path) to its size.
func treeFiles(t testing.TB, root string) map[string]int64 {
	t.Helper()
	files := map[string]int64{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil // removed while walking
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files[rel] = info.Size()
		return nil
	})
	mustNoErr(t, err, "walk %s", root)
	return files
}

func totalSize(files map[string]int64) int64 {
	var n int64
	for _, s := range files {
		n += s
	}
	return n
}

// describeTree lists files for failure messages, largest first.
func describeTree(files map[string]int64) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return files[names[i]] > files[names[j]] })
	out := ""
	for i, n := range names {
		if i == 30 {
			out += "  …\n"
			break
		}
		out += "  " + n + " " + itoa(files[n]) + "\n"
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
