package main

import (
	"bytes"
	"encoding/base64"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terngate/terngate/kms"
)

// The SSE-KMS provider settings: none is no KMS; --kms-key-file or
// --kms-key the static ring, --kms-default-key (with or without an
// endpoint) the external KMS; both kinds at once, an endpoint without a
// default key, or a bad ring are refused at start, naming the setting and
// never the key.
func TestLoadKMS(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	ringFile := filepath.Join(t.TempDir(), "kms-keys")
	if err := os.WriteFile(ringFile, []byte("app "+key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := Config{Region: "us-east-1"}

	if p, err := loadKMS(base, logger); p != nil || err != nil {
		t.Fatalf("no settings: %v %v", p, err)
	}
	for name, cfg := range map[string]Config{
		"file": {Region: "us-east-1", KMSKeyFile: ringFile},
		"key":  {Region: "us-east-1", KMSKey: "app:" + key},
	} {
		p, err := loadKMS(cfg, logger)
		ring, ok := p.(*kms.Ring)
		if err != nil || !ok || ring.DefaultKeyARN() != "arn:aws:kms:us-east-1:000000000000:key/app" {
			t.Fatalf("%s: %T %v", name, p, err)
		}
	}
	p, err := loadKMS(Config{Region: "us-east-1", KMSEndpoint: "http://127.0.0.1:1", KMSDefaultKey: "alias/s3"}, logger)
	if _, ok := p.(*kms.Remote); err != nil || !ok {
		t.Fatalf("external: %T %v", p, err)
	}
	for name, tc := range map[string]struct {
		cfg  Config
		want string
	}{
		"both kinds":          {Config{KMSKeyFile: ringFile, KMSDefaultKey: "alias/s3"}, "not both"},
		"endpoint, no key":    {Config{KMSEndpoint: "http://127.0.0.1:1"}, "needs --kms-default-key"},
		"file and inline key": {Config{KMSKeyFile: ringFile, KMSKey: "app:" + key}, "give one or the other"},
		"short key":           {Config{KMSKey: "app:" + base64.StdEncoding.EncodeToString([]byte("short"))}, "kms-key"},
	} {
		_, err := loadKMS(tc.cfg, logger)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), key) {
			t.Errorf("%s: %v, want an error containing %q and not the key", name, err, tc.want)
		}
	}
}
