package refserver

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// RunCommand serves the reference server from a command line (--listen,
// --dir, --writeback-every) until ctx ends. Benchmarks re-execute their own
// binary with a hidden subcommand that calls it, so the reference's CPU
// time and RSS are its own process's.
func RunCommand(ctx context.Context, name string, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:0", "address to serve on")
	dir := fs.String("dir", "", "directory to keep objects in")
	writeback := fs.Int64("writeback-every", DefaultWritebackEvery, "bytes of a PUT between writeback starts (0: only the final fsync)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("refserver: --dir is required")
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("refserver: listen: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv := &http.Server{Handler: New(*dir, logger, *writeback), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("refserver: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}
