package s3bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/terngate/terngate/bench/s3object"
	"github.com/terngate/terngate/bench/workload"
)

// diskTarget is the raw-disk yardstick: dd-like sequential writes of the
// same bodies to files, each made durable with fsync, and reads of them
// back, in this process (no HTTP, no hashing).
type diskTarget struct {
	dir      string
	settings Settings
	bodies   *s3object.Bodies
	prepared map[op]bool
}

func (d *diskTarget) name() string   { return rawDiskName }
func (d *diskTarget) serverPid() int { return 0 }

// diskChunk is the write(2) and read(2) size, dd's bs.
const diskChunk = 1 << 20

func (d *diskTarget) path(parts ...any) string {
	return filepath.Join(d.dir, fmt.Sprint(parts...))
}

func (d *diskTarget) prepare(ctx context.Context, o op) error {
	if d.prepared[o] {
		return nil
	}
	switch o.name {
	case "write":
	case "read":
		for i := range getObjects(o.size, d.settings.Concurrency) {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := d.write(d.path("read-", o.size, "-", i), int64(i), o.size); err != nil {
				return fmt.Errorf("raw disk: prepare %s: %w", o, err)
			}
		}
	default:
		return fmt.Errorf("raw disk: no operation %q", o.name)
	}
	d.prepared[o] = true
	return nil
}

func (d *diskTarget) workload(o op) (workload.Op, error) {
	c := d.settings.Concurrency
	switch o.name {
	case "write":
		return func(ctx context.Context, w, seq int) (int64, error) {
			return o.size, d.write(d.path("write-", o.size, "-", w, "-", seq%2), int64(w), o.size)
		}, nil
	case "read":
		n := getObjects(o.size, c)
		return func(ctx context.Context, w, seq int) (int64, error) {
			return o.size, d.read(d.path("read-", o.size, "-", (w+seq*c)%n), o.size)
		}, nil
	}
	return nil, fmt.Errorf("raw disk: no operation %q", o.name)
}

// write stores the body of seed and size in path and fsyncs it.
func (d *diskTarget) write(path string, seed, size int64) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("raw disk: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("raw disk: close: %w", cerr)
		}
	}()
	buf := make([]byte, min(size, diskChunk))
	body := d.bodies.Pattern().NewBody(seed, size)
	if _, err := io.CopyBuffer(onlyWriter{f}, body, buf); err != nil {
		return fmt.Errorf("raw disk: write: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("raw disk: fsync: %w", err)
	}
	return nil
}

// read reads path to the end and checks its length.
func (d *diskTarget) read(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("raw disk: %w", err)
	}
	defer f.Close()
	buf := make([]byte, min(size, diskChunk))
	var total int64
	for {
		n, err := f.Read(buf)
		total += int64(n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("raw disk: read: %w", err)
		}
	}
	if total != size {
		return fmt.Errorf("raw disk: read %d bytes of %s, want %d", total, path, size)
	}
	return nil
}

// onlyWriter hides *os.File's ReadFrom so the copy goes through the buffer
// in chunks of diskChunk, as dd would.
type onlyWriter struct{ w io.Writer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.w.Write(p) }
