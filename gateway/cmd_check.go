package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/redis/go-redis/v9"
	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/auth/users"
	"github.com/terngate/terngate/internal/dirlock"
	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/store/objects"
)

// checkTimeout bounds each network check of `terngate check`.
const checkTimeout = 5 * time.Second

// errCheckFailed is returned when a component failed its check; each
// failure has been printed already.
var errCheckFailed = errors.New("check failed")

// componentCheck is one line of `terngate check`'s report.
type componentCheck struct {
	name string
	// run returns what it found (printed after "ok") or why it failed.
	run func(ctx context.Context) (string, error)
}

// runCheck checks what the server would need with cfg, without starting it
// or changing anything it keeps, and prints one line per component.
func runCheck(ctx context.Context, cfg Config, stdout io.Writer) error {
	checks := []componentCheck{
		{"data-dir", func(context.Context) (string, error) { return checkDataDir(cfg.DataDir) }},
		{"store", func(ctx context.Context) (string, error) {
			if cfg.Store == storeTernFS {
				return checkTernFS(ctx, cfg)
			}
			return checkLocalStore(cfg.DataDir)
		}},
	}
	if cfg.TLSCert != "" {
		checks = append(checks, componentCheck{"tls", func(context.Context) (string, error) {
			if _, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey); err != nil {
				return "", err
			}
			return "certificate " + cfg.TLSCert + " and its key load", nil
		}})
	}
	if cfg.UsersFile != "" {
		checks = append(checks, componentCheck{"users-file", func(context.Context) (string, error) {
			if _, err := users.Load(cfg.UsersFile); err != nil {
				return "", err
			}
			return cfg.UsersFile + " is valid", nil
		}})
	}
	if cfg.RedisURL != "" {
		checks = append(checks, componentCheck{"redis", func(ctx context.Context) (string, error) {
			return checkRedis(ctx, cfg.RedisURL)
		}})
	}
	failed := false
	fmt.Fprintln(stdout, "ok    config: valid")
	for _, c := range checks {
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		detail, err := c.run(cctx)
		cancel()
		if err != nil {
			failed = true
			fmt.Fprintf(stdout, "FAIL  %s: %v\n", c.name, err)
			continue
		}
		fmt.Fprintf(stdout, "ok    %s: %s\n", c.name, detail)
	}
	if failed {
		return errCheckFailed
	}
	return nil
}

// checkDataDir checks that the data dir exists (or can be created) and is
// writable, by creating and removing a probe file.
func checkDataDir(dir string) (string, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		parent := filepath.Dir(filepath.Clean(dir))
		if err := probeWritable(parent); err != nil {
			return "", fmt.Errorf("%s does not exist and cannot be created: %w", dir, err)
		}
		return dir + " does not exist yet; it will be created at first start", nil
	case err != nil:
		return "", err
	case !info.IsDir():
		return "", fmt.Errorf("%s is not a directory", dir)
	}
	if err := probeWritable(dir); err != nil {
		return "", fmt.Errorf("%s is not writable: %w", dir, err)
	}
	return dir + " is writable", nil
}

func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".terngate-check-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// checkLocalStore checks that no running gateway holds the data dir and
// that the store's database opens, read-only so nothing is changed.
func checkLocalStore(dir string) (string, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return "no store yet (created at first start)", nil
	}
	lock, err := dirlock.Acquire(dir)
	if err != nil {
		return "", err
	}
	defer lock.Release()
	meta := filepath.Join(dir, "meta.db")
	if _, err := os.Stat(meta); errors.Is(err, fs.ErrNotExist) {
		return "not locked; no store yet (created at first start)", nil
	}
	db, err := bolt.Open(meta, 0o644, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return "", fmt.Errorf("open %s: %w", meta, err)
	}
	defer db.Close()
	if err := db.View(func(*bolt.Tx) error { return nil }); err != nil {
		return "", fmt.Errorf("read %s: %w", meta, err)
	}
	return "not locked; " + meta + " opens", nil
}

// checkRedis connects to the multipart tracker's Redis and PINGs it.
func checkRedis(ctx context.Context, url string) (string, error) {
	opts, err := multipart.RedisOptions(url)
	if err != nil {
		return "", err
	}
	rdb := redis.NewUniversalClient(opts)
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return "", fmt.Errorf("PING: %w", err)
	}
	return "PING answered", nil
}

// checkTernFS connects to the cluster and resolves the bucket root, as the
// gateway does at start.
func checkTernFS(ctx context.Context, cfg Config) (string, error) {
	be, err := openBackend(ctx, cfg, nil, nil, nil, nil)
	if err != nil {
		return "", err
	}
	defer be.store.Close()
	// The object layer checks the mapped buckets' names and directories.
	if _, err := objects.New(ctx, be.store, be.store.Root(), be.layer); err != nil {
		return "", err
	}
	detail := "TernFS cluster reachable, bucket root " + cfg.TernFSRoot + " ready"
	if n := len(be.layer.MappedBuckets); n > 0 {
		detail += fmt.Sprintf(", %d mapped bucket(s) resolve to directories", n)
	}
	return detail, nil
}
