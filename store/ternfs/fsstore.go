package ternfs

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"

	"github.com/terngate/terngate/store/ternfs/client"
)

// Options configure Open.
type Options struct {
	// Registry lists the registry replicas, "host:port".
	Registry []string
	// Root is the slash-separated path, from the cluster's root directory,
	// of the directory the store lives under ("/terngate"). Missing
	// directories are created.
	Root string
	// SpanPolicy is set on Root (SPAN, BLOCK and STRIPE policies) unless
	// Root is the cluster root; nil means DefaultSpanPolicies. Everything
	// under Root is written with these policies.
	SpanPolicy *span.SpanPolicies
	// Client tunes transports; its Registry.Addrs is replaced by Registry.
	Client client.Config
	// Journal keeps multipart parts' span records (see Journal); gateways
	// sharing the cluster must share it. nil means a MemoryJournal.
	Journal Journal
	// OnAlignmentCopy, if set, is told how many bytes MoveData copied
	// because a part did not end on a page boundary (see fsstore_align.go).
	OnAlignmentCopy func(bytes int64)
	// SnapshotRetention, when not nil, is set on Root (unless Root is the
	// cluster root) as its SNAPSHOT policy: how long deleted and replaced
	// files are kept before TernFS's garbage collector frees them
	// (fsstore_delete_policy.go). nil leaves the inherited policy.
	SnapshotRetention *time.Duration
	// SpanBufferBytes bounds the memory appended spans are buffered in
	// (with their parity) and streaming reads read ahead into, across the
	// store; 0 means DefaultSpanBufferBytes. It must hold at least one
	// span of SpanPolicy.
	SpanBufferBytes int64
}

// Store implements store.Store over a TernFS cluster.
//
// Transient files whose note starts with "mpu:" (multipart parts and the
// files they are assembled into) keep every appended span in a transient
// file of its own, uncertified, so that MoveData can move it with MoveSpan
// and certify it at its destination (doc §4: a file holds at most one DIRTY
// span). The span files and their block proofs are kept in the Journal, so
// any gateway sharing it can move them.
type Store struct {
	client   *client.Client
	root     wire.InodeID
	policies *span.SpanPolicies
	spanSize int // bytes per appended span: the policy's largest, page-aligned
	buffers  spanBuffers

	journal         Journal
	onAlignmentCopy func(int64)

	mu    sync.Mutex
	parts map[wire.InodeID]*localFile // transient files this process created
}

var _ store.Store = (*Store)(nil)

// Open connects to the cluster, resolves (creating) Options.Root and sets
// its span and snapshot policies.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if len(opts.Registry) == 0 {
		return nil, errors.New("ternfs: no registry address")
	}
	policies := opts.SpanPolicy
	if policies == nil {
		policies = DefaultSpanPolicies()
	}
	spanSize, err := appendSpanSize(policies)
	if err != nil {
		return nil, err
	}
	onRoot, err := rootPolicies(policies, opts.SnapshotRetention)
	if err != nil {
		return nil, err
	}
	cfg := opts.Client
	cfg.Registry.Addrs = opts.Registry
	c, err := client.NewClient(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("ternfs: connect: %w", err)
	}
	s := &Store{client: c, policies: policies, spanSize: spanSize, journal: opts.Journal, onAlignmentCopy: opts.OnAlignmentCopy, parts: make(map[wire.InodeID]*localFile)}
	if s.journal == nil {
		s.journal = NewMemoryJournal()
	}
	if err := s.initSpanBuffers(opts.SpanBufferBytes); err != nil {
		c.Close()
		return nil, err
	}
	if s.root, err = s.makeRoot(ctx, opts.Root); err != nil {
		c.Close()
		return nil, err
	}
	if s.root != wire.RootDirectory {
		if err := applyPolicies(ctx, c, s.root, onRoot...); err != nil {
			c.Close()
			return nil, err
		}
	}
	return s, nil
}

// makeRoot walks path from the cluster root, creating missing directories.
func (s *Store) makeRoot(ctx context.Context, path string) (wire.InodeID, error) {
	dir := wire.RootDirectory
	for _, name := range strings.Split(path, "/") {
		if name == "" {
			continue
		}
		if err := validateName(name); err != nil {
			return 0, fmt.Errorf("ternfs: root %q: %w", path, err)
		}
		resp, err := s.client.MakeDirectory(ctx, dir, name)
		if err != nil {
			return 0, fmt.Errorf("ternfs: root %q: %w", path, err)
		}
		dir = resp.ID
	}
	return dir, nil
}

// Root is the directory Options.Root names.
func (s *Store) Root() store.ID { return store.ID(s.root) }

// Client is the underlying protocol client.
func (s *Store) Client() *client.Client { return s.client }

// Close releases sockets and connections. Transient files stay on the
// cluster and expire at their deadline.
func (s *Store) Close() error { return s.client.Close() }

// validateName enforces store.ErrInvalidName: the shard does not check
// names given to LinkFile (doc §2).
func validateName(name string) error {
	switch {
	case name == "", name == ".", name == "..",
		len(name) > store.MaxNameLen,
		strings.ContainsAny(name, "/\x00"):
		return fmt.Errorf("%q: %w", name, store.ErrInvalidName)
	}
	return nil
}

// cookieOf and storeCookie convert between TernFS's 8-byte cookie and
// store.Transient's uint64, little-endian like every integer on the wire.
func cookieOf(t store.Transient) wire.Cookie {
	var c wire.Cookie
	binary.LittleEndian.PutUint64(c[:], t.Cookie)
	return c
}

func storeCookie(c wire.Cookie) uint64 { return binary.LittleEndian.Uint64(c[:]) }

func transientOf(id wire.InodeID, c wire.Cookie) store.Transient {
	return store.Transient{ID: store.ID(id), Cookie: storeCookie(c)}
}

// directoryID checks that id names a directory before asking a shard, so
// a file id is ErrNotDirectory whatever the shard would answer.
func directoryID(id store.ID) (wire.InodeID, error) {
	in := wire.InodeID(id)
	if in.Type() != wire.InodeDirectory {
		return 0, fmt.Errorf("%v: %w", in, store.ErrNotDirectory)
	}
	return in, nil
}

// fileID is directoryID for files.
func fileID(id store.ID) (wire.InodeID, error) {
	in := wire.InodeID(id)
	switch in.Type() {
	case wire.InodeFile:
		return in, nil
	case wire.InodeDirectory:
		return 0, fmt.Errorf("%v: %w", in, store.ErrIsDirectory)
	}
	return 0, fmt.Errorf("%v: %w", in, store.ErrNotFound)
}

// retryTransient repeats op while TernFS answers with a transient
// condition (a locked edge, an edge newer than the shard's clock).
func retryTransient(ctx context.Context, op func() error) error {
	delay := 5 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := op()
		code, ok := wire.AsError(err)
		if err == nil || !ok || !code.Retryable() || attempt >= 6 {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(delay):
		}
		delay *= 2
	}
}
