package objects

import (
	"context"

	"github.com/terngate/terngate/store"
)

// The S3 surface of versioning: exported wrappers over versions*.go, which
// hold the semantics. They add no behaviour of their own beyond turning a
// keyVersion into what a response needs (VersionInfo).

// VersionInfo names one version of a key as a response reports it.
type VersionInfo struct {
	ID           string // a version ID, or "null"
	IsLatest     bool
	DeleteMarker bool
}

func (v keyVersion) info() VersionInfo {
	return VersionInfo{ID: v.id.String(), IsLatest: v.latest, DeleteMarker: v.isMarker}
}

// FileVersionID is the version ID of the object written as file id in a
// bucket whose versioning is Enabled (PUT, copy and CompleteMultipartUpload
// answer it in x-amz-version-id).
func FileVersionID(id store.ID) string { return fileVersion(id).String() }

// NullVersionID is the version ID of the null version.
const NullVersionID = nullVersionID

// ValidVersionID checks a version ID a client sent in argument (the query
// parameter or element it came in) without looking it up: InvalidArgument
// for one this layer could not have issued.
func ValidVersionID(argument, id string) error {
	_, err := parseVersionID(argument, id)
	return err
}

// SetBucketVersioning sets a bucket's versioning status (VersioningEnabled
// or VersioningSuspended).
func (l *Layer) SetBucketVersioning(ctx context.Context, bucket, status string) error {
	return l.setBucketVersioning(ctx, bucket, status)
}

// OpenVersion opens one version of a key (GET ?versionId=). A delete
// marker is a *DeleteMarkerError; an unknown version s3err.NoSuchVersion.
func (l *Layer) OpenVersion(ctx context.Context, bucket, key, versionID string) (*Object, VersionInfo, error) {
	obj, v, err := l.openVersion(ctx, bucket, key, versionID)
	return obj, v.info(), err
}

// StatVersion describes one version of a key (HEAD ?versionId=).
func (l *Layer) StatVersion(ctx context.Context, bucket, key, versionID string) (ObjectInfo, VersionInfo, error) {
	obj, v, err := l.OpenVersion(ctx, bucket, key, versionID)
	if err != nil {
		return ObjectInfo{}, v, err
	}
	defer obj.Close()
	return obj.Info, v, nil
}

// DeleteVersion removes one version of a key (DELETE ?versionId=) and
// reports what it removed.
func (l *Layer) DeleteVersion(ctx context.Context, bucket, key, versionID string) (VersionInfo, error) {
	v, err := l.deleteVersion(ctx, bucket, key, versionID)
	return v.info(), err
}

// LatestVersion is the key's latest version, if it has any: what a DELETE
// without version just made (a delete marker) or what a GET of a deleted
// key reports (x-amz-delete-marker).
func (l *Layer) LatestVersion(ctx context.Context, bucket, key string) (VersionInfo, bool, error) {
	p, err := pathOfKey(key)
	if err != nil {
		return VersionInfo{}, false, err
	}
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return VersionInfo{}, false, err
	}
	state, err := l.BucketVersioning(ctx, bucket)
	if err != nil {
		return VersionInfo{}, false, err
	}
	versions, err := l.keyVersions(ctx, bid, p, state)
	if err != nil || len(versions) == 0 {
		return VersionInfo{}, false, err
	}
	return versions[0].info(), true, nil
}

// ListObjectVersions lists one page of a bucket's versions and delete
// markers.
func (l *Layer) ListObjectVersions(ctx context.Context, in ListVersionsInput) (ListVersionsOutput, error) {
	return l.listObjectVersions(ctx, in)
}

// VersionOfFile is the version ID of the key's version held by file (what
// GET and HEAD without versionId answer in x-amz-version-id): "null" for
// the null version. A file no longer among the key's versions (removed
// since it was opened) is named by its file version ID.
func (l *Layer) VersionOfFile(ctx context.Context, bucket, key string, file store.ID) (string, error) {
	p, err := pathOfKey(key)
	if err != nil {
		return "", err
	}
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return "", err
	}
	state, err := l.BucketVersioning(ctx, bucket)
	if err != nil {
		return "", err
	}
	versions, err := l.keyVersions(ctx, bid, p, state)
	if err != nil {
		return "", err
	}
	for _, v := range versions {
		if !v.isMarker && v.edge.ID == file {
			return v.id.String(), nil
		}
	}
	return FileVersionID(file), nil
}

// DeleteWithMarker is DeleteIf that also answers the delete marker the
// delete made in a versioned bucket: its version ID ("null" under
// Suspended), or "" in an unversioned bucket. S3 adds a marker even for a
// key without a current object (user guide, "Working with delete markers").
func (l *Layer) DeleteWithMarker(ctx context.Context, bucket, key string, cond DeleteConditions) (string, error) {
	return l.deleteObject(ctx, bucket, key, cond)
}
