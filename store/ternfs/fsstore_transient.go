package ternfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"
)

// CreateTransient constructs an empty transient file on dir's shard (a
// file can only be linked into a directory of its own shard).
func (s *Store) CreateTransient(ctx context.Context, dir store.ID, note string) (store.Transient, error) {
	d, err := directoryID(dir)
	if err != nil {
		return store.Transient{}, err
	}
	f, err := s.client.ConstructFile(ctx, d.Shard(), s.scopedNote(note))
	if err != nil {
		return store.Transient{}, err
	}
	s.remember(f.ID, note)
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
	lf := s.local(id)
	if lf != nil && lf.part {
		return s.appendPart(ctx, t, lf, r)
	}
	if lf != nil {
		lf.op.Lock()
		defer lf.op.Unlock()
	}
	offset, err := s.transientSize(ctx, id, lf)
	if err != nil {
		return 0, err
	}
	if lf != nil {
		// Unknown until this append has succeeded: a failed one leaves
		// the file in a state only the shard knows.
		lf.sizeKnown = false
	}
	var written int64
	err = s.eachSpan(ctx, r, func(data []byte) error {
		if offset%span.PageSize != 0 {
			return fmt.Errorf("append to %v: size %d is not page-aligned: %w", id, offset, wire.ErrMalformed)
		}
		if err := s.client.WriteSpan(ctx, id, cookieOf(t), offset, data, s.policies); err != nil {
			return err
		}
		offset += uint64(len(data))
		written += int64(len(data))
		return nil
	})
	if err == nil && lf != nil {
		lf.size, lf.sizeKnown = int64(offset), true
	}
	return written, err
}

// transientSize is the size of transient file id: remembered for a file
// this process created and appended to (lf, locked by the caller), else
// the shard's answer.
func (s *Store) transientSize(ctx context.Context, id wire.InodeID, lf *localFile) (uint64, error) {
	if lf != nil && lf.sizeKnown {
		return uint64(lf.size), nil
	}
	st, err := s.client.StatTransientFile(ctx, id)
	if err != nil {
		return 0, err
	}
	return st.Size, nil
}

// KeepAlive moves the deadline of the file, and of the span files of its
// spans not moved yet, forward.
func (s *Store) KeepAlive(ctx context.Context, t store.Transient) error {
	id, err := fileID(t.ID)
	if err != nil {
		return err
	}
	if err := s.client.KeepTransientAlive(ctx, id, cookieOf(t)); err != nil {
		return err
	}
	if !s.mayHaveSpans(id) {
		return nil
	}
	spans, err := s.loadSpans(ctx, id)
	if err != nil {
		return err
	}
	for _, r := range spans {
		if r.File == 0 || r.State == spanDone || r.State == spanHandedOver {
			continue
		}
		if err := s.client.KeepTransientAlive(ctx, r.File, r.Cookie); err != nil {
			return fmt.Errorf("keep span file %v of %v alive: %w", r.File, id, err)
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
	journaled := s.mayHaveSpans(id)
	if err := s.settle(ctx, t); err != nil {
		return store.FileInfo{}, err
	}
	size, sizeKnown := s.knownSize(id)
	var linked wire.LinkFileResp
	err = retryTransient(ctx, func() error {
		var err error
		linked, err = s.client.LinkFile(ctx, id, cookieOf(t), d, name)
		return err
	})
	if code, ok := wire.AsError(err); ok && code == wire.ErrCannotOverrideName {
		return store.FileInfo{}, fmt.Errorf("link %q: %w", name, store.ErrIsDirectory)
	}
	if code, ok := wire.AsError(err); ok && code == wire.ErrDirectoryNotFound {
		// Another gateway over the store removed the directory (it was
		// empty) after this one resolved it. Nothing is lost: the file
		// stays transient. The error is still store.ErrNotFound, and a
		// 503 SlowDown to an S3 client, which retries and resolves again.
		return store.FileInfo{}, fmt.Errorf("link %q: directory removed meanwhile: %w", name, errors.Join(err, s3err.SlowDown))
	}
	if err != nil {
		return store.FileInfo{}, err
	}
	s.forget(id)
	if journaled {
		s.forgetSpans(ctx, id)
	}
	if sizeKnown {
		// The shard sets the new file's mtime to the link time it answers
		// with (TestLinkFileInfoIsTheShardsIntegration checks), so a StatFile would
		// tell nothing new.
		return store.FileInfo{ID: t.ID, Size: size, Mtime: linked.CreationTime.Time()}, nil
	}
	return s.StatFile(ctx, t.ID)
}

// knownSize is the remembered size of a transient file this process
// created, if no append to it is failing or in flight.
func (s *Store) knownSize(id wire.InodeID) (int64, bool) {
	lf := s.local(id)
	if lf == nil || !lf.op.TryLock() {
		return 0, false
	}
	defer lf.op.Unlock()
	return lf.size, lf.sizeKnown
}

// ScrapTransient releases the file and its span files (those emptied by
// moves too); emptied files are removed at once, the others when GC
// destroys them.
func (s *Store) ScrapTransient(ctx context.Context, t store.Transient) error {
	id, err := fileID(t.ID)
	if err != nil {
		return err
	}
	journaled := s.mayHaveSpans(id)
	var spans []spanRecord
	if journaled {
		// Unreadable records only cost the span files their deadline.
		spans, _ = s.loadSpans(ctx, id)
	}
	err = s.client.ScrapTransientFile(ctx, id, cookieOf(t))
	if err == nil {
		s.dropIfEmpty(ctx, id)
	}
	for _, r := range spans {
		// Done spans left their (now empty) files behind; handed-over
		// ones belong to another file's journal.
		if r.File == 0 || r.State == spanHandedOver {
			continue
		}
		// The head's answer decides; span files left over expire anyway.
		if serr := s.client.ScrapTransientFile(ctx, r.File, r.Cookie); serr == nil {
			s.dropIfEmpty(ctx, r.File)
		}
	}
	if err == nil || errors.Is(err, store.ErrNotFound) {
		s.forget(id)
		if journaled {
			s.forgetSpans(ctx, id)
		}
	}
	return err
}

// forgetSpans drops a part file's journal record once the file is linked
// or scrapped. A record that cannot be dropped is harmless (the journal
// expires it); the error is not the caller's.
func (s *Store) forgetSpans(ctx context.Context, id wire.InodeID) {
	_ = s.journal.Delete(context.WithoutCancel(ctx), journalKey(id))
}

// dropIfEmpty removes a scrapped file at once when it has no spans
// (RemoveInode refuses files with spans); otherwise GC destroys it.
func (s *Store) dropIfEmpty(ctx context.Context, id wire.InodeID) {
	_ = s.client.RemoveInode(ctx, id)
}

// VisitTransient walks every shard's transient files, with a
// StatTransientFile each for its note and size, and reports this store's
// (scopedNote). Files that vanish during the walk are skipped.
func (s *Store) VisitTransient(ctx context.Context, fn func(store.TransientInfo) error) error {
	for shard := range 256 {
		err := s.client.VisitTransientFiles(ctx, wire.ShardID(shard), func(f wire.TransientFile) error {
			st, err := s.client.StatTransientFile(ctx, f.ID)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			note, ours := s.unscopedNote(st.Note)
			if !ours {
				return nil // another store's (or another TernFS client's)
			}
			size := int64(st.Size)
			if strings.HasPrefix(note, partNotePrefix) {
				spans, err := s.loadSpans(ctx, f.ID)
				if err != nil {
					return err
				}
				size += pendingSize(spans) // appended, still in span files
			}
			return fn(store.TransientInfo{
				Transient: transientOf(f.ID, f.Cookie),
				Note:      note,
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

// ScopedNote is the note a transient file of the store rooted at root
// carries on the cluster: the caller's note behind a tag naming the root. A
// cluster is shared by other gateway deployments (other roots) and other
// TernFS clients; their transient files are none of a store's business,
// and its sweepers must never scrap them as orphans.
func ScopedNote(root wire.InodeID, note string) string {
	return fmt.Sprintf("terngate:%016x:%s", uint64(root), note)
}

func (s *Store) scopedNote(note string) string { return ScopedNote(s.root, note) }

// unscopedNote undoes scopedNote, reporting whether the note is this
// store's.
func (s *Store) unscopedNote(clusterNote string) (string, bool) {
	return strings.CutPrefix(clusterNote, s.scopedNote(""))
}
