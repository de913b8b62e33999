package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

const (
	// appendBufferSize is the unit of Append's copy: large writes keep the
	// syscall count per GiB low.
	appendBufferSize = 1 << 20
	// writebackInterval is how often a long Append starts writeback of what
	// it has written, so its final sync has little left to flush.
	writebackInterval = 32 << 20
)

// errBusy: a transient file is already being appended to or linked. TernFS
// allows one writer per transient file; a second concurrent one is a bug in
// the caller.
var errBusy = errors.New("transient file has another append or link in progress")

var appendBuffers = sync.Pool{New: func() any {
	b := make([]byte, appendBufferSize)
	return &b
}}

// CreateTransient creates an empty transient file to be linked into dir.
func (s *Store) CreateTransient(ctx context.Context, dir store.ID, note string) (store.Transient, error) {
	if err := ctx.Err(); err != nil {
		return store.Transient{}, err
	}
	if s.ephemeral.notes[note] {
		return s.createEphemeral(ctx, dir, note)
	}
	// The data file comes first, its directory entry already durable
	// (newDataFile): a crash before the record commits leaves a data file
	// without an inode, which Open removes.
	id, err := s.newDataFile()
	if err != nil {
		return store.Transient{}, fmt.Errorf("create transient file: %w", err)
	}
	err = s.update(func(tx *bolt.Tx) error {
		if _, err := getDirectory(tx, dir); err != nil {
			return err
		}
		now := s.clock.now()
		rec := inodeRecord{
			Kind: kindTransient, Mtime: now, Created: now,
			Deadline: now + s.ttl.Nanoseconds(), Dir: dir, Note: note,
		}
		if err := putInode(tx, id, rec); err != nil {
			return err
		}
		return tx.Bucket(transientBucket).Put(idKey(id), nil)
	})
	if err != nil {
		if rerr := s.files.remove(id); rerr != nil {
			s.log.Warn("local store: cannot remove the data file of a transient file never recorded; the next start removes it", "id", id, "err", rerr)
		}
		return store.Transient{}, fmt.Errorf("create transient file: %w", err)
	}
	return store.Transient{ID: id}, nil
}

// getTransient reads t's record if it is a transient file before its deadline.
func getTransient(tx *bolt.Tx, id store.ID, now int64) (inodeRecord, error) {
	rec, err := getInode(tx, id)
	if err != nil {
		return rec, err
	}
	if rec.Kind != kindTransient {
		return rec, fmt.Errorf("inode %d is not transient: %w", id, store.ErrNotFound)
	}
	if rec.Deadline <= now {
		return rec, fmt.Errorf("transient file %d is past its deadline: %w", id, store.ErrNotFound)
	}
	return rec, nil
}

// claim marks id as having an append or link in progress; release undoes it.
func (s *Store) claim(id store.ID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, busy := s.busy[id]; busy {
		return fmt.Errorf("transient file %d: %w", id, errBusy)
	}
	s.busy[id] = struct{}{}
	return nil
}

func (s *Store) release(id store.ID) {
	s.mu.Lock()
	delete(s.busy, id)
	s.mu.Unlock()
}

func (s *Store) isBusy(id store.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, busy := s.busy[id]
	return busy
}

// Append appends all of r to the transient file. The bytes are on disk
// (fdatasync) before the new size is recorded, and the recorded size is what
// LinkFile links. An error reading r is returned as it is, so callers can
// recognise their own body errors.
func (s *Store) Append(ctx context.Context, t store.Transient, r io.Reader) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := s.claim(t.ID); err != nil {
		return 0, fmt.Errorf("append: %w", err)
	}
	defer s.release(t.ID)
	if f := s.ephemeral.get(t.ID); f != nil {
		return s.appendEphemeral(ctx, f, t.ID, r)
	}

	// start is where the inode's own data file ends: usually its size, but
	// after MoveData took part of the file the two differ.
	var start int64
	err := s.view(func(tx *bolt.Tx) error {
		rec, err := getTransient(tx, t.ID, s.clock.now())
		if err != nil {
			return err
		}
		l, _, err := getExtents(tx, t.ID, rec)
		start = l.OwnLen
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("append: %w", err)
	}
	f, err := openFile(s.files.path(t.ID), os.O_WRONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("append to %d: data file gone: %w", t.ID, store.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("append to %d: %w", t.ID, err)
	}
	defer f.Close()
	// Drop whatever an earlier failed append left past the recorded size.
	if err := f.Truncate(start); err != nil {
		return 0, fmt.Errorf("append to %d: %w", t.ID, err)
	}
	n, err := copyToFile(ctx, f, start, r)
	if err != nil {
		return n, err
	}
	if err := syncData(f); err != nil {
		return n, fmt.Errorf("append to %d: sync: %w", t.ID, err)
	}
	err = s.update(func(tx *bolt.Tx) error {
		now := s.clock.now()
		// No deadline check: the file was alive when the append began and
		// the reaper leaves files with an append in progress alone.
		rec, err := getTransient(tx, t.ID, 0)
		if err != nil {
			return err
		}
		l, stored, err := getExtents(tx, t.ID, rec)
		if err != nil {
			return err
		}
		if l.OwnLen != start {
			return fmt.Errorf("transient file %d changed size during append", t.ID)
		}
		if stored && n > 0 {
			if err := putExtents(tx, t.ID, l.withOwnAppend(t.ID, n)); err != nil {
				return err
			}
		}
		rec.Size += n
		rec.Mtime = now
		rec.Deadline = now + s.ttl.Nanoseconds()
		return putInode(tx, t.ID, rec)
	})
	if err != nil {
		return n, fmt.Errorf("append to %d: record size: %w", t.ID, err)
	}
	return n, nil
}

// copyToFile writes all of r to f from offset off in large writes, checking
// ctx between them. Read errors are returned unwrapped.
func copyToFile(ctx context.Context, f *os.File, off int64, r io.Reader) (int64, error) {
	bufp := appendBuffers.Get().(*[]byte)
	defer appendBuffers.Put(bufp)
	buf := *bufp
	var written, unflushed int64
	for {
		if err := ctx.Err(); err != nil {
			return written, err
		}
		m, rerr := io.ReadFull(r, buf)
		if m > 0 {
			w, werr := f.WriteAt(buf[:m], off+written)
			written += int64(w)
			if werr != nil {
				return written, fmt.Errorf("write data file: %w", werr)
			}
			if unflushed += int64(w); unflushed >= writebackInterval {
				startWriteback(f, off+written-unflushed, unflushed)
				unflushed = 0
			}
		}
		switch rerr {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			return written, nil
		default:
			return written, rerr
		}
	}
}

// KeepAlive moves the transient file's deadline to now + TransientTTL.
func (s *Store) KeepAlive(ctx context.Context, t store.Transient) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if f := s.ephemeral.get(t.ID); f != nil {
		return s.keepEphemeralAlive(f, t.ID)
	}
	err := s.update(func(tx *bolt.Tx) error {
		now := s.clock.now()
		rec, err := getTransient(tx, t.ID, now)
		if err != nil {
			return err
		}
		rec.Deadline = now + s.ttl.Nanoseconds()
		return putInode(tx, t.ID, rec)
	})
	if err != nil {
		return fmt.Errorf("keep alive: %w", err)
	}
	return nil
}

// LinkFile makes the transient file visible as name in dir, replacing any
// file of that name. The replaced file's data is removed once the link is
// committed; readers that have it open keep reading it.
func (s *Store) LinkFile(ctx context.Context, t store.Transient, dir store.ID, name string) (store.FileInfo, error) {
	return s.link(ctx, t, dir, name, nil)
}

// link is LinkFile that also sets the file's attribute when attr is not nil.
func (s *Store) link(ctx context.Context, t store.Transient, dir store.ID, name string, attr []byte) (store.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return store.FileInfo{}, err
	}
	if err := validateName(name); err != nil {
		return store.FileInfo{}, err
	}
	if err := s.claim(t.ID); err != nil {
		return store.FileInfo{}, fmt.Errorf("link: %w", err)
	}
	defer s.release(t.ID)

	var info store.FileInfo
	var unused []store.ID
	var err error
	if f := s.ephemeral.get(t.ID); f != nil {
		info, unused, err = s.linkEphemeral(f, t.ID, dir, name, attr)
	} else {
		info, unused, err = s.linkRecorded(t, dir, name, attr)
	}
	if err != nil {
		return store.FileInfo{}, fmt.Errorf("link %q: %w", name, err)
	}
	// A crash before their removal leaves orphaned data files, removed at
	// Open.
	s.removals.later(unused)
	return info, nil
}

// linkRecorded links a transient file recorded in meta.db, returning the
// linked file and the data files the replaced file left unused.
func (s *Store) linkRecorded(t store.Transient, dir store.ID, name string, attr []byte) (store.FileInfo, []store.ID, error) {
	var info store.FileInfo
	var unused []store.ID
	err := s.update(func(tx *bolt.Tx) error {
		unused = nil
		rec, err := getTransient(tx, t.ID, s.clock.now())
		if err != nil {
			return err
		}
		if rec.Dir != dir {
			return fmt.Errorf("transient file %d was created for directory %d, not %d", t.ID, rec.Dir, dir)
		}
		now, replaced, err := s.replaceEdge(tx, dir, name, t.ID)
		if err != nil {
			return err
		}
		unused = replaced
		linked := inodeRecord{Kind: kindFile, Size: rec.Size, Mtime: now, Created: rec.Created}
		if err := putInode(tx, t.ID, linked); err != nil {
			return err
		}
		if err := tx.Bucket(transientBucket).Delete(idKey(t.ID)); err != nil {
			return err
		}
		if attr != nil {
			if err := tx.Bucket(attrsBucket).Put(idKey(t.ID), attr); err != nil {
				return err
			}
		}
		info = store.FileInfo{ID: t.ID, Size: rec.Size, Mtime: nanosTime(now)}
		return nil
	})
	return info, unused, err
}

// replaceEdge points the edge name of dir at the file child, dropping the
// file it pointed at before or keeping it as a snapshot edge (retireFileEdge)
// (ErrIsDirectory if a directory holds the name).
// It returns dir's new mtime and the data files the drop left unused, to be
// removed once the transaction has committed.
func (s *Store) replaceEdge(tx *bolt.Tx, dir store.ID, name string, child store.ID) (int64, []store.ID, error) {
	dirRec, err := getDirectory(tx, dir)
	if err != nil {
		return 0, nil, err
	}
	var unused []store.ID
	edges := tx.Bucket(edgesBucket)
	key := edgeKey(dir, name)
	if v := edges.Get(key); v != nil {
		old, err := decodeEdge(v)
		if err != nil {
			return 0, nil, err
		}
		if old.Dir {
			return 0, nil, fmt.Errorf("%q: %w", name, store.ErrIsDirectory)
		}
		if unused, err = s.retireFileEdge(tx, dir, name, old); err != nil {
			return 0, nil, err
		}
	}
	now, err := s.touchDirectory(tx, dir, dirRec)
	if err != nil {
		return 0, nil, err
	}
	if err := edges.Put(key, edgeRecord{Child: child, Created: now}.encode()); err != nil {
		return 0, nil, err
	}
	return now, unused, nil
}

// ScrapTransient releases a transient file and its data, even past its
// deadline.
func (s *Store) ScrapTransient(ctx context.Context, t store.Transient) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if f := s.ephemeral.get(t.ID); f != nil {
		if err := s.scrapEphemeral(f, t.ID); err != nil {
			return fmt.Errorf("scrap transient file: %w", err)
		}
		return nil
	}
	unused, err := s.dropTransient(t.ID)
	if err != nil {
		return fmt.Errorf("scrap transient file: %w", err)
	}
	return s.removeData(unused)
}

// dropTransient deletes a transient file's records and returns the data
// files nothing references any more.
func (s *Store) dropTransient(id store.ID) ([]store.ID, error) {
	var unused []store.ID
	err := s.update(func(tx *bolt.Tx) error {
		unused = nil
		rec, err := getInode(tx, id)
		if err != nil {
			return err
		}
		if rec.Kind != kindTransient {
			return fmt.Errorf("inode %d is not transient: %w", id, store.ErrNotFound)
		}
		unused, err = dropInode(tx, id)
		return err
	})
	return unused, err
}

// VisitTransient calls fn for every transient file, including those past
// their deadline that have not been reaped yet, in ID order. fn runs outside
// any transaction.
func (s *Store) VisitTransient(ctx context.Context, fn func(store.TransientInfo) error) error {
	var after store.ID
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := make([]store.TransientInfo, 0, 64)
		err := s.view(func(tx *bolt.Tx) error {
			c := tx.Bucket(transientBucket).Cursor()
			for k, _ := c.Seek(idKey(after + 1)); k != nil && len(batch) < s.batch; k, _ = c.Next() {
				id := keyID(k)
				rec, err := getInode(tx, id)
				if err != nil {
					return err
				}
				batch = append(batch, store.TransientInfo{
					Transient: store.Transient{ID: id},
					Note:      rec.Note,
					Size:      rec.Size,
					Deadline:  nanosTime(rec.Deadline),
				})
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("visit transient files: %w", err)
		}
		// The ephemeral files in this batch's range of IDs go in order
		// among the recorded ones.
		last := len(batch) == 0 || len(batch) < s.batch
		var upTo store.ID
		if !last {
			upTo = batch[len(batch)-1].ID
		}
		merged := mergeByID(batch, s.ephemeralInfos(after, upTo))
		for _, info := range merged {
			if err := fn(info); err != nil {
				return err
			}
		}
		if last {
			return nil
		}
		after = upTo
	}
}
