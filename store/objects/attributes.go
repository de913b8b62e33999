package objects

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// A store that offers store.AttributedFiles (the local store) keeps an
// object's record as its file's attribute, set by the same step that links
// the file, instead of in a record file: a PUT is then one namespace
// transaction for the link and record instead of five, and a small PUT,
// whose bytes go inline, is one transaction in all. Records already written
// as files (by earlier versions) keep being read:
// readRecord looks for the attribute first, then for the record file.
//
// Writes keep records as attributes only without leases: a write under a
// lease must hold a transient file that another gateway can scrap to fence
// it, and setting an attribute or linking a file whole has none. The
// gateway never gives leases to a store with attributes (the local store is
// owned by one process), so this only keeps tests of fencing over the local
// store on the record-file path that TernFS takes.

// attributed returns the store's attribute capability, if it has one:
// records are read from attributes whenever it does.
func (l *Layer) attributed() (store.AttributedFiles, bool) {
	st, ok := l.st.(store.AttributedFiles)
	return st, ok
}

// attributeWriter returns the store if writes keep records as attributes.
func (l *Layer) attributeWriter() (store.AttributedFiles, bool) {
	st, ok := l.attributed()
	if !ok || l.opts.Leases != nil {
		return nil, false
	}
	return st, true
}

// inlineStore returns the store if a body of size bytes (-1: unknown) can be
// linked whole, in one step.
func (l *Layer) inlineStore(size int64) (store.AttributedFiles, bool) {
	st, ok := l.attributeWriter()
	if !ok || size < 0 || size > st.MaxInlineSize() {
		return nil, false
	}
	return st, true
}

// recordLinker stores rec for the transient file t and returns how to link
// t: with rec as its attribute when the store keeps attributes, else after
// writing rec's record file.
func (l *Layer) recordLinker(ctx context.Context, bucket, dir store.ID, t store.Transient, rec record) (linkFunc, error) {
	st, ok := l.attributeWriter()
	if !ok {
		if err := l.writeRecord(ctx, bucket, t.ID, rec); err != nil {
			return nil, err
		}
		return func(ctx context.Context, name string) (store.FileInfo, error) {
			return l.st.LinkFile(ctx, t, dir, name)
		}, nil
	}
	attr, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("objects: encode metadata: %w", err)
	}
	return func(ctx context.Context, name string) (store.FileInfo, error) {
		return st.LinkFileWithAttribute(ctx, t, dir, name, attr)
	}, nil
}

// putInline is Put for a body the store links whole: the body is read into
// memory and checked, then bytes, record and name are committed in one
// store call under the name's hold.
func (l *Layer) putInline(ctx context.Context, st store.AttributedFiles, in PutInput, p keyPath, bucket store.ID) (ObjectInfo, error) {
	data, rec, err := readInlineBody(in)
	if err != nil {
		return ObjectInfo{}, err
	}
	flag := l.stampVersion(ctx, bucket, &rec)
	attr, err := json.Marshal(rec)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("objects: encode metadata: %w", err)
	}
	link := func(trustDir bool) (store.ID, store.FileInfo, error) {
		dir, _, release, err := l.preparePut(ctx, in.Bucket, &bucket, p.dirs, false, trustDir)
		if err != nil {
			return 0, store.FileInfo{}, err
		}
		defer release()
		return l.linkWith(ctx, in, bucket, dir, p.name, store.Transient{}, func(ctx context.Context, name string) (store.FileInfo, error) {
			return st.LinkInlineFile(ctx, dir, name, data, attr)
		})
	}
	// The body is in memory, so the key's cached directory is trusted and
	// the link made again if it has gone (see replayableBodySize).
	old, fi, err := link(true)
	if errors.Is(err, store.ErrNotFound) && len(p.dirs) > 0 {
		old, fi, err = link(false)
	}
	if err != nil {
		l.pruneDirs(context.WithoutCancel(ctx), bucket, p.dirs)
		return ObjectInfo{}, err
	}
	l.afterReplace(ctx, bucket, old)
	l.afterNullWrite(ctx, bucket, in.Bucket, p, flag)
	return rec.info(in.Bucket, in.Key, fi.ID), nil
}

// readInlineBody reads a body of in.Size bytes to EOF and checks it as
// finishPut does, in the same order: the body's own error, its length, its
// MD5, then BeforeCommit.
func readInlineBody(in PutInput) ([]byte, record, error) {
	src := in.Body
	if src == nil {
		src = bytes.NewReader(nil)
	}
	body := &hashingReader{r: src, h: md5.New()}
	data, err := readWhole(body, in.Size)
	if err != nil {
		return nil, record{}, err
	}
	sum := body.h.Sum(nil)
	if len(in.ContentMD5) > 0 && !bytes.Equal(in.ContentMD5, sum) {
		return nil, record{}, s3err.BadDigestMD5(sum, in.ContentMD5)
	}
	rec := record{Meta: in.Metadata, ETag: hex.EncodeToString(sum), Size: in.Size, Modified: time.Now().UnixNano()}
	in.Encryption.complete(&rec, sum)
	if in.BeforeCommit != nil {
		if err := in.BeforeCommit(&rec.Meta); err != nil {
			return nil, record{}, err
		}
	}
	data, err = in.Encryption.sealBytes(data)
	return data, rec, err
}

// replaceAttributeRecord is linkRecord for a store that keeps attributes:
// rec replaces file id's attribute if name in dir still holds id.
func (l *Layer) replaceAttributeRecord(ctx context.Context, st store.AttributedFiles, bid, dir store.ID, name string, id store.ID, rec record) error {
	attr, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("objects: encode metadata: %w", err)
	}
	hold, err := l.holdName(ctx, bid, dir, name, store.Transient{})
	if err != nil {
		return err
	}
	defer hold.release(ctx)
	s, err := l.inspect(ctx, dir, name)
	if err != nil {
		return err
	}
	if !s.found || s.file.ID != id {
		return errObjectMoved
	}
	if err := hold.commit(l); err != nil {
		return err
	}
	if err := st.SetFileAttribute(ctx, id, attr); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errObjectMoved
		}
		return fmt.Errorf("objects: write metadata of %016x: %w", uint64(id), err)
	}
	return nil
}
