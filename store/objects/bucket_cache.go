package objects

import "github.com/terngate/terngate/store"

// bucketCacheSize bounds the buckets whose directory and record are
// cached; a gateway serves few buckets, and a miss costs two lookups.
const bucketCacheSize = 1024

// bucketCache keeps what HeadBucket, which every bucket request makes
// before anything else, would otherwise ask the store for each time: the
// bucket's directory entry and its parsed record.
//
// A cached directory is trusted only as far as the store confirms it:
// HeadBucket reads the record in it, and a directory another gateway has
// removed answers that with store.ErrDirectoryGone (a bucket deleted, or
// deleted and made again under a new directory), after which the bucket
// is resolved afresh. On a store this process alone uses, only this
// process removes buckets, and DeleteBucket forgets them.
type bucketCache struct {
	entries *lru[string, store.Entry]
	// records are keyed by the record file's ID: a record is replaced,
	// never rewritten, so an ID always names the same content.
	records *lru[store.ID, bucketRecord]
	// latest is the record last read in each bucket directory, keyed by the
	// directory's ID: what writes consult for the versioning status without
	// a round trip (keepsVersions), as fresh as this request's HeadBucket.
	latest *lru[store.ID, bucketRecord]
}

func newBucketCache() bucketCache {
	return bucketCache{
		entries: newLRU[string, store.Entry](bucketCacheSize),
		records: newLRU[store.ID, bucketRecord](bucketCacheSize),
		latest:  newLRU[store.ID, bucketRecord](bucketCacheSize),
	}
}
