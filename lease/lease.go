package lease

import (
	"context"
	cryptorand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// Options configure Leases. Zero values pick the defaults.
type Options struct {
	// TTL is how long a grant or renewal lasts (default 5 s). A replica that
	// dies holding a lease blocks its name for up to TTL, and after Redis
	// loses data no lease is granted for TTL.
	TTL time.Duration
	// Margin is how much before TTL a holder stops trusting its lease
	// (default TTL/4): it covers the drift between local and Redis clocks.
	Margin time.Duration
	// MaxWait bounds how long Acquire waits for a held lease (default
	// 2×TTL, so a dead holder's lease can always be taken over).
	MaxWait time.Duration
	// Retention is how long an unreleased lease key outlives its expiry,
	// so that its holder's transient file can still be fenced (default
	// 3 h). It must exceed the store's transient deadline (TernFS: 2 h by
	// default), after which the file cannot be linked anyway.
	Retention time.Duration
	// Prefix starts every key (default "tg:lease:").
	Prefix string
}

const (
	defaultTTL       = 5 * time.Second
	defaultRetention = 3 * time.Hour
	defaultPrefix    = "tg:lease:"
	// groups spreads names over Redis Cluster slots; each group has its
	// own epoch record in its slot.
	groups      = 256
	minBackoff  = 2 * time.Millisecond
	maxBackoff  = 50 * time.Millisecond
	renewDivide = 3
)

var (
	// ErrUnavailable: Redis did not answer, so no lease can be granted.
	ErrUnavailable = s3err.ServiceUnavailable.With("The gateway cannot reach its lease store (Redis), which serialises writes between gateways; please retry.")
	// ErrContended: the lease stayed held by others for Options.MaxWait.
	ErrContended = s3err.ConditionalRequestConflict
)

// Leases grants per-name leases in Redis. It is safe for concurrent use.
type Leases struct {
	rdb  redis.UniversalClient
	opts Options
	// base anchors the monotonic clock that Valid reads.
	base time.Time
}

// New returns Leases over rdb, which the caller keeps and closes.
func New(rdb redis.UniversalClient, opts Options) *Leases {
	if opts.TTL <= 0 {
		opts.TTL = defaultTTL
	}
	if opts.Margin <= 0 || opts.Margin >= opts.TTL {
		opts.Margin = opts.TTL / 4
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 2 * opts.TTL
	}
	if opts.Retention <= 0 {
		opts.Retention = defaultRetention
	}
	if opts.Prefix == "" {
		opts.Prefix = defaultPrefix
	}
	return &Leases{rdb: rdb, opts: opts, base: time.Now()}
}

// TTL is the configured lease duration.
func (m *Leases) TTL() time.Duration { return m.opts.TTL }

// keys returns the lease key of name and its group's epoch key.
func (m *Leases) keys(name string) (lease, epoch string) {
	h := fnv.New32a()
	h.Write([]byte(name))
	tag := m.groupTag(int(h.Sum32() % groups))
	return tag + "n:" + name, tag + "epoch"
}

// groupTag prefixes every key of group g: the hash tag keeps them in one
// Redis Cluster slot.
func (m *Leases) groupTag(g int) string {
	return m.opts.Prefix + "{g" + strconv.Itoa(g) + "}:"
}

// Prime starts the epoch of every group that has none (a fresh or
// restarted Redis), so that the one-TTL wait a new epoch imposes passes
// while the gateway starts rather than on the first write to each group.
func (m *Leases) Prime(ctx context.Context) error {
	ttl := m.opts.TTL.Milliseconds()
	for g := range groups {
		tag := m.groupTag(g)
		if err := primeScript.Run(ctx, m.rdb, []string{tag + "n:", tag + "epoch"}, "", ttl).Err(); err != nil {
			return fmt.Errorf("lease: prime group %d: %w", g, err)
		}
	}
	return nil
}

// mono is the local monotonic clock.
func (m *Leases) mono() time.Duration { return time.Since(m.base) }

// FenceFunc makes holder's pending write impossible (scraps its transient
// file). It should treat "already linked or gone" as success.
type FenceFunc func(ctx context.Context, holder store.Transient) error

// Acquire takes the lease on name for holder, a transient file the caller
// will link while holding it (zero if it links nothing). It waits while
// another holds the lease; an expired holder is fenced with fence first.
func (m *Leases) Acquire(ctx context.Context, name string, holder store.Transient, fence FenceFunc) (*Lease, error) {
	key, epochKey := m.keys(name)
	token, err := newToken()
	if err != nil {
		return nil, err
	}
	ttl, life := m.opts.TTL.Milliseconds(), (m.opts.TTL + m.opts.Retention).Milliseconds()
	deadline := m.mono() + m.opts.MaxWait
	backoff := minBackoff
	fenced := ""
	for {
		sent := m.mono()
		reply, err := acquireScript.Run(ctx, m.rdb, []string{key, epochKey},
			token, ttl, uint64(holder.ID), holder.Cookie, life-ttl, fenced).Slice()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("lease %q: %w: %w", name, ErrUnavailable, err)
		}
		kind, _ := reply[0].(string)
		switch kind {
		case replyGranted:
			return m.start(key, token, sent), nil
		case replyExpired:
			old, err := parseHolder(reply)
			if err != nil {
				return nil, fmt.Errorf("lease %q: %w", name, err)
			}
			if old.Transient != (store.Transient{}) {
				if err := fence(ctx, old.Transient); err != nil {
					return nil, fmt.Errorf("lease %q: fence expired holder's file %d: %w", name, old.ID, err)
				}
			}
			fenced = old.token
			continue
		case replyBusy, replyEpoch:
			wait, _ := reply[1].(int64)
			now := m.mono()
			if now >= deadline {
				return nil, fmt.Errorf("lease %q still held after %v: %w", name, m.opts.MaxWait, ErrContended)
			}
			pause := min(jitter(backoff), time.Duration(wait)*time.Millisecond+time.Millisecond, deadline-now)
			backoff = min(2*backoff, maxBackoff)
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		default:
			return nil, fmt.Errorf("lease %q: unexpected reply %v", name, reply)
		}
	}
}

type oldHolder struct {
	store.Transient
	token string
}

func parseHolder(reply []any) (oldHolder, error) {
	if len(reply) != 4 {
		return oldHolder{}, fmt.Errorf("malformed expired reply %v", reply)
	}
	tok, _ := reply[1].(string)
	id, err1 := strconv.ParseUint(fmt.Sprint(reply[2]), 10, 64)
	ck, err2 := strconv.ParseUint(fmt.Sprint(reply[3]), 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return oldHolder{}, fmt.Errorf("malformed holder in expired lease: %w", err)
	}
	return oldHolder{Transient: store.Transient{ID: store.ID(id), Cookie: ck}, token: tok}, nil
}

// jitter spreads waiters over [d/2, d).
func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d/2+1)
}

func newToken() (string, error) {
	var b [16]byte
	if _, err := cryptorand.Read(b[:]); err != nil {
		return "", fmt.Errorf("lease token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// start makes the Lease of a grant sent at sent and starts renewing it.
func (m *Leases) start(key, token string, sent time.Duration) *Lease {
	l := &Lease{m: m, key: key, token: token, stop: make(chan struct{})}
	l.validUntil.Store(int64(sent + m.opts.TTL - m.opts.Margin))
	l.wg.Add(1)
	go l.renew()
	return l
}

// Lease is a granted lease. Release it when done.
type Lease struct {
	m     *Leases
	key   string
	token string
	// validUntil is on m's monotonic clock; 0 once the lease is lost.
	validUntil atomic.Int64
	stop       chan struct{}
	once       sync.Once
	wg         sync.WaitGroup
}

// Valid reports whether the holder may still commit under the lease: the
// last successful grant or renewal was sent less than TTL−margin ago and no
// renewal found the lease lost.
func (l *Lease) Valid() bool {
	return int64(l.m.mono()) < l.validUntil.Load()
}

// renew extends the lease every TTL/3 until Release or until it is lost.
func (l *Lease) renew() {
	defer l.wg.Done()
	ttl := l.m.opts.TTL
	tick := time.NewTicker(ttl / renewDivide)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), ttl/renewDivide)
		sent := l.m.mono()
		ok, err := renewScript.Run(ctx, l.m.rdb, []string{l.key}, l.token, ttl.Milliseconds(), l.m.opts.Retention.Milliseconds()).Int()
		cancel()
		switch {
		case err != nil:
			// Unreachable: keep the old validity, which runs out by itself.
		case ok == 1:
			l.validUntil.Store(int64(sent + ttl - l.m.opts.Margin))
		default:
			l.validUntil.Store(0)
			return
		}
	}
}

// Release stops renewal and gives the lease up. A release that Redis does
// not hear of only delays the next holder until the lease expires.
func (l *Lease) Release(ctx context.Context) {
	l.once.Do(func() {
		close(l.stop)
		l.wg.Wait()
		l.validUntil.Store(0)
		_ = releaseScript.Run(context.WithoutCancel(ctx), l.m.rdb, []string{l.key}, l.token).Err()
	})
}
