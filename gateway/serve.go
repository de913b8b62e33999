package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/terngate/terngate/auth"
	"github.com/terngate/terngate/internal/dirlock"
	"github.com/terngate/terngate/metrics"
	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/s3api"
	"github.com/terngate/terngate/store/objects"
)

// adminShutdownTimeout bounds the admin listener's shutdown, which comes
// after the S3 listener's: a scrape in progress is small.
const adminShutdownTimeout = 5 * time.Second

// uploadsCountMaxAge is how long a count of multipart uploads in progress
// serves scrapes before the tracker is asked again.
const uploadsCountMaxAge = 5 * time.Second

// maintenanceInterval is how often expired transient files and orphaned
// metadata are reclaimed.
const maintenanceInterval = 10 * time.Minute

// serve runs the gateway; logOut is the writer under logger, whose lost
// records it reports as a metric.
func serve(ctx context.Context, cfg Config, logger *slog.Logger, logOut *logWriter, stdout io.Writer) error {
	// The data dir's lock before anything else: a second gateway on the same
	// dir stops here, having written nothing (no key pair, no certificate)
	// and waited for nothing.
	lock, err := dirlock.Acquire(cfg.DataDir)
	if err != nil {
		return err
	}
	lockHandedOver := false
	defer func() {
		if !lockHandedOver {
			lock.Release()
		}
	}()
	creds, keepCredentials, err := resolveUsers(ctx, cfg, logger, stdout)
	if err != nil {
		return err
	}
	tlsCfg, err := tlsConfig(cfg, stdout)
	if err != nil {
		return err
	}
	grace, err := time.ParseDuration(cfg.ShutdownGrace)
	if err != nil {
		return fmt.Errorf("shutdown-grace: %w", err)
	}
	rateWindow, err := time.ParseDuration(cfg.MinBodyRateWindow)
	if err != nil {
		return fmt.Errorf("min-body-rate-window: %w", err)
	}
	m := metrics.New()
	m.RegisterLogRecordsDropped(logOut.Dropped)
	// The tracker first: the TernFS store keeps parts' span records in it.
	tracker, err := openTracker(ctx, cfg, m)
	if err != nil {
		return err
	}
	trackerOwned := true
	defer func() {
		if trackerOwned {
			tracker.Close()
		}
	}()
	be, err := openBackend(ctx, cfg, logger, lock, trackerJournal(tracker), m)
	if err != nil {
		return err
	}
	lockHandedOver = be.ownsLock
	// Requests still running when the shutdown grace ends may yet call the
	// store: it is then left open for the exiting process to release
	// (every commit is already durable) rather than closed under them.
	requestsAbandoned := false
	defer func() {
		if !requestsAbandoned {
			be.store.Close()
		}
	}()
	st := metrics.InstrumentStore(be.store, m)
	if be.layer.Leases, err = leasesFor(ctx, cfg, tracker, logger); err != nil {
		return fmt.Errorf("lease-ttl: %w", err)
	}

	layer, err := objects.New(ctx, st, st.Root(), be.layer)
	if err != nil {
		return fmt.Errorf("object layer: %w", err)
	}
	// A store this process alone uses cannot hold another process's PUT in
	// flight: one left transient by a previous run can never finish, so it
	// is reclaimed now rather than at its deadline.
	if be.exclusive {
		if n, err := layer.ReclaimOrphanPuts(ctx); err != nil {
			return fmt.Errorf("reclaim unfinished uploads: %w", err)
		} else if n > 0 {
			logger.Info("reclaimed unfinished PUTs of a previous run", "files", n)
			m.SweeperActions.WithLabelValues(metrics.SweepReclaimUnfinishedPut).Add(float64(n))
		}
	}

	mpu, stopMultipart, err := startMultipart(ctx, cfg, tracker, st, layer, logger, m)
	if err != nil {
		return err
	}
	trackerOwned = false // stopMultipart closes it
	defer stopMultipart()
	m.RegisterUploadsInflight(func(ctx context.Context) (int, error) {
		uploads, err := mpu.Tracker().Idle(ctx, time.Now().Add(24*time.Hour))
		return len(uploads), err
	}, uploadsCountMaxAge)
	ready := &readiness{checks: []readinessCheck{storeCheck(st)}}
	if rt, ok := mpu.Tracker().(*multipart.RedisTracker); ok {
		ready.checks = append(ready.checks, redisCheck(rt.Client()))
	}

	masterKeys, err := loadMasterKeys(cfg)
	if err != nil {
		return err
	}
	if masterKeys != nil {
		logger.Info("SSE-S3 enabled", "master_key_ids", masterKeys.IDs())
	}
	kmsProvider, err := loadKMS(cfg, logger)
	if err != nil {
		return err
	}
	verifier := &auth.Verifier{Region: cfg.Region, Credentials: creds, Now: time.Now}
	app := s3api.New(layer, verifier, s3api.Config{
		Region:              cfg.Region,
		Domain:              cfg.Domain,
		MaxPutSize:          int64(cfg.MaxPutSize),
		MinBodyRate:         int64(cfg.MinBodyRate),
		MinBodyRateWindow:   rateWindow,
		Logger:              logger,
		Users:               creds,
		DefaultOwner:        adminUser,
		Multipart:           mpu,
		Metrics:             m,
		DisableSigV2:        !cfg.SigV2,
		AllowSSECOverHTTP:   cfg.SSECOverHTTP,
		AllowSSEKMSOverHTTP: cfg.SSEKMSOverHTTP,
		MasterKeys:          masterKeys,
		KMS:                 kmsProvider,
	})

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// Everything that can fail at start has succeeded: a generated key pair
	// may now be stored and printed.
	if err := keepCredentials(); err != nil {
		ln.Close()
		return err
	}
	// Beneath TLS: a graceful close reads the raw socket.
	ln = s3api.Listener(ln)
	scheme := "http"
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
		scheme = "https"
	}
	if cfg.AdminListen != "" {
		admin, err := startAdmin(cfg.AdminListen, adminHandler(m, ready, mpu, logger), logger)
		if err != nil {
			ln.Close()
			return err
		}
		// Runs once the S3 listener has drained (below) and before the
		// store closes: metrics and /readyz stay up while requests drain.
		defer func() {
			if err := admin.shutdown(adminShutdownTimeout); err != nil {
				logger.Warn("stopping the admin listener", "err", err)
			}
		}()
	}
	logger.Info("terngate serving S3", "version", version, "endpoint", scheme+"://"+ln.Addr().String(), "store", be.describe, "data_dir", cfg.DataDir, "region", cfg.Region)

	maintCtx, stopMaint := context.WithCancel(ctx)
	defer stopMaint()
	go maintain(maintCtx, be.reapExpired, layer, logger, m)

	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Readiness fails first; then the listener closes and in-flight
	// requests get the grace period. Multipart uploads are left as they
	// are: their parts stay tracked, to be continued on any gateway.
	ready.drain()
	logger.Info("shutting down: finishing in-flight requests", "grace", grace.String())
	if err := app.ShutdownWithTimeout(grace); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("shutdown: %w", err)
		}
		requestsAbandoned = true
		logger.Warn("shutdown grace over: exiting with requests still in flight (their objects are not created)", "grace", grace.String())
	}
	return nil
}

// maintain periodically reclaims what crashes and races leave behind:
// transient files past their deadline, metadata of files that are gone,
// and the snapshot edges a bucket kept from before it was versioned.
func maintain(ctx context.Context, reapExpired func(context.Context) (int, error), layer *objects.Layer, logger *slog.Logger, m *metrics.Metrics) {
	t := time.NewTicker(maintenanceInterval)
	defer t.Stop()
	for {
		if reapExpired == nil {
			// The storage reclaims expired transient files itself.
		} else if n, err := reapExpired(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("reaping expired transient files", "err", err)
		} else if n > 0 {
			logger.Info("reaped expired transient files", "files", n)
			m.SweeperActions.WithLabelValues(metrics.SweepReapExpiredTransient).Add(float64(n))
		}
		if n, err := layer.SweepOrphanMetadata(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("sweeping orphaned metadata", "err", err)
		} else if n > 0 {
			logger.Info("swept orphaned metadata", "records", n)
			m.SweeperActions.WithLabelValues(metrics.SweepOrphanedMetadata).Add(float64(n))
		}
		if n, err := layer.SweepUnversionedLeftovers(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("sweeping snapshot edges kept from before versioning", "err", err)
		} else if n > 0 {
			logger.Info("swept snapshot edges kept from before versioning", "edges", n)
			m.SweeperActions.WithLabelValues(metrics.SweepUnversionedLeftover).Add(float64(n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
