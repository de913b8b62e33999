// Package local is the embedded store.Store on local disk: the namespace and
// inode table live in a bbolt database (meta.db), each file's bytes in a file
// of its own under files/, except small files linked whole by LinkInlineFile,
// whose bytes live in meta.db (inline.go). It offers store.AttributedFiles:
// a file's attribute lives in meta.db beside its inode (attributes.go). Only
// LinkFile, LinkFileWithAttribute and LinkInlineFile make a name point at a
// file, and only once the file's bytes are durable (Append's fdatasync, or
// the linking transaction itself), so a crash never exposes a partial file;
// what a crash can leave behind (data files whose inode is gone, transient
// files nobody will link) is reclaimed at Open and by ReapExpired.
// Overlapping write transactions share bbolt commits (Store.update), and a
// growing meta.db has its tail written ahead of them (metatail.go).
package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/internal/dirlock"
	"github.com/terngate/terngate/store"
)

// DefaultTransientTTL is how long a transient file lives after its creation
// or last append unless KeepAlive moves its deadline (TernFS's default).
const DefaultTransientTTL = 2 * time.Hour

// Options configures a Store.
type Options struct {
	// TransientTTL is the lifetime of a transient file after its creation,
	// last append or KeepAlive. Zero means DefaultTransientTTL.
	TransientTTL time.Duration
	// Logger receives reclamation reports. Nil discards them.
	Logger *slog.Logger
	// Lock is the data directory's lock when the caller already holds it
	// (the gateway takes it before anything else, so that a second gateway
	// stops before writing anything). The store releases it at Close. Nil:
	// Open takes it.
	Lock *dirlock.Lock
	// EphemeralNotes are the notes of transient files that need not
	// survive a crash because the layer above scraps them after a restart
	// anyway (a single PUT's: objects.NotePut). Such files are not recorded
	// in meta.db until linked, which saves a PUT two transactions
	// (ephemeral.go); a crash forgets them and Open reclaims their data.
	EphemeralNotes []string
	// DataFilePool keeps up to 64 empty data files created ahead, their
	// directory entries synced a batch at a time, so that CreateTransient
	// makes no file system call (a PUT saves a directory fsync,
	// datapool.go). For a long-running owner such as the gateway: the pool
	// fills after Open, and Close removes its unused files (after a crash,
	// the next Open does). Off, each CreateTransient syncs its directory.
	DataFilePool bool
}

// Store is a store.Store on local disk. One process owns a data directory.
type Store struct {
	dir    string
	ttl    time.Duration
	log    *slog.Logger
	db     *bolt.DB
	lock   *dirlock.Lock
	clock  clock
	files  *dataFiles
	writer *groupCommitter // write transactions, see update
	tail   *tailWriter     // keeps meta.db's tail written ahead (metatail.go)
	batch  int             // items per transaction in long walks (tests lower it)
	// snapshotLogLimit is the length at which the snapshot log moves into
	// the snapshots bucket (versions_log.go; tests lower it).
	snapshotLogLimit int

	mu sync.Mutex
	// busy holds the transient files with an Append or LinkFile in
	// progress: the reaper leaves them alone and a second Append or LinkFile
	// of the same file is refused.
	busy map[store.ID]struct{}

	ephemeral *ephemeralSet
	removals  *dataRemovals // released data files, removed after the reply
	pool      *dataPool     // empty data files with synced entries (nil: off)
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the store in dir, then reclaims what an
// earlier crash or expiry left behind.
func Open(dir string, opts Options) (*Store, error) {
	if opts.TransientTTL <= 0 {
		opts.TransientTTL = DefaultTransientTTL
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("local store: create data directory: %w", err)
	}
	lock := opts.Lock
	if lock == nil {
		var err error
		if lock, err = dirlock.Acquire(dir); err != nil {
			return nil, fmt.Errorf("local store: %w", err)
		}
	} else if lock.Dir() != dir {
		return nil, fmt.Errorf("local store %s: given the lock of %s", dir, lock.Dir())
	}
	s := &Store{
		dir:   dir,
		ttl:   opts.TransientTTL,
		log:   opts.Logger,
		lock:  lock,
		files: &dataFiles{root: filepath.Join(dir, "files")},
		busy:  make(map[store.ID]struct{}),
		batch: defaultBatch,

		snapshotLogLimit: defaultSnapshotLogLimit,

		ephemeral: newEphemeralSet(opts.EphemeralNotes),
	}
	if err := s.open(opts.DataFilePool); err != nil {
		s.Close()
		return nil, fmt.Errorf("local store %s: %w", dir, err)
	}
	return s, nil
}

func (s *Store) open(pool bool) error {
	if err := s.files.init(); err != nil {
		return err
	}
	s.removals = newDataRemovals(s.files, s.log)
	db, err := bolt.Open(filepath.Join(s.dir, "meta.db"), 0o644, &bolt.Options{
		Timeout: time.Second,
		// The freelist is rebuilt at open instead of written at every commit.
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
		// Nothing reads bbolt's statistics; keeping them costs every
		// transaction a global lock and a dozen atomic adds.
		NoStatistics: true,
	})
	if err != nil {
		return fmt.Errorf("open meta.db: %w", err)
	}
	s.db = db
	s.writer = newGroupCommitter(db)
	if err := s.db.Update(s.initBuckets); err != nil {
		return fmt.Errorf("initialise meta.db: %w", err)
	}
	if s.tail, err = startTailWriter(db, db.Path(), s.log); err != nil {
		return err
	}
	orphans, err := s.removeOrphans(context.Background())
	if err != nil {
		return fmt.Errorf("remove orphaned data files: %w", err)
	}
	expired, err := s.ReapExpired(context.Background())
	if err != nil {
		return fmt.Errorf("reap expired transient files: %w", err)
	}
	if orphans > 0 || expired > 0 {
		s.log.Info("local store reclaimed space at open", "dir", s.dir,
			"orphaned_data_files", orphans, "expired_transient_files", expired)
	}
	// Only now: removeOrphans would take pooled files, which have no
	// inode, for orphans.
	if pool {
		s.pool = newDataPool(s.files, s.newID, s.log)
		s.pool.start()
	}
	return nil
}

// initBuckets creates the buckets and the root directory on first use.
func (s *Store) initBuckets(tx *bolt.Tx) error {
	for _, name := range [][]byte{inodesBucket, edgesBucket, transientBucket, extentsBucket, refsBucket, attrsBucket, inlineBucket} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	inodes := tx.Bucket(inodesBucket)
	if inodes.Get(idKey(rootID)) != nil {
		return nil
	}
	now := s.clock.now()
	root := inodeRecord{Kind: kindDirectory, Mtime: now, Created: now}
	if err := inodes.Put(idKey(rootID), root.encode()); err != nil {
		return err
	}
	if inodes.Sequence() < uint64(rootID) {
		return inodes.SetSequence(uint64(rootID))
	}
	return nil
}

// Root returns the root directory's ID.
func (s *Store) Root() store.ID { return rootID }

// Close releases the database and the data-directory lock, after moving
// the snapshot log into the snapshots bucket (versions_log.go) and removing
// the pool's unused data files. It does no other cleanup: whatever is
// transient stays so until its deadline. Calling it
// again is a no-op; using the store after Close is an error.
func (s *Store) Close() error {
	var errs []error
	// First: the filler reserves IDs in meta.db. The pool stays, empty,
	// and closing it again does nothing.
	s.pool.close()
	if s.removals != nil {
		s.removals.close()
	}
	if s.db != nil {
		errs = append(errs, s.emptySnapshotLog())
	}
	if s.tail != nil {
		errs = append(errs, s.tail.close())
		s.tail = nil
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
		s.db = nil
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Release())
		s.lock = nil
	}
	return errors.Join(errs...)
}

// update runs fn in a write transaction. A lone writer commits at once;
// writers who overlap a commit share the next one (and its fsyncs), see
// groupCommitter. fn may run more than once, so it must set its results
// afresh on every run.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	err := s.writer.update(fn)
	s.tail.poke()
	return err
}

// view runs fn in a read transaction.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	return s.db.View(fn)
}

// getInode reads id's record; ErrNotFound if there is none.
func getInode(tx *bolt.Tx, id store.ID) (inodeRecord, error) {
	v := tx.Bucket(inodesBucket).Get(idKey(id))
	if v == nil {
		return inodeRecord{}, fmt.Errorf("inode %d: %w", id, store.ErrNotFound)
	}
	rec, err := decodeInode(v)
	if err != nil {
		return inodeRecord{}, fmt.Errorf("inode %d: %w", id, err)
	}
	return rec, nil
}

func putInode(tx *bolt.Tx, id store.ID, rec inodeRecord) error {
	return tx.Bucket(inodesBucket).Put(idKey(id), rec.encode())
}

// getDirectory reads dir's record: ErrNotFound if absent, ErrNotDirectory if
// it is a file.
func getDirectory(tx *bolt.Tx, dir store.ID) (inodeRecord, error) {
	rec, err := getInode(tx, dir)
	if errors.Is(err, store.ErrNotFound) {
		return rec, fmt.Errorf("%w: %w", store.ErrDirectoryGone, err)
	}
	if err != nil {
		return rec, err
	}
	if rec.Kind != kindDirectory {
		return rec, fmt.Errorf("inode %d: %w", dir, store.ErrNotDirectory)
	}
	return rec, nil
}

// getEdge reads the edge name of dir; ErrNotFound if absent.
func getEdge(tx *bolt.Tx, dir store.ID, name string) (edgeRecord, error) {
	v := tx.Bucket(edgesBucket).Get(edgeKey(dir, name))
	if v == nil {
		return edgeRecord{}, fmt.Errorf("%q in directory %d: %w", name, dir, store.ErrNotFound)
	}
	return decodeEdge(v)
}

// lookupEdge reads the edge name of the directory dir: ErrNotFound if dir
// or the edge is absent, ErrNotDirectory if dir is not one.
func lookupEdge(tx *bolt.Tx, dir store.ID, name string) (edgeRecord, error) {
	if _, err := getDirectory(tx, dir); err != nil {
		return edgeRecord{}, err
	}
	return getEdge(tx, dir, name)
}

// touchDirectory gives dir a new mtime later than its current one; every
// edge change calls it.
func (s *Store) touchDirectory(tx *bolt.Tx, dir store.ID, rec inodeRecord) (int64, error) {
	rec.Mtime = s.clock.after(rec.Mtime)
	return rec.Mtime, putInode(tx, dir, rec)
}
