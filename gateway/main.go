// Command terngate serves the S3 API over a TernFS-shaped store: the embedded
// local store by default.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// version is set at build time: -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, errHelp) {
			return
		}
		fmt.Fprintf(os.Stderr, "terngate: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "version":
			printVersion(stdout)
			return nil
		case "check":
			cfg, err := loadConfig(args[1:], getenv, stderr)
			if err != nil {
				return err
			}
			return runCheck(ctx, cfg, stdout)
		case "uploads":
			return runUploads(ctx, args[1:], getenv, stdout, stderr)
		case "bench":
			return runBench(ctx, args[1:], getenv, stdout, stderr)
		case "serve":
			args = args[1:]
		}
	}
	cfg, err := loadConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger, logOut, err := newLogger(cfg, stderr)
	if err != nil {
		return err
	}
	// serve returns once requests have drained (or the grace is over) and
	// everything it started has stopped: no record it logged may be left
	// in the buffer.
	defer logOut.Close()
	// A server must outlive its log reader: by default a Go program dies
	// of SIGPIPE on a write to a broken stderr. Ignored, the write fails
	// with EPIPE and the log writer counts the record as dropped
	// (terngate_log_records_dropped_total). The other subcommands keep the
	// default, as command-line tools piped into head should.
	signal.Ignore(syscall.SIGPIPE)
	return serve(ctx, cfg, logger, logOut, stdout)
}

// newLogger builds the gateway's logger over a buffered writer to w, which
// the caller closes to write out what it holds.
func newLogger(cfg Config, w io.Writer) (*slog.Logger, *logWriter, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, nil, fmt.Errorf("log-level: %w", err)
	}
	flushInterval, err := time.ParseDuration(cfg.LogFlushInterval)
	if err != nil {
		return nil, nil, fmt.Errorf("log-flush-interval: %w", err)
	}
	out := newLogWriter(w, flushInterval)
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(out, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(out, opts)
	}
	return slog.New(flushAtWarn{Handler: h, w: out}), out, nil
}
