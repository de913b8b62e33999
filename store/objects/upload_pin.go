package objects

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/terngate/terngate/store"
)

// uploadMarkerPrefix names the empty file a multipart upload links into its
// key's directory while it is in flight. Its parts are transient files, which
// are not directory entries, so without the marker the directory could be
// pruned (when its last object is deleted) and Complete would have nowhere to
// link. Like every reserved name it is never listed, and a directory holding
// only markers holds no key.
const uploadMarkerPrefix = reservedPrefix + "u."

func uploadMarkerName(uploadID string) string { return uploadMarkerPrefix + uploadID }

// isUploadMarker reports whether a file name is an upload's marker.
func isUploadMarker(name string) bool { return strings.HasPrefix(name, uploadMarkerPrefix) }

// pinAttempts bounds the retries when the directory vanishes (pruned by
// another gateway) between resolving it and linking the marker.
const pinAttempts = 3

// PinDir resolves, creating it if needed, the directory that will hold key,
// and keeps it from being pruned until UnpinDir by linking the upload's
// marker into it. Multipart uploads create their part files there: MoveData
// and LinkFile need every file of an assembly to belong to the directory it
// is linked in.
func (l *Layer) PinDir(ctx context.Context, bucket, key, uploadID string) (store.ID, error) {
	p, err := pathOfKey(key)
	if err != nil {
		return 0, err
	}
	defer l.bucketLocks.rlock(bucket)()
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return 0, err
	}
	name := uploadMarkerName(uploadID)
	var lastErr error
	for range pinAttempts {
		// startPut holds the directory lock until release, so this layer
		// cannot prune it before the marker is linked.
		dir, t, release, err := l.startPut(ctx, bucket, &bid, p.dirs)
		if err != nil {
			return 0, err
		}
		_, err = l.st.LinkFile(ctx, t, dir, name)
		release()
		if err == nil {
			return dir, nil
		}
		_ = l.st.ScrapTransient(context.WithoutCancel(ctx), t)
		if !errors.Is(err, store.ErrNotFound) {
			return 0, fmt.Errorf("objects: pin directory of %q: %w", key, err)
		}
		lastErr = err
		l.forgetDirs(bid, p.dirs)
	}
	return 0, fmt.Errorf("objects: pin directory of %q: directory keeps vanishing: %w", key, lastErr)
}

// UnpinDir removes the upload's marker from dir (as PinDir returned it) and
// prunes the directories the upload alone kept. A marker already gone (or
// never made, by uploads older than markers) is not an error.
func (l *Layer) UnpinDir(ctx context.Context, bucket, key, uploadID string, dir store.ID) error {
	p, err := pathOfKey(key)
	if err != nil {
		return err
	}
	defer l.bucketLocks.rlock(bucket)()
	name := uploadMarkerName(uploadID)
	e, err := l.st.Lookup(ctx, dir, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err == nil {
		err = l.st.UnlinkFile(ctx, dir, name, e.ID)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("objects: unpin directory of %q: %w", key, err)
	}
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return nil // the bucket is gone, and its directories with it
	}
	l.pruneDirs(context.WithoutCancel(ctx), bid, p.dirs)
	return nil
}

// forgetDirs drops the cached IDs of a directory chain.
func (l *Layer) forgetDirs(bucket store.ID, dirs []string) {
	for i := range dirs {
		l.dirs.remove(dirCacheKey{bucket, strings.Join(dirs[:i+1], "/")})
	}
}
