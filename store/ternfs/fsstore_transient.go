package ternfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/terngate/terngate/store"
)

// partNotePrefix marks transient files written span by span into files of
// their own so that MoveData can move them (see Store).
const partNotePrefix = "mpu:"

// CreateTransient constructs an empty transient file on dir's shard (a
// file can only be linked into a directory of its own shard).
func (s *Store) CreateTransient(ctx context.Context, dir store.ID, note string) (store.Transient, error) {
	d, err := directoryID(dir)
	if err != nil {
		return store.Transient{}, err
	}
	f, err := s.client.ConstructFile(ctx, d.Shard(), note)
	if err != nil {
		return store.Transient{}, err
	}
	if strings.HasPrefix(note, partNotePrefix) {
		s.mu.Lock()
		s.parts[f.ID] = &partFile{note: note}
		s.mu.Unlock()
	}
	return transientOf(f.ID, f.Cookie), nil
}

// Append cuts r into spans of the policy's largest size and writes each
// one certified (so durable) at the file's end; a part file's spans go to
// span files instead (appendPart).
func (s *Store) Append(ctx context.Context, t store.Transient, r io.Reader) (int64, error) {
	id, err := fileID(t.ID)
	if err != nil {
		return 0, err
	}
	if part := s.part(id); part != nil {
		return s.appendPart(ctx, t, part, r)
	}
	st, err := s.client.StatTransientFile(ctx, id)
	if err != nil {
		return 0, err
	}
	offset := st.Size
	var written int64
	err = s.eachSpan(r, func(data []byte) error {
		if offset%PageSize != 0 {
			return fmt.Errorf("append to %v: size %d is not page-aligned: %w", id, offset, ErrMalformed)
		}
		if err := s.client.WriteSpan(ctx, id, cookieOf(t), offset, data, s.policies); err != nil {
			return err
		}
		offset += uint64(len(data))
		written += int64(len(data))
		return nil
	})
	return written, err
}

// KeepAlive moves the deadline of the file (and of its span files)
// forward.
func (s *Store) KeepAlive(ctx context.Context, t store.Transient) error {
	id, err := fileID(t.ID)
	if err != nil {
		return err
	}
	if err := s.client.KeepTransientAlive(ctx, id, cookieOf(t)); err != nil {
		return err
	}
	if part := s.part(id); part != nil {
		for _, sf := range part.snapshot() {
			if err := s.client.KeepTransientAlive(ctx, sf.id, sf.cookie); err != nil {
				return err
			}
		}
	}
	return nil
}

// LinkFile links the transient file as name in dir, replacing any file of
// that name. A part file's pending span files are moved onto it first.
func (s *Store) LinkFile(ctx context.Context, t store.Transient, dir store.ID, name string) (store.FileInfo, error) {
	d, err := directoryID(dir)
	if err != nil {
		return store.FileInfo{}, err
	}
	id, err := fileID(t.ID)
	if err != nil {
		return store.FileInfo{}, err
	}
	if err := validateName(name); err != nil {
		return store.FileInfo{}, err
	}
	if part := s.part(id); part != nil {
		if err := s.settle(ctx, t, part); err != nil {
			return store.FileInfo{}, err
		}
	}
	err = retryTransient(ctx, func() error {
		_, err := s.client.LinkFile(ctx, id, cookieOf(t), d, name)
		return err
	})
	if code, ok := AsError(err); ok && code == ErrCannotOverrideName {
		return store.FileInfo{}, fmt.Errorf("link %q: %w", name, store.ErrIsDirectory)
	}
	if err != nil {
		return store.FileInfo{}, err
	}
	s.forget(id)
	return s.StatFile(ctx, t.ID)
}

// ScrapTransient releases the file and its span files; emptied files are
// removed at once, the others when GC destroys them.
func (s *Store) ScrapTransient(ctx context.Context, t store.Transient) error {
	id, err := fileID(t.ID)
	if err != nil {
		return err
	}
	var spanFiles []*spanFile
	if part := s.part(id); part != nil {
		spanFiles = part.snapshot()
	}
	err = s.client.ScrapTransientFile(ctx, id, cookieOf(t))
	if err == nil {
		s.dropIfEmpty(ctx, id)
	}
	for _, sf := range spanFiles {
		// The head's answer decides; span files left over expire anyway.
		if serr := s.client.ScrapTransientFile(ctx, sf.id, sf.cookie); serr == nil {
			s.dropIfEmpty(ctx, sf.id)
		}
	}
	if err == nil || errors.Is(err, store.ErrNotFound) {
		s.forget(id)
	}
	return err
}

// dropIfEmpty removes a scrapped file at once when it has no spans
// (RemoveInode refuses files with spans); otherwise GC destroys it.
func (s *Store) dropIfEmpty(ctx context.Context, id InodeID) {
	_ = s.client.RemoveInode(ctx, id)
}

// VisitTransient walks every shard's transient files, with a
// StatTransientFile each for its note and size. Files that vanish during
// the walk are skipped.
func (s *Store) VisitTransient(ctx context.Context, fn func(store.TransientInfo) error) error {
	for shard := range 256 {
		err := s.client.VisitTransientFiles(ctx, ShardID(shard), func(f TransientFile) error {
			st, err := s.client.StatTransientFile(ctx, f.ID)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			size := int64(st.Size)
			if part := s.part(f.ID); part != nil {
				size += part.pendingSize() // appended, still in span files
			}
			return fn(store.TransientInfo{
				Transient: transientOf(f.ID, f.Cookie),
				Note:      st.Note,
				Size:      size,
				Deadline:  f.DeadlineTime.Time(),
			})
		})
		if err != nil {
			return err
		}
	}
	return nil
}
