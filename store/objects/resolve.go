package objects

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// bucketID finds a bucket's directory, always afresh: another gateway over
// the same store may have deleted the bucket, or deleted and created it
// again, and a cached ID would then answer for a directory that is gone
// (NoSuchKey for objects that exist, or 500s on every write) for as long
// as it stayed cached.
func (l *Layer) bucketID(ctx context.Context, bucket string) (store.ID, error) {
	e, err := l.bucketEntry(ctx, bucket)
	if err != nil {
		return 0, err
	}
	return e.ID, nil
}

// bucketEntry finds a bucket's directory, uncached: a mapped bucket's
// configured directory, else the directory of that name in the root. The
// entry is named as the bucket. A missing bucket is s3err.NoSuchBucket.
func (l *Layer) bucketEntry(ctx context.Context, bucket string) (store.Entry, error) {
	if !storableBucketName(bucket) {
		return store.Entry{}, s3err.NoSuchBucket
	}
	if m, ok := l.mapped[bucket]; ok {
		return l.mappedEntry(ctx, m)
	}
	e, err := l.st.Lookup(ctx, l.root, bucket)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !e.Dir) {
		return store.Entry{}, s3err.NoSuchBucket
	}
	if err != nil {
		return store.Entry{}, fmt.Errorf("objects: look up bucket %q: %w", bucket, err)
	}
	return e, nil
}

// storableBucketName is the weakest check a bucket name must pass to be
// looked up: a plain directory name, not an internal one.
func storableBucketName(bucket string) bool {
	return bucket != "" && bucket != "." && bucket != ".." && len(bucket) <= store.MaxNameLen &&
		!strings.ContainsAny(bucket, "/\x00%")
}

// Directory IDs are cached by path, but another gateway over the same
// store may prune a directory (and create it again under a new ID) at any
// time, which this process's cache does not see. So a resolution through
// the cache always looks its last directory up afresh, in its cached
// parent: a parent removed meanwhile fails that lookup (TernFS answers
// DIRECTORY_NOT_FOUND for a lookup in a removed directory), and the chain
// is then resolved again from the bucket. Directories are only ever removed
// deepest first and when empty, so a live last directory has live
// ancestors, and the cached IDs above it are current. A small PUT, which
// can write its body again, trusts even the last directory (makeDirsTrusting's
// trustLast) and resolves afresh only if its link finds it gone.

// dirChain resolves the directories dirs below a bucket without creating
// them. ids[0] is the bucket, ids[i] the directory dirs[:i]. A missing
// directory (or a file where one is needed) is store.ErrNotFound.
func (l *Layer) dirChain(ctx context.Context, bucket store.ID, dirs []string, useCache bool) ([]store.ID, error) {
	ids := make([]store.ID, len(dirs)+1)
	ids[0] = bucket
	cached := false
	for i, name := range dirs {
		key := dirCacheKey{bucket, strings.Join(dirs[:i+1], "/")}
		if useCache && i < len(dirs)-1 {
			if id, ok := l.dirs.get(key); ok {
				ids[i+1], cached = id, true
				continue
			}
		}
		e, err := l.st.Lookup(ctx, ids[i], name)
		if err == nil && !e.Dir {
			err = store.ErrNotFound
		}
		if errors.Is(err, store.ErrNotFound) && cached {
			return l.dirChain(ctx, bucket, dirs, false) // a cached parent may be gone
		}
		if err != nil {
			l.dirs.remove(key)
			return nil, fmt.Errorf("objects: look up directory %q: %w", key.path, err)
		}
		l.dirs.put(key, e.ID)
		ids[i+1] = e.ID
	}
	return ids, nil
}

// cachedBucketID is the bucket's directory as HeadBucket last confirmed it
// (bucket_cache.go), else found afresh. Every S3 request on a bucket makes
// HeadBucket first, which drops a directory the store reports removed, so
// a cached directory is the one that request just saw live. A caller that
// gets store.ErrDirectoryGone from the store in it calls forgetBucket and
// resolves it again (fromCache says whether that can help).
func (l *Layer) cachedBucketID(ctx context.Context, bucket string) (id store.ID, fromCache bool, err error) {
	if e, ok := l.buckets.entries.get(bucket); ok {
		return e.ID, true, nil
	}
	id, err = l.bucketID(ctx, bucket)
	return id, false, err
}

// forgetBucket drops the cached directory of bucket, which the store
// reported removed.
func (l *Layer) forgetBucket(bucket string) { l.buckets.entries.remove(bucket) }

// objectDir resolves the directory holding a key's object for reading, in
// the bucket directory bid.
func (l *Layer) objectDir(ctx context.Context, bid store.ID, p keyPath) (store.ID, error) {
	ids, err := l.dirChain(ctx, bid, p.dirs, true)
	if err != nil {
		return 0, err
	}
	return ids[len(ids)-1], nil
}

// makeDirs resolves dirs below a bucket, creating what is missing. A file in
// the way of a directory is an object whose key is also a prefix: it moves to
// its shadow name.
func (l *Layer) makeDirs(ctx context.Context, bucket store.ID, dirs []string, useCache bool) (store.ID, error) {
	return l.makeDirsTrusting(ctx, bucket, dirs, useCache, false)
}

// makeDirsTrusting is makeDirs that, with trustLast, takes even the last
// directory from the cache when it is there.
func (l *Layer) makeDirsTrusting(ctx context.Context, bucket store.ID, dirs []string, useCache, trustLast bool) (store.ID, error) {
	cur := bucket
	cached := false
	for i, name := range dirs {
		key := dirCacheKey{bucket, strings.Join(dirs[:i+1], "/")}
		if useCache && (i < len(dirs)-1 || trustLast) {
			if id, ok := l.dirs.get(key); ok {
				cur, cached = id, true
				continue
			}
		}
		if useCache && i == len(dirs)-1 {
			// The last directory is found afresh. Missing below a cached
			// parent, it is resolved again from the bucket: making it in a
			// parent another gateway removed must not be tried.
			e, err := l.st.Lookup(ctx, cur, name)
			if err == nil && e.Dir {
				l.dirs.put(key, e.ID)
				cur = e.ID
				continue
			}
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return 0, fmt.Errorf("objects: look up directory %q: %w", key.path, err)
			}
			if cached {
				return l.makeDirs(ctx, bucket, dirs, false)
			}
		}
		id, err := l.st.MakeDirectory(ctx, cur, name)
		if errors.Is(err, store.ErrExists) {
			id, err = l.convertToDirectory(ctx, cur, name)
		}
		if err != nil {
			l.dirs.remove(key)
			return 0, fmt.Errorf("objects: make directory %q: %w", key.path, err)
		}
		l.dirs.put(key, id)
		cur = id
	}
	return cur, nil
}

// convertToDirectory makes name in dir a directory when an object file holds
// it, by renaming the file to its shadow name first.
func (l *Layer) convertToDirectory(ctx context.Context, dir store.ID, name string) (store.ID, error) {
	defer l.names.lock(dir, name)()
	for range 3 {
		id, err := l.st.MakeDirectory(ctx, dir, name)
		if !errors.Is(err, store.ErrExists) {
			return id, err
		}
		err = l.st.Rename(ctx, dir, name, shadowPrefix+name)
		if errors.Is(err, store.ErrExists) {
			// Both names hold files (left by another client): the primary
			// is the visible object, the shadow is dead. Or the shadow name
			// holds a crash's stand-in directory.
			err = l.unlinkShadow(ctx, dir, name)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return 0, fmt.Errorf("objects: move object %q aside: %w", name, err)
		}
	}
	return 0, fmt.Errorf("objects: make directory %q: name keeps being taken: %w", name, store.ErrExists)
}

func (l *Layer) unlinkShadow(ctx context.Context, dir store.ID, name string) error {
	e, err := l.st.Lookup(ctx, dir, shadowPrefix+name)
	if err != nil {
		return err
	}
	if e.Dir {
		return l.clearStandIn(ctx, dir, name)
	}
	return l.st.UnlinkFile(ctx, dir, shadowPrefix+name, e.ID)
}

// slot describes who holds an object name in a directory.
type slot struct {
	// file is the object's file and linkName the name it is linked under;
	// found is false if the key has no object.
	file     store.Entry
	linkName string
	found    bool
	// primaryDir is true when a directory holds the primary name, so the
	// object (if any, or when written) is the shadow.
	primaryDir bool
	// standIn is true when a directory holds the shadow name: the stand-in
	// a crash inside the TernFS store's AddDeletionMarker can leave
	// (nothing else makes a directory there). Writes clear it
	// (clearStandIn) before they link or mark the key.
	standIn bool
}

// inspect finds the object named name in dir: the primary name if a file
// holds it, else the shadow name. A directory removed since it was resolved
// holds nothing (a link into it fails, and the client retries).
func (l *Layer) inspect(ctx context.Context, dir store.ID, name string) (slot, error) {
	s, err := l.lookupSlot(ctx, dir, name)
	if errors.Is(err, store.ErrDirectoryGone) {
		return slot{}, nil
	}
	return s, err
}

// lookupSlot is inspect that reports a removed dir as store.ErrDirectoryGone.
func (l *Layer) lookupSlot(ctx context.Context, dir store.ID, name string) (slot, error) {
	return l.lookupSlotVia(ctx, dir, name, l.st.Lookup)
}

// lookupSlotVia is lookupSlot looking names up with lookup.
func (l *Layer) lookupSlotVia(ctx context.Context, dir store.ID, name string, lookup lookupFunc) (slot, error) {
	var s slot
	e, err := lookup(ctx, dir, name)
	switch {
	case err == nil && !e.Dir:
		return slot{file: e, linkName: name, found: true}, nil
	case err == nil:
		s.primaryDir = true
	case errors.Is(err, store.ErrDirectoryGone), !errors.Is(err, store.ErrNotFound):
		return s, fmt.Errorf("objects: look up %q: %w", name, err)
	}
	if name == markerName {
		return s, nil
	}
	e, err = lookup(ctx, dir, shadowPrefix+name)
	switch {
	case err == nil && !e.Dir:
		s.file, s.linkName, s.found = e, shadowPrefix+name, true
	case err == nil:
		s.standIn = true
	case errors.Is(err, store.ErrNotFound):
	default:
		return s, fmt.Errorf("objects: look up %q: %w", shadowPrefix+name, err)
	}
	return s, nil
}

// clearStandIn removes the empty directory a crash left at name's shadow
// name (slot.standIn), under the name's hold. Removing it leaves what
// removing any directory does in a versioned bucket, which listings take for
// a directory's removal, not a version of the key.
func (l *Layer) clearStandIn(ctx context.Context, dir store.ID, name string) error {
	err := l.st.RemoveDirectory(ctx, dir, shadowPrefix+name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("objects: remove the stand-in directory at %q: %w", shadowPrefix+name, err)
	}
	return nil
}

// pruneDirs removes the directories of dirs that are empty, deepest first,
// stopping at the first that is not. Best effort: a failure leaves an empty
// directory, which listings ignore.
func (l *Layer) pruneDirs(ctx context.Context, bucket store.ID, dirs []string) {
	ids, err := l.dirChain(ctx, bucket, dirs, true)
	if err != nil {
		return
	}
	for i := len(dirs); i > 0; i-- {
		unlock, ok := l.dirLocks.tryLock(ids[i])
		if !ok {
			return // a writer is about to link into it
		}
		if !l.mayPrune(ctx, bucket, ids[i]) {
			unlock()
			return
		}
		err := l.st.RemoveDirectory(ctx, ids[i-1], dirs[i-1])
		if err == nil || errors.Is(err, store.ErrNotFound) {
			l.dirs.remove(dirCacheKey{bucket, strings.Join(dirs[:i], "/")})
			l.views.remove(ids[i])
			l.prunes.Add(1)
		}
		unlock()
		if err != nil {
			return
		}
	}
}
