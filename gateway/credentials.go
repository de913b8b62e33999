package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// keyPair is one S3 credential.
type keyPair struct {
	AccessKey string `json:"access_key"`
	SecretKey string `json:"secret_key"`
}

const credentialsFile = "credentials.json"

// resolveCredentials returns the configured key pair, or the one kept in the
// data dir, or a newly generated one: the gateway never runs without
// authentication. A generated pair is only stored and printed (once, on
// first start) by keep, which the caller runs when the start has succeeded,
// so that a start that fails leaves no credentials behind.
func resolveCredentials(cfg Config, out io.Writer) (k keyPair, keep func() error, err error) {
	nothingToKeep := func() error { return nil }
	if cfg.AccessKey != "" {
		return keyPair{AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey}, nothingToKeep, nil
	}
	path := filepath.Join(cfg.DataDir, credentialsFile)
	data, err := os.ReadFile(path)
	if err == nil {
		var k keyPair
		if err := json.Unmarshal(data, &k); err != nil || k.AccessKey == "" || k.SecretKey == "" {
			return keyPair{}, nil, fmt.Errorf("credentials file %s is damaged; remove it to generate a new pair", path)
		}
		fmt.Fprintf(out, "terngate: using the key pair in %s (access key %s)\n", path, k.AccessKey)
		return k, nothingToKeep, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return keyPair{}, nil, fmt.Errorf("read credentials: %w", err)
	}
	k = keyPair{AccessKey: randomString(20, accessKeyAlphabet), SecretKey: randomString(40, secretKeyAlphabet)}
	keep = func() error {
		if err := writeFileAtomic(path, mustJSON(k), 0o600); err != nil {
			return fmt.Errorf("store generated credentials: %w", err)
		}
		fmt.Fprintf(out, `terngate: no credentials configured; generated a key pair and stored it in %s
  access key: %s
  secret key: %s
This is the only time the secret is printed.
`, path, k.AccessKey, k.SecretKey)
		return nil
	}
	return k, keep, nil
}

const (
	accessKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	secretKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// randomString draws n characters uniformly from alphabet (rejection
// sampling, so no character is favoured).
func randomString(n int, alphabet string) string {
	out := make([]byte, 0, n)
	buf := make([]byte, 1)
	limit := 256 - 256%len(alphabet)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic(fmt.Sprintf("crypto/rand: %v", err)) // the OS RNG does not fail
		}
		if int(buf[0]) < limit {
			out = append(out, alphabet[int(buf[0])%len(alphabet)])
		}
	}
	return string(out)
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// writeFileAtomic writes data to path durably: temp file, fsync, rename,
// fsync of the directory.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
