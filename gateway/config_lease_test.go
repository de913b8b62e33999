package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/terngate/terngate/multipart"
)

// Gateways sharing a TernFS root without Redis cannot keep If-None-Match and
// If-Match writes exclusive (issue #14): that configuration is refused at
// start unless the operator declares a single replica.
func TestTernFSWithoutRedisNeedsSingleReplica(t *testing.T) {
	ternfs := []string{"--store", "ternfs", "--ternfs-registry", "127.0.0.1:1"}
	_, err := loadConfig(ternfs, envOf(nil), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "--redis-url") || !strings.Contains(err.Error(), "--single-replica") {
		t.Fatalf("store ternfs without Redis: %v, want an error naming --redis-url and --single-replica", err)
	}
	if _, err := loadConfig(append(ternfs, "--single-replica"), envOf(nil), &bytes.Buffer{}); err != nil {
		t.Fatalf("with --single-replica: %v", err)
	}
	if _, err := loadConfig(ternfs, envOf(map[string]string{"TERNGATE_REDIS_URL": "redis://127.0.0.1:1/0"}), &bytes.Buffer{}); err != nil {
		t.Fatalf("with a Redis URL: %v", err)
	}
	if _, err := loadConfig(nil, envOf(nil), &bytes.Buffer{}); err != nil {
		t.Fatalf("the local store needs neither: %v", err)
	}
}

func TestLeaseTTLIsValidated(t *testing.T) {
	cfg, err := loadConfig(nil, envOf(nil), &bytes.Buffer{})
	if err != nil || cfg.LeaseTTL != "5s" {
		t.Fatalf("default lease-ttl %q, %v; want 5s", cfg.LeaseTTL, err)
	}
	for _, bad := range []string{"0", "10ms", "-1s", "soon"} {
		if _, err := loadConfig([]string{"--lease-ttl", bad}, envOf(nil), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "lease-ttl") {
			t.Errorf("--lease-ttl %s: %v, want an error about lease-ttl", bad, err)
		}
	}
	if cfg, err := loadConfig(nil, envOf(map[string]string{"TERNGATE_LEASE_TTL": "2s"}), &bytes.Buffer{}); err != nil || cfg.LeaseTTL != "2s" {
		t.Errorf("TERNGATE_LEASE_TTL=2s: %q, %v", cfg.LeaseTTL, err)
	}
}

// Leases are built over the upload tracker's Redis for TernFS only: the
// local store is one process's by its data dir's lock.
func TestLeasesForTernFSWithRedis(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	redisTracker := multipart.NewRedisTracker(rdb)
	embedded, err := multipart.OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer embedded.Close()
	ternfsCfg := defaultConfig()
	ternfsCfg.Store = storeTernFS
	for _, tc := range []struct {
		name    string
		cfg     Config
		tracker multipart.Tracker
		want    bool
	}{
		{"ternfs with Redis", ternfsCfg, redisTracker, true},
		{"ternfs single replica", ternfsCfg, embedded, false},
		{"local with Redis", defaultConfig(), redisTracker, false},
	} {
		got, err := leasesFor(t.Context(), tc.cfg, tc.tracker, slog.New(slog.DiscardHandler))
		if err != nil || (got != nil) != tc.want {
			t.Errorf("%s: leases %v, %v; want present=%v", tc.name, got, err, tc.want)
		}
	}
}
