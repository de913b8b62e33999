package objects

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// AnyETag is the If-Match value that any existing object matches.
const AnyETag = "*"

// ifMatchHolds reports whether an If-Match value (an unquoted ETag, or
// AnyETag) names etag.
func ifMatchHolds(ifMatch, etag string) bool {
	return ifMatch == AnyETag || ifMatch == etag
}

// Matches reports whether the current object's etag satisfies c.IfMatch
// (true when c has no If-Match).
func (c Conditions) Matches(etag string) bool {
	return c.IfMatch == "" || ifMatchHolds(c.IfMatch, etag)
}

// DeleteConditions are the preconditions of a conditional delete. The zero
// value deletes unconditionally.
type DeleteConditions struct {
	// IfMatch is an unquoted ETag or AnyETag. When set, a missing key is
	// s3err.NoSuchKey instead of a successful no-op.
	IfMatch string
	// LastModified, when not zero, must equal the object's modification
	// time to the second (the precision of the HTTP date it arrives in).
	LastModified time.Time
	// Size, when HasSize, must equal the object's size.
	Size    int64
	HasSize bool
}

// failed returns the error for the first condition that does not hold for
// info, or nil. Only If-Match is named in <Condition>: AWS's element for the
// x-amz-if-match-* headers is not on record.
func (c DeleteConditions) failed(info ObjectInfo) error {
	if c.IfMatch != "" && !ifMatchHolds(c.IfMatch, info.ETag) {
		return s3err.PreconditionFailedOn("If-Match")
	}
	if !c.LastModified.IsZero() && !info.LastModified.Truncate(time.Second).Equal(c.LastModified.Truncate(time.Second)) {
		return s3err.PreconditionFailed
	}
	if c.HasSize && c.Size != info.Size {
		return s3err.PreconditionFailed
	}
	return nil
}

// DeleteIf removes an object if cond holds for it, else fails with
// s3err.PreconditionFailed and deletes nothing. The conditions are judged
// on the very file that is unlinked: the check and the unlink happen under
// the name's lock, and a file replaced meanwhile is judged again.
func (l *Layer) DeleteIf(ctx context.Context, bucket, key string, cond DeleteConditions) error {
	_, err := l.deleteObject(ctx, bucket, key, cond)
	return err
}

// deleteObject is DeleteIf that also says the delete marker it made in a
// versioned bucket ("" in an unversioned one).
func (l *Layer) deleteObject(ctx context.Context, bucket, key string, cond DeleteConditions) (markerID string, err error) {
	for range resolveAttempts {
		bid, dir, s, p, err := l.locate(ctx, bucket, key)
		if errors.Is(err, s3err.NoSuchKey) {
			if cond.IfMatch != "" {
				return "", err
			}
			// S3 adds a delete marker in a versioned bucket even when
			// the key has no current object (deleteAbsent).
			markerID, err = l.deleteAbsent(ctx, bucket, p)
			if errors.Is(err, errObjectMoved) {
				continue // written meanwhile: delete it
			}
			return markerID, err
		}
		if err != nil {
			return "", err
		}
		markerID, err = l.unlinkIf(ctx, bucket, key, bid, dir, p.name, s, cond)
		if movedMeanwhile(err) {
			continue // replaced or moved meanwhile: look again
		}
		if err != nil {
			return "", err
		}
		l.retireRecord(context.WithoutCancel(ctx), bid, s.file.ID)
		if l.bucketStatus(ctx, bid) == VersioningSuspended {
			// The unlink's marker is the null version now.
			l.afterNullWrite(ctx, bid, bucket, p, recordNull)
		}
		l.removeDueRecords(context.WithoutCancel(ctx))
		l.pruneDirs(context.WithoutCancel(ctx), bid, p.dirs)
		return markerID, nil
	}
	return "", fmt.Errorf("objects: delete %q: key keeps changing: %w", key, s3err.ServiceUnavailable)
}

// unlinkIf unlinks the object in slot s if cond holds for it and returns
// the version ID of the delete marker the unlink left ("" in an unversioned
// bucket). A replaced file shows as store.ErrStale or store.ErrNotFound.
func (l *Layer) unlinkIf(ctx context.Context, bucket, key string, bid, dir store.ID, name string, s slot, cond DeleteConditions) (string, error) {
	// Nothing to fence: UnlinkFile only removes the file judged here.
	hold, err := l.holdName(ctx, bid, dir, name, store.Transient{})
	if err != nil {
		return "", err
	}
	defer hold.release(ctx)
	if cond != (DeleteConditions{}) {
		info, err := l.describe(ctx, bucket, key, bid, s.file.ID, nil, nil)
		if err != nil {
			return "", err
		}
		if err := cond.failed(info); err != nil {
			return "", err
		}
	}
	if err := hold.commit(l); err != nil {
		return "", err
	}
	// The located edge goes down whole: on TernFS its creation time saves
	// the unlink a second lookup of the name.
	edge := s.file
	edge.Name = s.linkName
	if err := l.st.UnlinkEntry(ctx, dir, edge); err != nil {
		if movedMeanwhile(err) {
			return "", err
		}
		return "", fmt.Errorf("objects: delete %q: %w", key, err)
	}
	// Still under the hold: the name's newest marker is this unlink's.
	return l.unlinkMarkerID(ctx, bid, dir, edge)
}

// movedMeanwhile reports whether UnlinkFile found the object's name no
// longer holding the file it located: replaced (ErrStale), removed
// (ErrNotFound), or turned into a directory because a longer key made the
// name a prefix and moved the object to its shadow name (ErrIsDirectory).
// Each means: locate the object again.
func movedMeanwhile(err error) bool {
	return errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrIsDirectory)
}
