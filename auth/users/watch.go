package users

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultPollInterval is used when Watch is given a non-positive interval.
const DefaultPollInterval = 5 * time.Second

// Live is a Set that follows its file: Secret and User always answer from
// the last version of the file that loaded successfully. It implements
// auth.Credentials.
type Live struct {
	path    string
	logger  *slog.Logger
	current atomic.Pointer[Set]

	mu   sync.Mutex // serialises reloads; guards seen
	seen stamps
}

// Watch loads the users file at path (failing if it is invalid) and then
// checks it every interval until ctx ends, swapping in each new version
// that is valid and logging, without secrets, each one that is not (the
// previous users stay in force).
//
// It polls the files' identity, size and modification time instead of
// using inotify: a Kubernetes Secret volume updates by swapping a symlink
// to a new directory, which inotify on the file misses unless one watches
// the directory and re-resolves links; polling a stat of the path handles
// that, editors' rename-over saves and plain rewrites the same way, with
// no new dependency. The cost is one stat per file per interval.
func Watch(ctx context.Context, path string, interval time.Duration, logger *slog.Logger) (*Live, error) {
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	l := &Live{path: path, logger: logger}
	l.mu.Lock()
	err := l.reloadLocked()
	l.mu.Unlock()
	if err != nil {
		return nil, err
	}
	go l.poll(ctx, interval)
	return l, nil
}

// Secret implements auth.Credentials.
func (l *Live) Secret(accessKey string) (string, bool) {
	return l.current.Load().Secret(accessKey)
}

// User returns the name of the user an access key belongs to.
func (l *Live) User(accessKey string) (name string, ok bool) {
	return l.current.Load().User(accessKey)
}

// Current is the set in force.
func (l *Live) Current() *Set { return l.current.Load() }

// Reload reads the file now, whether or not it looks changed (for example
// on SIGHUP). On error the previous users stay in force.
func (l *Live) Reload() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.reloadLocked()
	l.logResult(err)
	return err
}

func (l *Live) poll(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.reloadIfChanged()
		}
	}
}

func (l *Live) reloadIfChanged() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.seen.changed() {
		return
	}
	l.logResult(l.reloadLocked())
}

// reloadLocked stats the files before reading them, so a change that lands
// during the read shows up as a change at the next poll. A failed version
// is remembered as seen too: it is reported once, not every interval.
func (l *Live) reloadLocked() error {
	var seen stamps
	set, err := load(l.path, seen.add)
	l.seen = seen
	if err != nil {
		return err
	}
	l.current.Store(set)
	return nil
}

func (l *Live) logResult(err error) {
	if err != nil {
		l.logger.Error("users file rejected; keeping the previous users", "path", l.path, "err", err)
		return
	}
	l.logger.Info("users file loaded", "path", l.path, "users", l.current.Load().Len())
}

func (l *Live) String() string {
	return fmt.Sprintf("users.Live{%s, %d users}", l.path, l.current.Load().Len())
}

// Format redacts every verb, %#v and %+v included.
func (l *Live) Format(f fmt.State, _ rune) { fmt.Fprint(f, l.String()) }

func (l *Live) LogValue() slog.Value {
	return slog.GroupValue(slog.String("path", l.path), slog.Int("users", l.current.Load().Len()))
}
