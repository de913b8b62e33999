package objects

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// Put writes an object in one piece. Nothing becomes visible unless the whole
// body arrived intact and the preconditions held: the data file is linked
// last, after its metadata record (or together with it, when the store keeps
// attributes), so readers see both or neither.
func (l *Layer) Put(ctx context.Context, in PutInput) (ObjectInfo, error) {
	p, err := pathOfKey(in.Key)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer l.bucketLocks.rlock(in.Bucket)()
	// The directory HeadBucket confirmed for this request: one removed
	// since fails to resolve or link below (store.ErrNotFound, a 503 to
	// the client, which retries), as it would after a fresh lookup.
	bucket, _, err := l.cachedBucketID(ctx, in.Bucket)
	if err != nil {
		return ObjectInfo{}, err
	}
	if st, ok := l.inlineStore(in.Encryption.storedSize(in.Size)); ok {
		return l.putInline(ctx, st, in, p, bucket)
	}
	if len(p.dirs) > 0 && in.Size >= 0 && in.Size <= replayableBodySize {
		return l.putReplayable(ctx, in, p, bucket)
	}
	return l.putOnce(ctx, in, p, bucket, false)
}

// replayableBodySize is the largest body a PUT keeps in memory so that it
// can write it again. Such a PUT trusts the cached ID of its key's
// directory instead of looking it up afresh: if another gateway pruned the
// directory meanwhile, the link fails, nothing is visible, and the write is
// made again in a directory resolved afresh (TernFS creates a file in its
// directory's shard, so a file made for the pruned directory cannot be
// linked into the new one). A larger body streams, and looks its directory
// up first. 64 KiB bounds the memory this holds per request.
const replayableBodySize = 64 << 10

// putReplayable is Put for a small body of known size in a directory (see
// replayableBodySize).
func (l *Layer) putReplayable(ctx context.Context, in PutInput, p keyPath, bucket store.ID) (ObjectInfo, error) {
	data, err := readWhole(in.Body, in.Size)
	if err != nil {
		return ObjectInfo{}, err
	}
	in.Body = bytes.NewReader(data)
	info, err := l.putOnce(ctx, in, p, bucket, true)
	if !errors.Is(err, store.ErrNotFound) {
		return info, err
	}
	in.Body = bytes.NewReader(data)
	return l.putOnce(ctx, in, p, bucket, false)
}

// readWhole reads a body that should be size bytes long to EOF, as
// finishPut would: the body's own error first (a verifying wrapper reports
// a bad payload only at EOF), then IncompleteBody if the length is wrong.
func readWhole(body io.Reader, size int64) ([]byte, error) {
	if body == nil {
		body = bytes.NewReader(nil)
	}
	data := make([]byte, size)
	n, err := io.ReadFull(body, data)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	extra, err := io.Copy(io.Discard, body)
	if err != nil {
		return nil, err
	}
	if int64(n) != size || extra > 0 {
		return nil, s3err.IncompleteBody
	}
	return data, nil
}

// putOnce writes the object through a transient file; trustDir takes the
// key's directory from the cache unconfirmed (see replayableBodySize).
func (l *Layer) putOnce(ctx context.Context, in PutInput, p keyPath, bucket store.ID, trustDir bool) (ObjectInfo, error) {
	dir, t, release, err := l.preparePut(ctx, in.Bucket, &bucket, p.dirs, true, trustDir)
	if err != nil {
		return ObjectInfo{}, err
	}
	info, err := l.finishPut(ctx, in, p, bucket, dir, t)
	release()
	if err != nil {
		_ = l.st.ScrapTransient(context.WithoutCancel(ctx), t)
		l.pruneDirs(context.WithoutCancel(ctx), bucket, p.dirs)
		return ObjectInfo{}, err
	}
	return info, nil
}

// startPut resolves (creating) the object's directory and creates the
// transient file in it. The returned release keeps the directory from being
// pruned until the file is linked.
func (l *Layer) startPut(ctx context.Context, bucketName string, bucket *store.ID, dirs []string) (store.ID, store.Transient, func(), error) {
	return l.preparePut(ctx, bucketName, bucket, dirs, true, false)
}

// preparePut is startPut that creates the transient file only if transient
// is set (a store that links small files whole needs none), and that takes
// even the key's own directory from the cache if trustDir is set (the
// caller can make the write again if the link finds it gone).
func (l *Layer) preparePut(ctx context.Context, bucketName string, bucket *store.ID, dirs []string, transient, trustDir bool) (store.ID, store.Transient, func(), error) {
	var lastErr error
	for attempt := range 3 {
		useCache := attempt == 0
		if !useCache {
			l.forgetBucket(bucketName)
			id, err := l.bucketID(ctx, bucketName)
			if err != nil {
				return 0, store.Transient{}, nil, err
			}
			*bucket = id
		}
		gen := l.prunes.Load()
		dir, err := l.makeDirsTrusting(ctx, *bucket, dirs, useCache, trustDir)
		if err != nil {
			lastErr = err
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			return 0, store.Transient{}, nil, err
		}
		release := l.dirLocks.rlock(dir)
		if l.prunes.Load() != gen {
			// Something was pruned meanwhile; make sure it was not ours.
			if _, err := l.st.StatDirectory(ctx, dir); err != nil {
				release()
				lastErr = err
				continue
			}
		}
		if !transient {
			return dir, store.Transient{}, release, nil
		}
		t, err := l.st.CreateTransient(ctx, dir, notePut)
		if err != nil {
			release()
			lastErr = err
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			return 0, store.Transient{}, nil, fmt.Errorf("objects: create file: %w", err)
		}
		return dir, t, release, nil
	}
	return 0, store.Transient{}, nil, fmt.Errorf("objects: directory keeps vanishing: %w", lastErr)
}

// finishPut streams the body, checks it, writes the record and links the
// file. The caller scraps t if it fails.
func (l *Layer) finishPut(ctx context.Context, in PutInput, p keyPath, bucket, dir store.ID, t store.Transient) (ObjectInfo, error) {
	src := in.Body
	if src == nil {
		src = bytes.NewReader(nil)
	}
	body := &hashingReader{r: src, h: md5.New()}
	stored, err := in.Encryption.storedReader(body)
	if err != nil {
		return ObjectInfo{}, err
	}
	n, err := l.st.Append(ctx, t, stored)
	n = in.Encryption.plainSize(n)
	if body.err != nil {
		return ObjectInfo{}, body.err // the client's (or its verifier's) error, unchanged
	}
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("objects: write %q: %w", in.Key, err)
	}
	if in.Size >= 0 && n != in.Size {
		return ObjectInfo{}, s3err.IncompleteBody
	}
	sum := body.h.Sum(nil)
	if len(in.ContentMD5) > 0 && !bytes.Equal(in.ContentMD5, sum) {
		return ObjectInfo{}, s3err.BadDigestMD5(sum, in.ContentMD5)
	}
	rec := record{Meta: in.Metadata, ETag: hex.EncodeToString(sum), Size: n, Modified: time.Now().UnixNano()}
	in.Encryption.complete(&rec, sum)
	if in.BeforeCommit != nil {
		if err := in.BeforeCommit(&rec.Meta); err != nil {
			return ObjectInfo{}, err
		}
	}
	flag := l.stampVersion(ctx, bucket, &rec)
	linkAs, err := l.recordLinker(ctx, bucket, dir, t, rec)
	if err != nil {
		return ObjectInfo{}, err
	}
	old, _, err := l.linkWith(ctx, in, bucket, dir, p.name, t, linkAs)
	if err != nil {
		l.removeRecord(context.WithoutCancel(ctx), bucket, t.ID)
		return ObjectInfo{}, err
	}
	l.afterReplace(ctx, bucket, old)
	l.afterNullWrite(ctx, bucket, in.Bucket, p, flag)
	return rec.info(in.Bucket, in.Key, t.ID), nil
}

// afterReplace retires the record of the file a write replaced (0: none) and
// removes the records whose delay has passed.
func (l *Layer) afterReplace(ctx context.Context, bucket, old store.ID) {
	if old != 0 {
		l.retireRecord(context.WithoutCancel(ctx), bucket, old)
	}
	l.removeDueRecords(context.WithoutCancel(ctx))
}

// link checks the preconditions and links t as the object name in dir,
// returning the ID of the file it replaced (0 if none).
func (l *Layer) link(ctx context.Context, in PutInput, bucket, dir store.ID, name string, t store.Transient) (store.ID, error) {
	old, _, err := l.linkWith(ctx, in, bucket, dir, name, t, func(ctx context.Context, name string) (store.FileInfo, error) {
		return l.st.LinkFile(ctx, t, dir, name)
	})
	return old, err
}

// linkFunc links the new file as name in the object's directory.
type linkFunc func(ctx context.Context, name string) (store.FileInfo, error)

// linkWith checks the preconditions and links the new file (holder, the
// transient file, if there is one) as the object name in dir with linkAs,
// returning the ID of the file it replaced (0 if none) and the linked file.
// The check and the link happen under the name's hold (lock and, with
// leases, lease).
func (l *Layer) linkWith(ctx context.Context, in PutInput, bucket, dir store.ID, name string, holder store.Transient, linkAs linkFunc) (store.ID, store.FileInfo, error) {
	hold, err := l.holdName(ctx, bucket, dir, name, holder)
	if err != nil {
		return 0, store.FileInfo{}, err
	}
	defer hold.release(ctx)
	cur, err := l.inspect(ctx, dir, name)
	if err != nil {
		return 0, store.FileInfo{}, err
	}
	if err := l.checkPreconditions(ctx, in, bucket, cur); err != nil {
		return 0, store.FileInfo{}, err
	}
	// The primary name unless a directory holds it or the object already
	// lives at the shadow name.
	linkName := name
	if cur.found {
		linkName = cur.linkName
	} else if cur.primaryDir {
		linkName = shadowPrefix + name
	}
	if err := hold.commit(l); err != nil {
		return 0, store.FileInfo{}, err
	}
	if cur.standIn {
		if err := l.clearStandIn(ctx, dir, name); err != nil {
			return 0, store.FileInfo{}, err
		}
	}
	fi, err := linkAs(ctx, linkName)
	if errors.Is(err, store.ErrIsDirectory) && linkName == name {
		// A directory took the name since inspect (no file held it, so
		// nothing is replaced at the shadow name either).
		fi, err = linkAs(ctx, shadowPrefix+name)
	}
	if err != nil {
		return 0, store.FileInfo{}, hold.fenced(fmt.Errorf("objects: link %q: %w", in.Key, err))
	}
	if cur.found {
		return cur.file.ID, fi, nil
	}
	return 0, fi, nil
}

func (l *Layer) checkPreconditions(ctx context.Context, in PutInput, bucket store.ID, cur slot) error {
	if in.IfNoneMatchStar && cur.found {
		return s3err.PreconditionFailedOn("If-None-Match")
	}
	if in.IfMatch == "" {
		return nil
	}
	if !cur.found {
		// AWS: If-Match on a key with no current object is 404, not 412.
		return s3err.NoSuchKey
	}
	etag, err := l.currentETag(ctx, bucket, cur.file.ID)
	if err != nil {
		return err
	}
	if !ifMatchHolds(in.IfMatch, etag) {
		return s3err.PreconditionFailedOn("If-Match")
	}
	return nil
}

// currentETag is the ETag of a linked file, recorded or synthetic.
func (l *Layer) currentETag(ctx context.Context, bucket, id store.ID) (string, error) {
	rec, err := l.readRecord(ctx, bucket, id)
	if err == nil {
		return rec.ETag, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	fi, err := l.st.StatFile(ctx, id)
	if err != nil {
		return "", fmt.Errorf("objects: stat %016x: %w", uint64(id), err)
	}
	return foreignETag(fi.ID, fi.Size), nil
}

// hashingReader hashes what it reads and keeps the source's error, so a
// failing body is told apart from a failing store.
type hashingReader struct {
	r   io.Reader
	h   hash.Hash
	err error
}

func (r *hashingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.h.Write(p[:n])
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}
