package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terngate/terngate/metrics"
)

// recordingOut is the file descriptor's stand-in: it keeps every Write
// call apart, so a test can count write(2)s and see what each held.
type recordingOut struct {
	mu     sync.Mutex
	writes [][]byte
}

func (o *recordingOut) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.writes = append(o.writes, bytes.Clone(p))
	return len(p), nil
}

func (o *recordingOut) snapshot() (calls int, all string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var b strings.Builder
	for _, w := range o.writes {
		b.Write(w)
	}
	return len(o.writes), b.String()
}

// waitFor polls until cond holds or the deadline passes.
func waitFor(t *testing.T, within time.Duration, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return cond()
}

func TestLogWriterHoldsRecordsUntilTheInterval(t *testing.T) {
	out := &recordingOut{}
	w := newLogWriter(out, 200*time.Millisecond)
	defer w.Close()
	start := time.Now()
	for i := range 10 {
		fmt.Fprintf(w, "line %d\n", i)
	}
	if calls, _ := out.snapshot(); calls != 0 {
		t.Fatalf("%d writes before the interval, want none", calls)
	}
	if !waitFor(t, 2*time.Second, func() bool { calls, _ := out.snapshot(); return calls > 0 }) {
		t.Fatal("nothing written 2s after the records, with a 200ms interval")
	}
	if waited := time.Since(start); waited < 150*time.Millisecond {
		t.Errorf("records written after %v, before the 200ms interval", waited)
	}
	calls, all := out.snapshot()
	if calls != 1 {
		t.Errorf("%d writes for 10 records within one interval, want 1", calls)
	}
	if want := "line 0\nline 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\n"; all != want {
		t.Errorf("written %q, want %q", all, want)
	}

	// The timer is armed anew by the next record after a flush.
	fmt.Fprintln(w, "later")
	if !waitFor(t, 2*time.Second, func() bool { _, all := out.snapshot(); return strings.HasSuffix(all, "later\n") }) {
		t.Fatal("a record after the first flush was never written")
	}
}

func TestLogWriterWritesWhenTheBufferIsFull(t *testing.T) {
	out := &recordingOut{}
	w := newLogWriter(out, time.Hour)
	defer w.Close()
	line := strings.Repeat("x", 1023) + "\n"
	for range logBufferLimit / len(line) {
		if _, err := w.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	calls, all := out.snapshot()
	if calls != 1 || len(all) != logBufferLimit {
		t.Fatalf("after %d bytes: %d writes of %d bytes, want 1 of %d", logBufferLimit, calls, len(all), logBufferLimit)
	}
	w.Write([]byte(line))
	if calls, _ := out.snapshot(); calls != 1 {
		t.Errorf("a record after the size flush was written at once (%d writes), want it held", calls)
	}
}

func TestLogWriterZeroIntervalWritesEachRecord(t *testing.T) {
	out := &recordingOut{}
	w := newLogWriter(out, 0)
	fmt.Fprintln(w, "one")
	fmt.Fprintln(w, "two")
	if calls, all := out.snapshot(); calls != 2 || all != "one\ntwo\n" {
		t.Errorf("%d writes of %q, want 2 of %q", calls, all, "one\ntwo\n")
	}
}

func TestLogWriterCloseWritesWhatIsHeld(t *testing.T) {
	out := &recordingOut{}
	w := newLogWriter(out, time.Hour)
	fmt.Fprintln(w, "held")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, all := out.snapshot(); all != "held\n" {
		t.Fatalf("after Close: %q written, want %q", all, "held\n")
	}
	// A record logged after Close (a request abandoned at shutdown) is
	// not lost in a buffer no one flushes.
	fmt.Fprintln(w, "late")
	if _, all := out.snapshot(); all != "held\nlate\n" {
		t.Errorf("a record after Close: %q written, want %q", all, "held\nlate\n")
	}
}

func TestLoggerWritesWarningsAtOnce(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			out := &recordingOut{}
			cfg := defaultConfig()
			cfg.LogFormat = format
			cfg.LogFlushInterval = "1h"
			logger, w, err := newLogger(cfg, out)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			logger.Info("request", "n", 1)
			// Derived loggers (With, WithGroup) keep the behaviour.
			logger = logger.With("request_id", "R1").WithGroup("g")
			logger.Info("request", "n", 2)
			if calls, _ := out.snapshot(); calls != 0 {
				t.Fatalf("info records written at once (%d writes), want them held", calls)
			}
			logger.Warn("store slow")
			calls, all := out.snapshot()
			if calls != 1 || strings.Count(all, "\n") != 3 || !strings.Contains(all, "store slow") {
				t.Fatalf("after a warning: %d writes of %q, want 1 write of all three records", calls, all)
			}
			logger.Error("store failed")
			if calls, all := out.snapshot(); calls != 2 || !strings.Contains(all, "store failed") {
				t.Errorf("an error was not written at once: %d writes of %q", calls, all)
			}
		})
	}
}

// Records logged from many goroutines come out whole, one a line, none
// lost: run with -race.
func TestLogWriterConcurrentRecordsStayWhole(t *testing.T) {
	out := &recordingOut{}
	w := newLogWriter(out, time.Millisecond)
	logger := slog.New(flushAtWarn{Handler: slog.NewTextHandler(w, nil), w: w})
	const goroutines, each = 8, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				level := slog.LevelInfo
				if i%97 == 0 {
					level = slog.LevelWarn
				}
				logger.Log(context.Background(), level, "request", "g", g, "i", i, "pad", strings.Repeat("p", 200))
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, all := out.snapshot()
	lines := strings.Split(strings.TrimSuffix(all, "\n"), "\n")
	if len(lines) != goroutines*each {
		t.Fatalf("%d lines, want %d", len(lines), goroutines*each)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		if !strings.HasPrefix(l, "time=") || !strings.HasSuffix(l, strings.Repeat("p", 200)) {
			t.Fatalf("a line is split or interleaved: %q", l)
		}
		key := l[strings.Index(l, " g="):strings.Index(l, " pad=")]
		if seen[key] {
			t.Fatalf("line %q twice", key)
		}
		seen[key] = true
	}
}

func TestLogFlushIntervalSetting(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "terngate.yaml")
	if err := os.WriteFile(file, []byte("log-flush-interval: 250ms\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{want: "100ms"},
		{args: []string{"--config", file}, want: "250ms"},
		{env: map[string]string{"TERNGATE_LOG_FLUSH_INTERVAL": "1s"}, want: "1s"},
		{args: []string{"--log-flush-interval", "0"}, want: "0"},
	} {
		cfg, err := loadConfig(c.args, envOf(c.env), &bytes.Buffer{})
		if err != nil {
			t.Errorf("%v %v: %v", c.args, c.env, err)
		} else if cfg.LogFlushInterval != c.want {
			t.Errorf("%v %v: log-flush-interval %q, want %q", c.args, c.env, cfg.LogFlushInterval, c.want)
		}
	}
	for _, bad := range []string{"-1s", "soon", "100"} {
		if _, err := loadConfig([]string{"--log-flush-interval", bad}, envOf(nil), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "log-flush-interval") {
			t.Errorf("--log-flush-interval %s: %v, want an error naming the setting", bad, err)
		}
	}
}

// failingOut is stderr when it is broken (a full disk, a closed pipe):
// every write fails.
type failingOut struct{}

func (failingOut) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// Records lost to failed writes are counted, whichever write lost them: a
// flush on the timer (no caller to tell), Flush, a write after Close and
// an unbuffered write; the count is terngate_log_records_dropped_total.
func TestLogWriterCountsDroppedRecords(t *testing.T) {
	w := newLogWriter(failingOut{}, 20*time.Millisecond)
	for i := range 3 {
		if _, err := fmt.Fprintf(w, "held %d\n", i); err != nil {
			t.Fatalf("a held record: %v", err)
		}
	}
	if !waitFor(t, 2*time.Second, func() bool { return w.Dropped() == 3 }) {
		t.Fatalf("after a failed timer flush of 3 records: %d dropped, want 3", w.Dropped())
	}

	_ = w.Close()

	// An interval no test waits for: these go out by Flush and Close.
	held := newLogWriter(failingOut{}, time.Hour)
	fmt.Fprintln(held, "one")
	fmt.Fprintln(held, "two")
	if err := held.Flush(); err == nil {
		t.Fatal("Flush to a failing writer reported no error")
	}
	if got := held.Dropped(); got != 2 {
		t.Fatalf("after a failed Flush of 2 records: %d dropped, want 2", got)
	}
	fmt.Fprintln(held, "three")
	if err := held.Close(); err == nil {
		t.Fatal("Close to a failing writer reported no error")
	}
	if _, err := fmt.Fprintln(held, "after close"); err == nil {
		t.Fatal("a write after Close to a failing writer reported no error")
	}
	if got := held.Dropped(); got != 4 {
		t.Fatalf("after a failed Close and a failed write past it: %d dropped, want 4", got)
	}

	direct := newLogWriter(failingOut{}, 0)
	fmt.Fprintln(direct, "one")
	if got := direct.Dropped(); got != 1 {
		t.Fatalf("unbuffered: %d dropped, want 1", got)
	}

	m := metrics.New()
	m.RegisterLogRecordsDropped(held.Dropped)
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "terngate_log_records_dropped_total" {
			if got := f.GetMetric()[0].GetCounter().GetValue(); got != 4 {
				t.Fatalf("terngate_log_records_dropped_total = %v, want 4", got)
			}
			return
		}
	}
	t.Fatal("terngate_log_records_dropped_total is not registered")
}
