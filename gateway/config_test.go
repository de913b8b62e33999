package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(nil, envOf(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:9000" || cfg.DataDir != "./data" || cfg.Region != "us-east-1" || cfg.MaxPutSize != 5<<30 {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
}

func TestConfigPrecedenceFlagEnvFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "terngate.yaml")
	if err := os.WriteFile(file, []byte("listen: 127.0.0.1:1111\nregion: eu-west-1\ndomain: file.example\ndata-dir: /from/file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{
		"TERNGATE_CONFIG": file,
		"TERNGATE_LISTEN": "127.0.0.1:2222",
		"TERNGATE_REGION": "eu-central-1",
	})
	cfg, err := loadConfig([]string{"--listen", "127.0.0.1:3333"}, env, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:3333" {
		t.Errorf("flag must win: listen = %q", cfg.Listen)
	}
	if cfg.Region != "eu-central-1" {
		t.Errorf("environment must win over the file: region = %q", cfg.Region)
	}
	if cfg.Domain != "file.example" || cfg.DataDir != "/from/file" {
		t.Errorf("file must win over defaults: %+v", cfg)
	}
}

func TestConfigRejectsUnknownFileKeysAndHalfCredentials(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(file, []byte("listne: typo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadConfig([]string{"--config", file}, envOf(nil), &bytes.Buffer{}); err == nil {
		t.Error("a misspelt key in the config file must be an error")
	}
	if _, err := loadConfig([]string{"--access-key", "AK"}, envOf(nil), &bytes.Buffer{}); err == nil {
		t.Error("an access key without a secret must be an error")
	}
	if _, err := loadConfig(nil, envOf(map[string]string{"TERNGATE_MAX_PUT_SIZE": "6442450944"}), &bytes.Buffer{}); err == nil {
		t.Error("a single PUT limit above 5 GiB must be an error")
	}
}

func TestHelpDocumentsEverySetting(t *testing.T) {
	var out bytes.Buffer
	_, err := loadConfig([]string{"--help"}, envOf(nil), &out)
	if !errors.Is(err, errHelp) {
		t.Fatalf("--help: %v", err)
	}
	var cfg Config
	for _, o := range cfg.options() {
		for _, want := range []string{"--" + o.name, envName(o.name)} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("help does not mention %s", want)
			}
		}
	}
}

func TestGeneratedCredentialsArePrintedOnceAndKept(t *testing.T) {
	cfg := defaultConfig()
	cfg.DataDir = t.TempDir()
	var first, second bytes.Buffer
	k1, keep, err := resolveCredentials(cfg, &first)
	if err != nil {
		t.Fatal(err)
	}
	if len(k1.AccessKey) != 20 || len(k1.SecretKey) != 40 {
		t.Fatalf("unexpected key shapes: %d/%d", len(k1.AccessKey), len(k1.SecretKey))
	}
	// Nothing is stored or printed until the start has succeeded.
	if _, err := os.Stat(filepath.Join(cfg.DataDir, credentialsFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("credentials stored before keep: %v", err)
	}
	if first.Len() != 0 {
		t.Fatalf("printed before keep: %q", first.String())
	}
	if err := keep(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.String(), k1.SecretKey) {
		t.Error("first start must print the generated secret")
	}
	st, err := os.Stat(filepath.Join(cfg.DataDir, credentialsFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode %v, want 0600", st.Mode().Perm())
	}
	k2, _, err := resolveCredentials(cfg, &second)
	if err != nil {
		t.Fatal(err)
	}
	if k2 != k1 {
		t.Error("second start must reuse the stored pair")
	}
	if strings.Contains(second.String(), k1.SecretKey) {
		t.Error("the secret must be printed only once")
	}
}

// A TernFS cluster that cannot be reached stops the gateway at start with a
// clear error; it never falls back to some other storage.
func TestStoreTernFSUnreachableFailsFast(t *testing.T) {
	if _, err := loadConfig([]string{"--store", "ternfs"}, envOf(nil), &bytes.Buffer{}); err == nil {
		t.Error("store ternfs without registry addresses must be a configuration error")
	}
	if _, err := loadConfig([]string{"--store", "s3"}, envOf(nil), &bytes.Buffer{}); err == nil {
		t.Error("an unknown store must be a configuration error")
	}
	cfg, err := loadConfig([]string{"--store", "ternfs", "--ternfs-registry", "127.0.0.1:1", "--single-replica", "--data-dir", t.TempDir()}, envOf(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	err = serve(ctx, cfg, slog.New(slog.DiscardHandler), newLogWriter(io.Discard, 0), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "open TernFS store (registry 127.0.0.1:1") {
		t.Fatalf("serve with an unreachable TernFS registry: %v", err)
	}
}

func TestTernFSBufferMemory(t *testing.T) {
	ternfsArgs := []string{"--store", "ternfs", "--ternfs-registry", "127.0.0.1:1", "--single-replica"}
	cfg, err := loadConfig(ternfsArgs, envOf(nil), &bytes.Buffer{})
	if err != nil || cfg.TernFSBufferMemory != 256<<20 {
		t.Fatalf("default %d, %v; want 256 MiB", cfg.TernFSBufferMemory, err)
	}
	cfg, err = loadConfig(ternfsArgs, envOf(map[string]string{"TERNGATE_TERNFS_BUFFER_MEMORY": "67108864"}), &bytes.Buffer{})
	if err != nil || cfg.TernFSBufferMemory != 64<<20 {
		t.Fatalf("from the environment: %d, %v", cfg.TernFSBufferMemory, err)
	}
	if _, err := loadConfig(append(ternfsArgs, "--ternfs-buffer-memory", "0"), envOf(nil), &bytes.Buffer{}); err == nil {
		t.Error("a buffer budget of 0 bytes was accepted")
	}
}
