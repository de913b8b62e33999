package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testUser is one entry of a users file.
type testUser struct {
	name, accessKey, secretKey string
}

// startTLSGateway is startGateway serving HTTPS with --tls-self-signed;
// clients trust <data-dir>/tls/cert.pem, which the gateway writes at start.
func startTLSGateway(t testing.TB, dataDir string, extraArgs ...string) *gateway {
	t.Helper()
	addr := freeAddr(t)
	args := append([]string{
		"--listen", addr,
		"--data-dir", dataDir,
		"--access-key", testAccessKey,
		"--secret-key", testSecretKey,
		"--tls-self-signed",
	}, extraArgs...)
	g := launch(t, launchSpec{args: args, addr: addr, caFile: filepath.Join(dataDir, "tls", "cert.pem")})
	g.dataDir = dataDir
	g.accessKey, g.secretKey = testAccessKey, testSecretKey
	return g
}

// startUsersGateway runs terngate with --users-file instead of a key pair;
// the returned gateway signs as signAs.
func startUsersGateway(t testing.TB, dataDir, usersFile string, signAs testUser) *gateway {
	t.Helper()
	addr := freeAddr(t)
	args := []string{"--listen", addr, "--data-dir", dataDir, "--users-file", usersFile}
	g := launch(t, launchSpec{args: args, addr: addr})
	g.dataDir = dataDir
	g.accessKey, g.secretKey = signAs.accessKey, signAs.secretKey
	return g
}

// as returns a view of g whose clients and signed requests use u's keys.
// It shares the process: never stop or restart through it.
func (g *gateway) as(u testUser) *gateway {
	view := *g
	view.accessKey, view.secretKey = u.accessKey, u.secretKey
	return &view
}

// writeUsersFile replaces path atomically (temp file and rename), so the
// gateway's watcher never reads half a file.
func writeUsersFile(t testing.TB, path string, users ...testUser) {
	t.Helper()
	var b strings.Builder
	b.WriteString("users:\n")
	for _, u := range users {
		fmt.Fprintf(&b, "  - name: %s\n    access_key: %s\n    secret_key: %q\n", u.name, u.accessKey, u.secretKey)
	}
	tmp := path + ".tmp"
	mustNoErr(t, os.WriteFile(tmp, []byte(b.String()), 0o600), "write users file")
	mustNoErr(t, os.Rename(tmp, path), "replace users file")
}

// httpClient is an HTTP client for g: for an HTTPS gateway it trusts only
// g's CA file, read now (before the gateway has written it, every TLS
// handshake fails, which readiness polling treats as not ready yet).
func (g *gateway) httpClient(timeout time.Duration) *http.Client {
	if g.caFile == "" {
		return &http.Client{Timeout: timeout}
	}
	pool := x509.NewCertPool()
	if pem, err := os.ReadFile(g.caFile); err == nil {
		pool.AppendCertsFromPEM(pem)
	}
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	return &http.Client{Timeout: timeout, Transport: transport}
}
