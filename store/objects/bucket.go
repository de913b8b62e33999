package objects

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// bucketRecord is the content of a bucket's bucketRecordName file.
type bucketRecord struct {
	Owner   string `json:"owner"`
	Created int64  `json:"created"` // Unix nanoseconds
	// Policy is the bucket policy document, verbatim; empty when none.
	Policy string `json:"policy,omitempty"`
	// PublicAccessBlock is the bucket's public access block configuration;
	// nil when none. It sits next to the policy so that a policy and the
	// block that vets it are read, and replaced, together.
	PublicAccessBlock *PublicAccessBlock `json:"publicAccessBlock,omitempty"`
	// Versioning is the bucket's versioning status (Enabled or Suspended;
	// empty if it was never versioned). It is here, in the record every
	// request's HeadBucket reads, so that writes and deletes know for free
	// whether the bucket keeps versions; the history of changes, with their
	// times, is the versioning document's (versions_state.go).
	Versioning string `json:"versioning,omitempty"`
	// ObjectLock is set for a bucket created with Object Lock (lock.go):
	// here, so that every write learns the default retention for free.
	ObjectLock *ObjectLockConfig `json:"objectLock,omitempty"`
	// UnversionedSwept is set once the snapshot edges the bucket kept from
	// before versioning were swept (SweepUnversionedLeftovers).
	UnversionedSwept bool `json:"unversionedSwept,omitempty"`
}

const noteBucket = "bucket"

// deleteBucketWait is how long DeleteBucket waits for writes in progress.
const deleteBucketWait = time.Second

// CreateBucket creates a bucket owned by owner. A directory already in the
// root without a bucket record (made by another client, or by a create that
// crashed) is adopted.
func (l *Layer) CreateBucket(ctx context.Context, bucket, owner string) error {
	if !validBucketName(bucket) {
		return s3err.InvalidBucketName
	}
	if m, ok := l.mapped[bucket]; ok {
		return l.createMapped(ctx, m, owner)
	}
	// The name's lease (with several gateways) makes the look-up and the
	// record one step across gateways too: two creates of one name never
	// both succeed, and a second owner never overwrites the first's record.
	hold, err := l.holdBucket(ctx, bucket)
	if err != nil {
		return err
	}
	defer hold.release(ctx)
	e, err := l.st.Lookup(ctx, l.root, bucket)
	switch {
	case err == nil && !e.Dir:
		return s3err.BucketAlreadyExists
	case err == nil:
		rec, rerr := l.readBucketRecord(ctx, e.ID)
		if rerr == nil {
			if rec.Owner == owner {
				return s3err.BucketAlreadyOwnedByYou
			}
			return s3err.BucketAlreadyExists
		}
		if !errors.Is(rerr, store.ErrNotFound) {
			return rerr
		}
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("objects: look up bucket %q: %w", bucket, err)
	}
	id, err := l.st.MakeDirectory(ctx, l.root, bucket)
	if errors.Is(err, store.ErrExists) {
		return s3err.BucketAlreadyExists
	}
	if err != nil {
		return fmt.Errorf("objects: create bucket %q: %w", bucket, err)
	}
	body, err := json.Marshal(bucketRecord{Owner: owner, Created: time.Now().UnixNano()})
	if err != nil {
		return fmt.Errorf("objects: encode bucket record: %w", err)
	}
	if err := l.writeSmallFile(ctx, id, bucketRecordName, noteBucket, body); err != nil {
		return fmt.Errorf("objects: write bucket record of %q: %w", bucket, err)
	}
	return nil
}

func (l *Layer) readBucketRecord(ctx context.Context, bucket store.ID) (bucketRecord, error) {
	e, err := l.st.Lookup(ctx, bucket, bucketRecordName)
	if err != nil {
		return bucketRecord{}, err
	}
	if rec, ok := l.buckets.records.get(e.ID); ok {
		l.buckets.latest.put(bucket, rec)
		return rec, nil
	}
	body, err := l.readSmallFile(ctx, e.ID)
	if err != nil {
		return bucketRecord{}, err
	}
	var rec bucketRecord
	if err := json.Unmarshal(body, &rec); err != nil {
		return bucketRecord{}, fmt.Errorf("objects: decode bucket record: %w", err)
	}
	l.buckets.records.put(e.ID, rec)
	l.buckets.latest.put(bucket, rec)
	return rec, nil
}

// bucketInfo describes the bucket directory e (named as the bucket). A
// mapped bucket without a recorded owner belongs to its mapping's owner.
func (l *Layer) bucketInfo(ctx context.Context, e store.Entry) (BucketInfo, error) {
	info := BucketInfo{Name: e.Name, CreationTime: e.CreationTime.UTC(), Owner: l.mapped[e.Name].Owner}
	rec, err := l.readBucketRecord(ctx, e.ID)
	switch {
	case err == nil:
		if rec.Owner != "" {
			info.Owner = rec.Owner
		}
		info.CreationTime = time.Unix(0, rec.Created).UTC()
		if rec.Policy != "" {
			info.Policy = []byte(rec.Policy)
		}
		info.PublicAccessBlock = rec.PublicAccessBlock
		info.ObjectLock = rec.ObjectLock
		info.Versioning = rec.Versioning
	case errors.Is(err, store.ErrDirectoryGone), !errors.Is(err, store.ErrNotFound):
		return BucketInfo{}, err
	}
	return info, nil
}

// HeadBucket describes a bucket. Its directory comes from the cache when
// reading the record in it confirms that it still exists (bucket_cache.go).
func (l *Layer) HeadBucket(ctx context.Context, bucket string) (BucketInfo, error) {
	if e, ok := l.buckets.entries.get(bucket); ok {
		info, err := l.bucketInfo(ctx, e)
		if !errors.Is(err, store.ErrDirectoryGone) {
			return info, err
		}
		l.buckets.entries.remove(bucket)
	}
	e, err := l.bucketEntry(ctx, bucket)
	if err != nil {
		return BucketInfo{}, err
	}
	info, err := l.bucketInfo(ctx, e)
	if errors.Is(err, store.ErrDirectoryGone) {
		return BucketInfo{}, s3err.NoSuchBucket // deleted since the lookup
	}
	if err == nil {
		l.buckets.entries.put(bucket, e)
	}
	return info, err
}

// ListBuckets lists the buckets by name: the directories of the root whose
// names are valid bucket names, and the mapped buckets.
func (l *Layer) ListBuckets(ctx context.Context) ([]BucketInfo, error) {
	var dirs []store.Entry
	err := l.st.ReadDir(ctx, l.root, func(e store.Entry) error {
		if _, hidden := l.mapped[e.Name]; e.Dir && validBucketName(e.Name) && !hidden {
			dirs = append(dirs, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("objects: list buckets: %w", err)
	}
	mapped, err := l.mappedBuckets(ctx)
	if err != nil {
		return nil, fmt.Errorf("objects: list buckets: %w", err)
	}
	dirs = append(dirs, mapped...)
	slices.SortFunc(dirs, func(a, b store.Entry) int { return strings.Compare(a.Name, b.Name) })
	out := make([]BucketInfo, 0, len(dirs))
	for _, e := range dirs {
		info, err := l.bucketInfo(ctx, e)
		if err != nil {
			return nil, fmt.Errorf("objects: bucket %q: %w", e.Name, err)
		}
		out = append(out, info)
	}
	return out, nil
}

// DeleteBucket deletes an empty bucket: one where no key is visible. What is
// left (metadata records, the bucket record, empty directories) is removed
// with it.
func (l *Layer) DeleteBucket(ctx context.Context, bucket string) error {
	if _, ok := l.mapped[bucket]; ok {
		return errMappedBucketDelete
	}
	unlock, ok := l.bucketLocks.lockFor(bucket, deleteBucketWait)
	if !ok {
		return s3err.BucketNotEmpty.With("The bucket you tried to delete has writes in progress")
	}
	defer unlock()
	id, err := l.bucketID(ctx, bucket)
	if err != nil {
		return err
	}
	page, err := l.List(ctx, ListInput{Bucket: bucket, MaxKeys: 1})
	if err != nil {
		return err
	}
	if len(page.Objects) > 0 || page.IsTruncated {
		return s3err.BucketNotEmpty
	}
	versioned := l.keepsVersions(ctx, id)
	if versioned {
		held, err := l.bucketHoldsVersions(ctx, id, true)
		if err != nil {
			return err
		}
		if held {
			return errVersionsLeft
		}
	}
	// The metadata tree goes before the bucket can: a PUT on another
	// gateway may have written its record there and be about to link its
	// file. What is removed is kept, and put back if the bucket turns out
	// not to be empty, so such an object keeps its ETag and metadata.
	var saved []savedFile
	if err := l.clearDirectory(ctx, id, true, versioned, &saved); err != nil {
		if errors.Is(err, store.ErrNotEmpty) {
			// A writer on another gateway got in after the listing.
			l.restoreFiles(ctx, id, saved)
			return s3err.BucketNotEmpty.With("The bucket you tried to delete has writes in progress")
		}
		return err
	}
	rec, recErr := l.readBucketRecord(ctx, id)
	if err := l.removeBucketRecord(ctx, id); err != nil {
		return err
	}
	if versioned {
		if err := l.dropLeftoverEdges(ctx, id); err != nil {
			return err
		}
	}
	err = l.st.RemoveDirectory(ctx, l.root, bucket)
	l.buckets.entries.remove(bucket)
	switch {
	case err == nil, errors.Is(err, store.ErrNotFound):
		return nil
	case errors.Is(err, store.ErrNotEmpty):
		if recErr == nil {
			// Files of other clients keep the bucket: give its record back.
			body, _ := json.Marshal(rec)
			_ = l.writeSmallFile(ctx, id, bucketRecordName, noteBucket, body)
		}
		l.restoreFiles(ctx, id, saved)
		return s3err.BucketNotEmpty
	}
	return fmt.Errorf("objects: remove bucket %q: %w", bucket, err)
}

// clearDirectory removes the gateway's leftovers under dir in a bucket that
// holds no key: the metadata tree and empty directories (in a versioned
// bucket, with the snapshot edges they keep that are no versions). Anything
// else (files the escaper cannot name, written by other clients) stays, and
// the bucket then fails to be removed as not empty.
func (l *Layer) clearDirectory(ctx context.Context, dir store.ID, top, versioned bool, saved *[]savedFile) error {
	entries, err := readAll(ctx, l.st, dir)
	if errors.Is(err, store.ErrNotFound) {
		return nil // pruned by another gateway meanwhile: it was empty
	}
	if err != nil {
		return fmt.Errorf("objects: read directory: %w", err)
	}
	for _, e := range entries {
		if !e.Dir && isUploadMarker(e.Name) {
			// A bucket with uploads in flight is deleted, as on S3 (the
			// caller aborts the uploads): their markers go with it.
			if err := l.st.UnlinkFile(ctx, dir, e.Name, e.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("objects: remove upload marker %q: %w", e.Name, err)
			}
			continue
		}
		if !e.Dir {
			continue // a key file (there are none) or the bucket record, removed last
		}
		if e.Name == metaDirName && top {
			if err := l.removeTree(ctx, e.ID, []string{metaDirName}, saved); err != nil {
				return err
			}
		} else if err := l.clearDirectory(ctx, e.ID, false, versioned, saved); err != nil {
			return err
		} else if versioned {
			if err := l.dropLeftoverEdges(ctx, e.ID); err != nil {
				return err
			}
		}
		err := l.st.RemoveDirectory(ctx, dir, e.Name)
		if err != nil && !errors.Is(err, store.ErrNotEmpty) && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("objects: remove directory %q: %w", e.Name, err)
		}
	}
	return nil
}

// savedFile is a small file DeleteBucket removed from a bucket's metadata
// tree, kept to be put back if the bucket is not removed after all.
type savedFile struct {
	dirs []string // below the bucket
	name string
	body []byte
}

// removeTree unlinks every file below dir (the directory dirs of the
// bucket), saving what it reads of them, and removes its subdirectories.
func (l *Layer) removeTree(ctx context.Context, dir store.ID, dirs []string, saved *[]savedFile) error {
	entries, err := readAll(ctx, l.st, dir)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("objects: read directory: %w", err)
	}
	for _, e := range entries {
		var err error
		if e.Dir {
			if err = l.removeTree(ctx, e.ID, append(slices.Clip(dirs), e.Name), saved); err == nil {
				err = l.st.RemoveDirectory(ctx, dir, e.Name)
			}
		} else {
			if body, rerr := l.readSmallFile(ctx, e.ID); rerr == nil {
				*saved = append(*saved, savedFile{dirs: dirs, name: e.Name, body: body})
			}
			err = l.st.UnlinkFile(ctx, dir, e.Name, e.ID)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("objects: remove %q: %w", e.Name, err)
		}
	}
	return nil
}

// restoreFiles puts saved files back where no file took their names
// meanwhile. Best effort: a record that is not restored leaves its object
// with a synthetic ETag and no metadata; one of a file that is gone is
// swept later (SweepOrphanMetadata).
func (l *Layer) restoreFiles(ctx context.Context, bucket store.ID, saved []savedFile) {
	ctx = context.WithoutCancel(ctx)
	for _, f := range saved {
		dir, err := l.makeDirs(ctx, bucket, f.dirs, false)
		if err != nil {
			continue
		}
		if _, err := l.st.Lookup(ctx, dir, f.name); !errors.Is(err, store.ErrNotFound) {
			continue
		}
		_ = l.writeSmallFile(ctx, dir, f.name, noteBucket, f.body)
	}
}

func (l *Layer) removeBucketRecord(ctx context.Context, bucket store.ID) error {
	e, err := l.st.Lookup(ctx, bucket, bucketRecordName)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err == nil {
		err = l.st.UnlinkFile(ctx, bucket, bucketRecordName, e.ID)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("objects: remove bucket record: %w", err)
	}
	return nil
}
