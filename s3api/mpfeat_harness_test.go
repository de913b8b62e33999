package s3api

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/terngate/terngate/auth"
	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/store/local"
	"github.com/terngate/terngate/store/objects"
)

// mpGateway is a gateway serving multipart uploads (embedded tracker) with
// its manager at hand, for tests that drive the sweeper.
type mpGateway struct {
	*gateway
	manager *multipart.Manager
}

// startMPGateway serves the API over a local store with multipart uploads;
// parts may be as small as minPart bytes (0: S3's 5 MiB).
func startMPGateway(t *testing.T, minPart int64, expiry time.Duration) *mpGateway {
	t.Helper()
	dir := t.TempDir()
	st, err := local.Open(dir, local.Options{})
	if err != nil {
		t.Fatalf("opening local store: %v", err)
	}
	layer, err := objects.New(context.Background(), st, st.Root(), objects.Options{})
	if err != nil {
		t.Fatalf("creating object layer: %v", err)
	}
	tracker, err := multipart.OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := multipart.NewManager(st, layer, tracker, multipart.Options{MinPartSize: minPart, Expiry: expiry})
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	verifier := &auth.Verifier{Region: testRegion, Credentials: staticCredentials{testAccessKey: testSecretKey}}
	app := New(layer, verifier, Config{Multipart: m, Logger: logger})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() {
		_ = app.ShutdownWithTimeout(5 * time.Second)
		_ = tracker.Close()
		_ = st.Close()
	})
	addr := ln.Addr().String()
	return &mpGateway{
		gateway: &gateway{addr: addr, endpoint: "http://" + addr, region: testRegion, layer: layer},
		manager: m,
	}
}
