package objects

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/terngate/terngate/store"
)

// Options configure a Layer. Zero values pick the defaults.
type Options struct {
	// DirCacheSize bounds the cache of directory IDs by path.
	DirCacheSize int
	// ViewCacheSize bounds the number of sorted directory views kept for
	// listings.
	ViewCacheSize int
	// RecordCacheSize bounds the cache of parsed metadata records.
	RecordCacheSize int
	// MetadataGrace is how old a metadata record must be before
	// SweepOrphanMetadata may remove it: a PUT writes its record before it
	// links the data file, so a young record without a file may be in flight.
	MetadataGrace time.Duration
	// RecordRemovalDelay is how long the record of a replaced or deleted
	// object outlives it, for readers that opened the old file just before
	// the change (default 10 s; negative removes at once).
	RecordRemovalDelay time.Duration
	// MappedBuckets are served from existing directories outside the
	// bucket root (mapped.go); a mapped name hides a directory of the same
	// name in the root. ResolvePath finds their directories.
	MappedBuckets []MappedBucket
	ResolvePath   PathResolver
	// Leases, when set, serialise every write to a name (conditional or
	// not) with other processes sharing the store; without them only this
	// process's writes are serialised (leases.go).
	Leases NameLeases
}

const (
	defaultDirCacheSize    = 1 << 16
	defaultViewCacheSize   = 4096
	defaultRecordCacheSize = 1 << 16
	defaultMetadataGrace   = 15 * time.Minute
	defaultRecordRemoval   = 10 * time.Second
	// defaultSmallFileCacheSize bounds readSmallFile's cache (entries of
	// at most maxCachedSmallFile bytes: 16 MiB at worst).
	defaultSmallFileCacheSize = 4096
)

// Layer is the S3 mapping over a store. It is safe for concurrent use.
type Layer struct {
	st   store.Store
	root store.ID
	opts Options
	// mapped indexes Options.MappedBuckets by name.
	mapped map[string]MappedBucket

	dirs    *lru[dirCacheKey, store.ID]
	views   *lru[store.ID, *dirView]
	records *lru[store.ID, record]
	// attributes caches records decoded from attributes (attribute_cache.go).
	attributes *lru[store.ID, decodedAttribute]
	// smallFiles caches small immutable files' bodies by ID (record.go).
	smallFiles *lru[store.ID, []byte]
	buckets    bucketCache

	names       *nameLocks
	dirLocks    dirLocks
	bucketLocks bucketLocks
	// prunes counts directories this layer removed; a writer that sees it
	// move while resolving checks that its directory still exists.
	prunes atomic.Uint64
	// retired holds records waiting out RecordRemovalDelay (retire.go).
	retired retiredRecords
	// beforeCommit, set by tests only, runs right before a link or unlink
	// that a name's lease allows (nameHold.commit).
	beforeCommit func()
}

// dirCacheKey names a directory by its bucket and escaped path.
type dirCacheKey struct {
	bucket store.ID
	path   string
}

// New returns a layer whose buckets are the directories of root in st.
func New(ctx context.Context, st store.Store, root store.ID, opts Options) (*Layer, error) {
	if _, err := st.StatDirectory(ctx, root); err != nil {
		return nil, fmt.Errorf("objects: bucket root %d: %w", root, err)
	}
	mapped, err := checkMappedBuckets(ctx, opts.MappedBuckets, opts.ResolvePath)
	if err != nil {
		return nil, err
	}
	if opts.DirCacheSize <= 0 {
		opts.DirCacheSize = defaultDirCacheSize
	}
	if opts.ViewCacheSize <= 0 {
		opts.ViewCacheSize = defaultViewCacheSize
	}
	if opts.RecordCacheSize <= 0 {
		opts.RecordCacheSize = defaultRecordCacheSize
	}
	if opts.MetadataGrace <= 0 {
		opts.MetadataGrace = defaultMetadataGrace
	}
	if opts.RecordRemovalDelay == 0 {
		opts.RecordRemovalDelay = defaultRecordRemoval
	}
	return &Layer{
		st:         st,
		root:       root,
		opts:       opts,
		mapped:     mapped,
		dirs:       newLRU[dirCacheKey, store.ID](opts.DirCacheSize),
		views:      newLRU[store.ID, *dirView](opts.ViewCacheSize),
		records:    newLRU[store.ID, record](opts.RecordCacheSize),
		attributes: newLRU[store.ID, decodedAttribute](opts.RecordCacheSize),
		smallFiles: newLRU[store.ID, []byte](defaultSmallFileCacheSize),
		buckets:    newBucketCache(),
		names:      newNameLocks(),
	}, nil
}
