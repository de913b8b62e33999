package objects

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// DeleteMarkerError answers a GET or HEAD of a version that is a delete
// marker: S3 refuses it with 405 Method Not Allowed, x-amz-delete-marker:
// true and the marker's Last-Modified (API_GetObject, API_HeadObject: "If
// the specified version in the request is a delete marker, the response
// returns a 405 Method Not Allowed error and the Last-Modified: timestamp
// response header"). The s3api layer writes the response.
type DeleteMarkerError struct {
	VersionID    string
	LastModified time.Time
}

func (e *DeleteMarkerError) Error() string {
	return fmt.Sprintf("objects: version %s is a delete marker", e.VersionID)
}

// findVersion finds the version named versionID (as the client sent it, in
// argument) of key: InvalidArgument if it is not a version ID this layer
// issues, NoSuchVersion if the key has no such version.
func (l *Layer) findVersion(ctx context.Context, bucket, key, argument, versionID string) (store.ID, keyVersion, error) {
	want, err := parseVersionID(argument, versionID)
	if err != nil {
		return 0, keyVersion{}, err
	}
	p, err := pathOfKey(key)
	if err != nil {
		return 0, keyVersion{}, err
	}
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return 0, keyVersion{}, err
	}
	state, err := l.BucketVersioning(ctx, bucket)
	if err != nil {
		return 0, keyVersion{}, err
	}
	versions, err := l.keyVersions(ctx, bid, p, state)
	if err != nil {
		return 0, keyVersion{}, err
	}
	for _, v := range versions {
		if v.id.null == want.null && v.id.file == want.file && v.id.marker.Equal(want.marker) {
			return bid, v, nil
		}
	}
	return 0, keyVersion{}, s3err.NoSuchVersion
}

// openVersion opens one version of a key (GET ?versionId=).
func (l *Layer) openVersion(ctx context.Context, bucket, key, versionID string) (*Object, keyVersion, error) {
	bid, v, err := l.findVersion(ctx, bucket, key, "versionId", versionID)
	if err != nil {
		return nil, keyVersion{}, err
	}
	if v.isMarker {
		return nil, v, &DeleteMarkerError{VersionID: v.id.String(), LastModified: v.edge.CreationTime.UTC()}
	}
	f, err := l.st.OpenFile(ctx, v.edge.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, keyVersion{}, s3err.NoSuchVersion // removed since it was listed
	}
	if err != nil {
		return nil, keyVersion{}, fmt.Errorf("objects: open %q version %s: %w", key, versionID, err)
	}
	info, err := l.describeVersion(ctx, bucket, key, bid, v.edge.ID, f)
	if err != nil {
		f.Close()
		return nil, keyVersion{}, err
	}
	return &Object{Info: info, File: f}, v, nil
}

// describeVersion is describe for a file that need not be current: a file
// without a record was written by another client.
func (l *Layer) describeVersion(ctx context.Context, bucket, key string, bid, id store.ID, f store.File) (ObjectInfo, error) {
	rec, err := l.readRecord(ctx, bid, id)
	if err == nil {
		return rec.info(bucket, key, id), nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return ObjectInfo{}, fmt.Errorf("objects: metadata of %q: %w", key, err)
	}
	fi, err := l.st.StatFile(ctx, id)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("objects: stat %q: %w", key, err)
	}
	fi.Size = f.Size()
	return foreignInfo(bucket, key, fi), nil
}
