package objects

import (
	"context"
	"slices"
	"time"
)

// Tag is one of an object's tags. The s3api layer checks S3's limits
// before a tag set reaches the layer.
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// ReplaceTags replaces an object's tag set (nil or empty removes it) in
// place. Unlike ReplaceMetadata it changes neither ETag nor LastModified:
// S3 keeps tags beside the object, not in it. The tags go to the object
// the key holds when they are written: an overwrite that lands first gets
// them, one that lands after replaces the object and its tags together.
func (l *Layer) ReplaceTags(ctx context.Context, bucket, key string, tags []Tag) (ObjectInfo, error) {
	tags = slices.Clone(tags)
	return l.rewriteRecord(ctx, bucket, key, func(rec *record) error {
		rec.Meta.Tags = tags
		return nil
	})
}

// SetRestoreExpiry records that the archived object key holds is readable
// until expiry (a RestoreObject), leaving ETag and LastModified alone.
// It returns the object as it was before, so the caller can tell a first
// restore from a renewed one.
func (l *Layer) SetRestoreExpiry(ctx context.Context, bucket, key string, check func(ObjectInfo) error, expiry time.Time) (ObjectInfo, error) {
	var before ObjectInfo
	_, err := l.rewriteRecord(ctx, bucket, key, func(rec *record) error {
		before = rec.info(bucket, key, 0)
		if err := check(before); err != nil {
			return err
		}
		rec.Meta.RestoreExpiry = expiry.Unix()
		return nil
	})
	return before, err
}
