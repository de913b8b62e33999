package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/terngate/terngate/auth"
	"github.com/terngate/terngate/s3api"
	"github.com/terngate/terngate/store/local"
	"github.com/terngate/terngate/store/objects"
)

// shutdownGrace bounds how long in-flight requests may run after SIGTERM.
const shutdownGrace = 30 * time.Second

// maintenanceInterval is how often expired transient files and orphaned
// metadata are reclaimed.
const maintenanceInterval = 10 * time.Minute

func serve(ctx context.Context, cfg Config, logger *slog.Logger, stdout io.Writer) error {
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	creds, err := resolveUsers(ctx, cfg, logger, stdout)
	if err != nil {
		return err
	}
	tlsCfg, err := tlsConfig(cfg, stdout)
	if err != nil {
		return err
	}
	st, err := local.Open(cfg.DataDir, local.Options{Logger: logger})
	if err != nil {
		return fmt.Errorf("open local store: %w", err)
	}
	defer st.Close()

	layer, err := objects.New(ctx, st, st.Root(), objects.Options{})
	if err != nil {
		return fmt.Errorf("object layer: %w", err)
	}
	// The local store belongs to this process alone (it holds the data
	// dir's lock), so a single PUT left transient by a previous process can
	// never finish: reclaim it now rather than at its deadline.
	if n, err := layer.ReclaimOrphanPuts(ctx); err != nil {
		return fmt.Errorf("reclaim unfinished uploads: %w", err)
	} else if n > 0 {
		logger.Info("reclaimed unfinished PUTs of a previous run", "files", n)
	}

	mpu, stopMultipart, err := startMultipart(ctx, cfg, st, layer, logger)
	if err != nil {
		return err
	}
	defer stopMultipart()

	verifier := &auth.Verifier{Region: cfg.Region, Credentials: creds, Now: time.Now}
	app := s3api.New(layer, verifier, s3api.Config{
		Region:       cfg.Region,
		Domain:       cfg.Domain,
		MaxPutSize:   cfg.MaxPutSize,
		Logger:       logger,
		Users:        creds,
		DefaultOwner: adminUser,
		Multipart:    mpu,
	})

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	scheme := "http"
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
		scheme = "https"
	}
	logger.Info("terngate serving S3", "version", version, "endpoint", scheme+"://"+ln.Addr().String(), "data_dir", cfg.DataDir, "region", cfg.Region)

	maintCtx, stopMaint := context.WithCancel(ctx)
	defer stopMaint()
	go maintain(maintCtx, st, layer, logger)

	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", "grace", shutdownGrace)
	if err := app.ShutdownWithTimeout(shutdownGrace); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// maintain periodically reclaims what crashes and races leave behind:
// transient files past their deadline and metadata of files that are gone.
func maintain(ctx context.Context, st *local.Store, layer *objects.Layer, logger *slog.Logger) {
	t := time.NewTicker(maintenanceInterval)
	defer t.Stop()
	for {
		if n, err := st.ReapExpired(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("reaping expired transient files", "err", err)
		} else if n > 0 {
			logger.Info("reaped expired transient files", "files", n)
		}
		if n, err := layer.SweepOrphanMetadata(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("sweeping orphaned metadata", "err", err)
		} else if n > 0 {
			logger.Info("swept orphaned metadata", "records", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
