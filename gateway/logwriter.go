package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// logBufferLimit is how many bytes of log records are held before they are
// written out without waiting for the interval.
const logBufferLimit = 32 << 10

// logWriter batches the gateway's log records into few writes: one write(2)
// per access line was a measurable share of a small GET's server CPU
// (issue #15). Records go out when the buffer passes logBufferLimit, when
// the interval since the first unwritten record has passed, on Flush (for
// records at Warn and above, see flushAtWarn) and on Close. Each Write is
// kept whole, so lines from concurrent requests never interleave. It is
// written by hand because log/slog has no buffered output of its own and
// bufio.Writer neither flushes on a timer nor is safe for concurrent use.
//
// A record whose write to out fails is dropped, not retried (the log
// must not grow without bound while stderr is broken), and counted: a
// flush on the timer has no caller to tell, and a logger's callers
// ignore write errors, so the count (terngate_log_records_dropped_total)
// is how the loss is seen.
type logWriter struct {
	out      io.Writer
	interval time.Duration
	dropped  atomic.Uint64

	mu     sync.Mutex
	buf    []byte
	held   int         // records in buf
	timer  *time.Timer // flushes the buffer interval after it was armed
	armed  bool        // timer will fire for what is in buf
	closed bool        // Close ran: writes go straight to out
}

// newLogWriter buffers writes to out for up to interval; an interval of 0
// writes every record at once.
func newLogWriter(out io.Writer, interval time.Duration) *logWriter {
	w := &logWriter{out: out, interval: interval}
	if interval > 0 {
		w.buf = make([]byte, 0, logBufferLimit+4<<10)
		w.timer = time.AfterFunc(time.Hour, w.flushFromTimer)
		w.timer.Stop()
	}
	return w
}

// Write holds p (one whole record) until the next flush. A write error of
// an earlier flush is returned by the Write that triggered it; the records
// of a failed flush are dropped rather than held without bound.
func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.interval == 0 || w.closed {
		n, err := w.out.Write(p)
		if err != nil {
			w.dropped.Add(1)
		}
		return n, err
	}
	w.buf = append(w.buf, p...)
	w.held++
	if len(w.buf) >= logBufferLimit {
		if err := w.flushLocked(); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if !w.armed {
		w.armed = true
		w.timer.Reset(w.interval)
	}
	return len(p), nil
}

// Flush writes out every record held.
func (w *logWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked()
}

// Close flushes and stops the timer; later writes (a late record of a
// request abandoned at shutdown) go out at once.
func (w *logWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
	}
	w.closed = true
	return w.flushLocked()
}

// Dropped is how many records were lost to failed writes.
func (w *logWriter) Dropped() uint64 { return w.dropped.Load() }

func (w *logWriter) flushFromTimer() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armed = false
	// No caller to return it to: flushLocked has counted the loss.
	_ = w.flushLocked()
}

func (w *logWriter) flushLocked() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.out.Write(w.buf)
	if err != nil {
		// Some bytes may have gone out; no record is known to be whole.
		w.dropped.Add(uint64(w.held))
	}
	w.buf = w.buf[:0]
	w.held = 0
	return err
}

// flushAtWarn wraps a handler writing to w so that a record at Warn or
// above, and everything held before it, is written out at once: errors
// must not wait for the interval.
type flushAtWarn struct {
	slog.Handler
	w *logWriter
}

func (h flushAtWarn) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		if ferr := h.w.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (h flushAtWarn) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushAtWarn{Handler: h.Handler.WithAttrs(attrs), w: h.w}
}

func (h flushAtWarn) WithGroup(name string) slog.Handler {
	return flushAtWarn{Handler: h.Handler.WithGroup(name), w: h.w}
}
