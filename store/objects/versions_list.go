package objects

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// ListVersionsInput selects a page of ListObjectVersions.
type ListVersionsInput struct {
	Bucket    string
	Prefix    string
	Delimiter string
	// KeyMarker and VersionIDMarker resume a listing: versions of keys after
	// KeyMarker, or, with VersionIDMarker, the versions of KeyMarker older
	// than that one and then those of later keys.
	KeyMarker       string
	VersionIDMarker string
	MaxKeys         int // at least 1
}

// ObjectVersion is one version or delete marker in a listing.
type ObjectVersion struct {
	Key          string
	VersionID    string
	IsLatest     bool
	DeleteMarker bool
	LastModified time.Time
	ETag         string // empty for a delete marker
	Size         int64
	file         store.ID // the version's file (0 for a delete marker)
}

// ListVersionsOutput is one page of ListObjectVersions: keys in UTF-8 byte
// order, each key's versions newest first, common prefixes among them.
type ListVersionsOutput struct {
	Versions            []ObjectVersion
	CommonPrefixes      []string
	IsTruncated         bool
	NextKeyMarker       string
	NextVersionIDMarker string
}

// versionMarkerWithoutKey is S3's answer to a version-id-marker without a
// key-marker (API_ListObjectVersions: the version-id-marker is "the object
// version you want to start listing from", after a key-marker), naming and
// echoing the argument as S3 does (S3's response body recorded in
// versity/versitygw#2174).
func versionMarkerWithoutKey(value string) error {
	return s3err.InvalidArgument.With("A version-id marker cannot be specified without a key marker.").
		ForArgument("version-id-marker", value)
}

// listObjectVersions lists one page of a bucket's versions (S3's
// ListObjectVersions). It streams the sorted walk of List (list.go) over
// the names that hold any edge, current or not: a directory is read only
// when its first possible key is the smallest pending one, so a page costs
// the directories it reaches, not the whole prefix.
//
// Unexported until the S3 surface is whole (docs/versioning.md).
func (l *Layer) listObjectVersions(ctx context.Context, in ListVersionsInput) (ListVersionsOutput, error) {
	var after versionID
	if in.VersionIDMarker != "" {
		if in.KeyMarker == "" {
			return ListVersionsOutput{}, versionMarkerWithoutKey(in.VersionIDMarker)
		}
		var err error
		if after, err = parseVersionID("version-id-marker", in.VersionIDMarker); err != nil {
			return ListVersionsOutput{}, err
		}
	}
	if in.MaxKeys < 1 {
		return ListVersionsOutput{}, fmt.Errorf("objects: list versions: max keys %d", in.MaxKeys)
	}
	vd, ok := l.st.(store.VersionedDirs)
	if !ok {
		return ListVersionsOutput{}, errVersioningUnsupported
	}
	bid, err := l.bucketID(ctx, in.Bucket)
	if err != nil {
		return ListVersionsOutput{}, err
	}
	state, err := l.BucketVersioning(ctx, in.Bucket)
	if err != nil {
		return ListVersionsOutput{}, err
	}
	w := &versionWalker{l: l, vd: vd, in: in, after: after, bucket: bid, state: state, holds: map[store.ID]bool{}}
	out, err := w.run(ctx)
	if err != nil {
		return ListVersionsOutput{}, fmt.Errorf("objects: list versions of %q: %w", in.Bucket, err)
	}
	return out, nil
}

// commonPrefixOf is the common prefix key rolls up into: prefix and what
// follows it up to and including the first delimiter.
func commonPrefixOf(key, prefix, delimiter string) (string, bool) {
	if delimiter == "" {
		return "", false
	}
	i := strings.Index(key[len(prefix):], delimiter)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delimiter)], true
}

// describeListedVersion is a listing's entry for version v of key.
func (l *Layer) describeListedVersion(ctx context.Context, bid store.ID, key string, v keyVersion) (ObjectVersion, error) {
	ov := ObjectVersion{Key: key, VersionID: v.id.String(), IsLatest: v.latest, DeleteMarker: v.isMarker,
		LastModified: v.edge.CreationTime.UTC()}
	if !v.isMarker {
		ov.file = v.edge.ID
	}
	if v.isMarker {
		return ov, nil
	}
	rec, err := l.readRecord(ctx, bid, v.edge.ID)
	if err == nil {
		ov.ETag, ov.Size, ov.LastModified = rec.ETag, rec.Size, time.Unix(0, rec.Modified).UTC()
		return ov, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return ObjectVersion{}, fmt.Errorf("objects: metadata of %q: %w", key, err)
	}
	fi, err := l.st.StatFile(ctx, v.edge.ID)
	if err != nil {
		return ObjectVersion{}, fmt.Errorf("objects: stat %q: %w", key, err)
	}
	info := foreignInfo("", key, fi)
	ov.ETag, ov.Size, ov.LastModified = info.ETag, info.Size, info.LastModified
	return ov, nil
}
