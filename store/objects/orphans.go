package objects

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/terngate/terngate/store"
)

// NotePut is the note of the transient files of a single PUT. They never
// outlive the process (ReclaimOrphanPuts scraps them at the next start), so
// a store need not keep them across a crash (local.Options.EphemeralNotes).
const NotePut = notePut

// ReclaimOrphanPuts scraps every transient file a PUT left behind, returning
// how many. A PUT never outlives its process, so the single owner of a store
// calls this at startup, before serving.
func (l *Layer) ReclaimOrphanPuts(ctx context.Context) (int, error) {
	var orphans []store.Transient
	err := l.st.VisitTransient(ctx, func(ti store.TransientInfo) error {
		if ti.Note == notePut {
			orphans = append(orphans, ti.Transient)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("objects: visit transient files: %w", err)
	}
	n := 0
	for _, t := range orphans {
		err := l.st.ScrapTransient(ctx, t)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return n, fmt.Errorf("objects: scrap transient file %016x: %w", uint64(t.ID), err)
		}
		if err == nil {
			n++
		}
	}
	return n, nil
}

// SweepOrphanMetadata removes the metadata records of files that no longer
// exist (an overwrite or delete that failed to remove them), returning how
// many. Records younger than Options.MetadataGrace are left alone: their PUT
// may not have linked its file yet.
func (l *Layer) SweepOrphanMetadata(ctx context.Context) (int, error) {
	buckets, err := l.ListBuckets(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range buckets {
		bid, err := l.bucketID(ctx, b.Name)
		if err != nil {
			continue // deleted meanwhile
		}
		swept, err := l.sweepBucket(ctx, bid)
		n += swept
		if err != nil {
			return n, fmt.Errorf("objects: sweep metadata of bucket %q: %w", b.Name, err)
		}
	}
	return n, nil
}

func (l *Layer) sweepBucket(ctx context.Context, bucket store.ID) (int, error) {
	meta, err := l.st.Lookup(ctx, bucket, metaDirName)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	shards, err := readAll(ctx, l.st, meta.ID)
	if err != nil {
		return 0, err
	}
	cutoff := time.Now().Add(-l.opts.MetadataGrace)
	n := 0
	for _, shard := range shards {
		if !shard.Dir {
			continue
		}
		recs, err := readAll(ctx, l.st, shard.ID)
		if err != nil {
			return n, err
		}
		for _, rec := range recs {
			id, ok := parseRecordName(rec.Name)
			if rec.Dir || !ok || rec.CreationTime.After(cutoff) {
				continue
			}
			_, err := l.st.StatFile(ctx, id)
			if err == nil {
				continue
			}
			if !errors.Is(err, store.ErrNotFound) {
				return n, fmt.Errorf("stat file %016x: %w", uint64(id), err)
			}
			err = l.st.UnlinkFile(ctx, shard.ID, rec.Name, rec.ID)
			if err == nil {
				l.records.remove(rec.ID)
				n++
			} else if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrStale) {
				return n, fmt.Errorf("remove record %q: %w", rec.Name, err)
			}
		}
	}
	return n, nil
}

func readAll(ctx context.Context, st store.Store, dir store.ID) ([]store.Entry, error) {
	var entries []store.Entry
	err := st.ReadDir(ctx, dir, func(e store.Entry) error {
		entries = append(entries, e)
		return nil
	})
	return entries, err
}
