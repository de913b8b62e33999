package local

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

// Ephemeral transient files (Options.EphemeralNotes) are not recorded in
// meta.db until they are linked: creating one takes a new data file
// (newDataFile) and nothing else, Append writes and fdatasyncs the bytes
// and keeps the size in memory, and the link's transaction writes the
// inode, edge and attribute at once. A single PUT of a data file then
// costs one namespace transaction instead of three (create, append, link).
//
// A crash forgets them: their data files have no inode and are removed at
// Open (removeOrphans), as any data file whose inode is gone. That is only
// right for files the layer above would scrap after a restart anyway.
//
// IDs come from blocks reserved in meta.db's inode sequence (reserveIDs),
// so an ephemeral file's ID is never handed out again, even after a crash.

// idBlock is how many IDs one reservation transaction sets aside.
const idBlock = 1024

// ephemeralFile is the in-memory state of one ephemeral transient file.
type ephemeralFile struct {
	// mu orders link, scrap, reap, persist and the end of an append on
	// this file: whichever takes it first with gone unset decides its fate.
	mu       sync.Mutex
	gone     bool // linked, scrapped, reaped or recorded in meta.db
	dir      store.ID
	note     string
	created  int64
	deadline int64
	size     int64
}

// ephemeralSet holds a store's ephemeral transient files and its reserved
// IDs.
type ephemeralSet struct {
	notes map[string]bool

	mu    sync.Mutex
	files map[store.ID]*ephemeralFile

	idMu       sync.Mutex // serialises reservations
	next, last uint64     // reserved IDs not handed out yet: next..last
}

func newEphemeralSet(notes []string) *ephemeralSet {
	set := &ephemeralSet{notes: map[string]bool{}, files: map[store.ID]*ephemeralFile{}}
	for _, n := range notes {
		set.notes[n] = true
	}
	return set
}

func (e *ephemeralSet) get(id store.ID) *ephemeralFile {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.files[id]
}

func (e *ephemeralSet) forget(id store.ID) {
	e.mu.Lock()
	delete(e.files, id)
	e.mu.Unlock()
}

// snapshot lists the ephemeral files in ID order.
func (e *ephemeralSet) snapshot() []store.ID {
	e.mu.Lock()
	ids := make([]store.ID, 0, len(e.files))
	for id := range e.files {
		ids = append(ids, id)
	}
	e.mu.Unlock()
	slices.Sort(ids)
	return ids
}

// newID hands out an ID never used before, reserving a block in meta.db's
// inode sequence when the last one is used up.
func (s *Store) newID() (store.ID, error) {
	e := s.ephemeral
	e.idMu.Lock()
	defer e.idMu.Unlock()
	if e.next == 0 || e.next > e.last {
		var first uint64
		err := s.update(func(tx *bolt.Tx) error {
			inodes := tx.Bucket(inodesBucket)
			first = inodes.Sequence() + 1
			return inodes.SetSequence(first + idBlock - 1)
		})
		if err != nil {
			return 0, fmt.Errorf("reserve inode IDs: %w", err)
		}
		e.next, e.last = first, first+idBlock-1
	}
	id := store.ID(e.next)
	e.next++
	return id, nil
}

// newDataFile returns the ID of a new empty data file whose directory entry
// is durable, so no link can ever commit ahead of it: a pooled one when
// there is one ready, else one created and synced here.
func (s *Store) newDataFile() (store.ID, error) {
	if id, ok := s.pool.take(); ok {
		return id, nil
	}
	id, err := s.newID()
	if err != nil {
		return 0, err
	}
	if err := s.files.create(id); err != nil {
		return 0, fmt.Errorf("data file %d: %w", id, err)
	}
	return id, nil
}

// createEphemeral is CreateTransient for a note in Options.EphemeralNotes.
func (s *Store) createEphemeral(ctx context.Context, dir store.ID, note string) (store.Transient, error) {
	err := s.view(func(tx *bolt.Tx) error {
		_, err := getDirectory(tx, dir)
		return err
	})
	if err != nil {
		return store.Transient{}, fmt.Errorf("create transient file: %w", err)
	}
	id, err := s.newDataFile()
	if err != nil {
		return store.Transient{}, fmt.Errorf("create transient file: %w", err)
	}
	now := s.clock.now()
	f := &ephemeralFile{dir: dir, note: note, created: now, deadline: now + s.ttl.Nanoseconds()}
	s.ephemeral.mu.Lock()
	s.ephemeral.files[id] = f
	s.ephemeral.mu.Unlock()
	return store.Transient{ID: id}, nil
}

// live reports f's error if it is no longer an ephemeral transient file
// before its deadline; f.mu is held.
func (f *ephemeralFile) live(id store.ID, now int64) error {
	if f.gone {
		return fmt.Errorf("transient file %d: %w", id, store.ErrNotFound)
	}
	if f.deadline <= now {
		return fmt.Errorf("transient file %d is past its deadline: %w", id, store.ErrNotFound)
	}
	return nil
}

// appendEphemeral is Append to an ephemeral file; the caller has claimed it.
func (s *Store) appendEphemeral(ctx context.Context, f *ephemeralFile, id store.ID, r io.Reader) (int64, error) {
	f.mu.Lock()
	err := f.live(id, s.clock.now())
	start := f.size
	f.mu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("append: %w", err)
	}
	df, err := openFile(s.files.path(id), os.O_WRONLY, 0)
	if err != nil {
		return 0, fmt.Errorf("append to %d: %w", id, err)
	}
	defer df.Close()
	if err := df.Truncate(start); err != nil {
		return 0, fmt.Errorf("append to %d: %w", id, err)
	}
	n, err := copyToFile(ctx, df, start, r)
	if err != nil {
		return n, err
	}
	if err := syncData(df); err != nil {
		return n, fmt.Errorf("append to %d: sync: %w", id, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gone { // scrapped or reaped meanwhile
		return n, fmt.Errorf("append to %d: %w", id, store.ErrNotFound)
	}
	now := s.clock.now()
	f.size = start + n
	f.deadline = now + s.ttl.Nanoseconds()
	return n, nil
}

// keepEphemeralAlive is KeepAlive of an ephemeral file.
func (s *Store) keepEphemeralAlive(f *ephemeralFile, id store.ID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := s.clock.now()
	if err := f.live(id, now); err != nil {
		return fmt.Errorf("keep alive: %w", err)
	}
	f.deadline = now + s.ttl.Nanoseconds()
	return nil
}

// linkEphemeral is link of an ephemeral file (the caller has claimed it):
// inode, edge and attribute in one transaction.
func (s *Store) linkEphemeral(f *ephemeralFile, id, dir store.ID, name string, attr []byte) (store.FileInfo, []store.ID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.live(id, s.clock.now()); err != nil {
		return store.FileInfo{}, nil, err
	}
	if f.dir != dir {
		return store.FileInfo{}, nil, fmt.Errorf("transient file %d was created for directory %d, not %d", id, f.dir, dir)
	}
	var info store.FileInfo
	var unused []store.ID
	err := s.update(func(tx *bolt.Tx) error {
		now, replaced, err := s.replaceEdge(tx, dir, name, id)
		if err != nil {
			return err
		}
		unused = replaced
		linked := inodeRecord{Kind: kindFile, Size: f.size, Mtime: now, Created: f.created}
		if err := putInode(tx, id, linked); err != nil {
			return err
		}
		if attr != nil {
			if err := tx.Bucket(attrsBucket).Put(idKey(id), attr); err != nil {
				return err
			}
		}
		info = store.FileInfo{ID: id, Size: f.size, Mtime: nanosTime(now)}
		return nil
	})
	if err != nil {
		return store.FileInfo{}, nil, err
	}
	f.gone = true
	s.ephemeral.forget(id)
	return info, unused, nil
}

// scrapEphemeral drops an ephemeral file and its data file.
func (s *Store) scrapEphemeral(f *ephemeralFile, id store.ID) error {
	f.mu.Lock()
	if f.gone {
		f.mu.Unlock()
		return fmt.Errorf("transient file %d: %w", id, store.ErrNotFound)
	}
	f.gone = true
	s.ephemeral.forget(id)
	f.mu.Unlock()
	return s.files.remove(id)
}

// persistEphemeral records ephemeral files in meta.db as ordinary transient
// files, for the operations that work on recorded ones only (MoveData).
// IDs that are not ephemeral are left alone.
func (s *Store) persistEphemeral(ids ...store.ID) error {
	for _, id := range ids {
		f := s.ephemeral.get(id)
		if f == nil {
			continue
		}
		err := func() error {
			f.mu.Lock()
			defer f.mu.Unlock()
			if err := f.live(id, s.clock.now()); err != nil {
				return err
			}
			rec := inodeRecord{
				Kind: kindTransient, Size: f.size, Mtime: s.clock.now(), Created: f.created,
				Deadline: f.deadline, Dir: f.dir, Note: f.note,
			}
			err := s.update(func(tx *bolt.Tx) error {
				if err := putInode(tx, id, rec); err != nil {
					return err
				}
				return tx.Bucket(transientBucket).Put(idKey(id), nil)
			})
			if err != nil {
				return fmt.Errorf("record transient file %d: %w", id, err)
			}
			f.gone = true
			s.ephemeral.forget(id)
			return nil
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// ephemeralInfos reports the ephemeral files with IDs in (after, upTo]
// (upTo 0: no bound), in ID order, for VisitTransient.
func (s *Store) ephemeralInfos(after, upTo store.ID) []store.TransientInfo {
	var out []store.TransientInfo
	for _, id := range s.ephemeral.snapshot() {
		if id <= after || (upTo != 0 && id > upTo) {
			continue
		}
		f := s.ephemeral.get(id)
		if f == nil {
			continue
		}
		f.mu.Lock()
		if !f.gone {
			out = append(out, store.TransientInfo{
				Transient: store.Transient{ID: id}, Note: f.note, Size: f.size, Deadline: nanosTime(f.deadline),
			})
		}
		f.mu.Unlock()
	}
	return out
}

// mergeByID merges two lists of transient files, each in ID order.
func mergeByID(a, b []store.TransientInfo) []store.TransientInfo {
	if len(b) == 0 {
		return a
	}
	out := append(slices.Clone(a), b...)
	slices.SortFunc(out, func(x, y store.TransientInfo) int { return cmp.Compare(x.ID, y.ID) })
	return out
}

// reapEphemeral scraps the ephemeral files past their deadline with no
// append or link in progress, returning how many.
func (s *Store) reapEphemeral() (int, error) {
	reaped := 0
	now := s.clock.now()
	for _, id := range s.ephemeral.snapshot() {
		f := s.ephemeral.get(id)
		if f == nil || s.isBusy(id) {
			continue
		}
		f.mu.Lock()
		expired := !f.gone && f.deadline <= now
		f.mu.Unlock()
		if !expired {
			continue
		}
		err := s.scrapEphemeral(f, id)
		if err == nil {
			reaped++
		} else if !errors.Is(err, store.ErrNotFound) {
			return reaped, err
		}
	}
	return reaped, nil
}
