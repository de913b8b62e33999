package s3api

import (
	"context"
	"errors"
	"net/http"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// Object operations on versions (API_GetObject, API_HeadObject,
// API_DeleteObject, API_CopyObject; user guide "Working with delete
// markers"). A bucket never versioned keeps its unversioned paths: no
// x-amz-version-id, no version lookups.

// versioned reports whether the request's bucket was ever versioned (its
// status is Enabled or Suspended), from the record authorization read.
func (r *request) versioned() bool { return r.access.versioning != objects.VersioningUnversioned }

// versionParam returns the versionId query argument and whether the
// request names one. An empty one is refused as S3 refuses it (its
// "Version id cannot be the empty string" is recorded in
// aws/aws-sdk-core-ruby#76 and noobaa/noobaa-core#7970), a malformed one as
// InvalidArgument naming it (s3err.InvalidVersionID).
func versionParam(r *request) (string, bool, error) {
	if !r.hasParam("versionId") {
		return "", false, nil
	}
	v := r.param("versionId")
	if v == "" {
		return "", false, s3err.InvalidArgument.With("Version id cannot be the empty string").ForArgument("versionId", "")
	}
	if err := objects.ValidVersionID("versionId", v); err != nil {
		return "", false, err
	}
	return v, true, nil
}

// noSuchVersion names the key and version in S3's NoSuchVersion document.
func noSuchVersion(err error, key, versionID string) error {
	if errors.Is(err, s3err.NoSuchVersion) {
		return s3err.NoSuchVersion.WithFields("Key", key, "VersionId", versionID)
	}
	return err
}

// deleteMarkerRead answers a GET or HEAD naming a delete marker by version
// ID: 405 with the marker's headers (API_GetObject: "If the specified
// version in the request is a delete marker, the response returns a 405
// Method Not Allowed error and the Last-Modified: timestamp response
// header"; the Allow header names what the marker permits, DELETE).
func deleteMarkerRead(r *request, m *objects.DeleteMarkerError) error {
	return s3err.MethodNotAllowedFor(r.method(), "DeleteMarker").
		WithHeader("Allow", http.MethodDelete).
		WithHeader("x-amz-delete-marker", "true").
		WithHeader("x-amz-version-id", m.VersionID).
		WithHeader("Last-Modified", m.LastModified.Format(http.TimeFormat))
}

// markDeleted adds to a NoSuchKey of a versioned bucket's key the headers
// S3 sends when the key's latest version is a delete marker (API_GetObject:
// "If the current version of the object is a delete marker, Amazon S3
// behaves as if the object was deleted and includes x-amz-delete-marker:
// true in the response").
func (s *server) markDeleted(r *request, err error) error {
	if !r.versioned() || !errors.Is(err, s3err.NoSuchKey) {
		return err
	}
	latest, ok, lerr := s.layer.LatestVersion(r.ctx, r.bucket, r.key)
	if lerr != nil || !ok || !latest.DeleteMarker {
		return err
	}
	return s3err.As(err).WithHeader("x-amz-delete-marker", "true").WithHeader("x-amz-version-id", latest.ID)
}

// openForRead opens what a GET reads: the current object, or the version
// the request names; in a versioned bucket it sets x-amz-version-id.
func (s *server) openForRead(r *request) (*objects.Object, error) {
	v, named, err := versionParam(r)
	if err != nil {
		return nil, err
	}
	if !named || (!r.versioned() && v == objects.NullVersionID) {
		obj, err := s.layer.Open(r.ctx, r.bucket, r.key)
		if err != nil {
			return nil, s.markDeleted(r, err)
		}
		if err := s.setCurrentVersionHeader(r, obj.Info); err != nil {
			obj.Close()
			return nil, err
		}
		return obj, nil
	}
	if !r.versioned() {
		return nil, noSuchVersion(s3err.NoSuchVersion, r.key, v)
	}
	obj, info, err := s.layer.OpenVersion(r.ctx, r.bucket, r.key, v)
	var marker *objects.DeleteMarkerError
	if errors.As(err, &marker) {
		return nil, deleteMarkerRead(r, marker)
	}
	if err != nil {
		return nil, noSuchVersion(err, r.key, v)
	}
	r.setHeader("x-amz-version-id", info.ID)
	return obj, nil
}

// statForRead is openForRead for HEAD.
func (s *server) statForRead(r *request) (objects.ObjectInfo, error) {
	v, named, err := versionParam(r)
	if err != nil {
		return objects.ObjectInfo{}, err
	}
	if !named || (!r.versioned() && v == objects.NullVersionID) {
		info, err := s.layer.Stat(r.ctx, r.bucket, r.key)
		if err != nil {
			return info, s.markDeleted(r, err)
		}
		return info, s.setCurrentVersionHeader(r, info)
	}
	obj, err := s.openForRead(r)
	if err != nil {
		return objects.ObjectInfo{}, err
	}
	defer obj.Close()
	return obj.Info, nil
}

// setCurrentVersionHeader names the current object's version in a
// versioned bucket, "null" included (versity/versitygw#2165 records S3
// answering it for an object written while Suspended).
func (s *server) setCurrentVersionHeader(r *request, info objects.ObjectInfo) error {
	if !r.versioned() {
		return nil
	}
	id, err := s.layer.VersionOfFile(r.ctx, r.bucket, r.key, info.FileID)
	if err != nil {
		return err
	}
	r.setHeader("x-amz-version-id", id)
	return nil
}

// setWrittenVersionHeader names the version a write made. Only Enabled
// buckets answer it: a write under Suspended makes the null version and
// S3 answers no x-amz-version-id (API_PutObject's "versioning suspended"
// example has none; versity/versitygw#2164).
func setWrittenVersionHeader(r *request, info objects.ObjectInfo) {
	if r.access.versioning == objects.VersioningEnabled && info.FileID != 0 {
		r.setHeader("x-amz-version-id", objects.FileVersionID(info.FileID))
	}
}

// deletedVersion is what a DELETE removed or made, as its response reports
// it.
type deletedVersion struct {
	versionID    string // "" when no version is named
	deleteMarker bool
}

// deleteOne serves DELETE of a key (versionID "") or of one version.
// Without a version, a versioned bucket answers the delete marker the
// delete made (user guide, "Working with delete markers").
func (s *server) deleteOne(ctx context.Context, r *request, key, versionID string, cond objects.DeleteConditions) (deletedVersion, error) {
	if versionID == "" || (!r.versioned() && versionID == objects.NullVersionID) {
		if !r.versioned() {
			return deletedVersion{versionID: versionID}, s.layer.DeleteIf(ctx, r.bucket, key, cond)
		}
		// Every such DELETE adds a marker, also to a key without a current
		// object or whose latest version is already a marker (user guide,
		// "Working with delete markers").
		marker, err := s.layer.DeleteWithMarker(ctx, r.bucket, key, cond)
		if err != nil || marker == "" {
			return deletedVersion{}, err
		}
		return deletedVersion{versionID: marker, deleteMarker: true}, nil
	}
	if err := objects.ValidVersionID("versionId", versionID); err != nil {
		return deletedVersion{}, err
	}
	if cond != (objects.DeleteConditions{}) {
		// Refused rather than ignored: the layer judges conditions on the
		// current object only.
		return deletedVersion{}, s3err.NotImplemented.With("Conditional deletes of a version are not implemented.")
	}
	// S3 answers a delete of a version that does not exist as done, naming
	// it (minio/minio#11090 and #18117, versity/versitygw#1758 record S3's
	// answers; in DeleteObjects too, minio/minio#11086).
	if !r.versioned() {
		return deletedVersion{versionID: versionID}, nil
	}
	removed, err := s.layer.DeleteVersion(ctx, r.bucket, key, versionID)
	if errors.Is(err, s3err.NoSuchVersion) {
		return deletedVersion{versionID: versionID}, nil
	}
	if err != nil {
		return deletedVersion{}, err
	}
	return deletedVersion{versionID: removed.ID, deleteMarker: removed.DeleteMarker}, nil
}

// openCopySource opens a copy's source: its current object, or the version
// x-amz-copy-source names, answered in x-amz-copy-source-version-id
// (API_CopyObject, API_UploadPartCopy).
func (s *server) openCopySource(r *request, src target) (*objects.Object, error) {
	if src.version == "" {
		obj, err := s.layer.Open(r.ctx, src.bucket, src.key)
		if err != nil {
			return nil, err
		}
		if b, err := s.layer.HeadBucket(r.ctx, src.bucket); err == nil && b.Versioning != objects.VersioningUnversioned {
			id, err := s.layer.VersionOfFile(r.ctx, src.bucket, src.key, obj.Info.FileID)
			if err != nil {
				obj.Close()
				return nil, err
			}
			r.setHeader("x-amz-copy-source-version-id", id)
		}
		return obj, nil
	}
	obj, info, err := s.layer.OpenVersion(r.ctx, src.bucket, src.key, src.version)
	var marker *objects.DeleteMarkerError
	if errors.As(err, &marker) {
		// API_CopyObject: a copy source naming a delete marker is refused.
		return nil, s3err.InvalidRequest.With("The source of a copy request may not specifically refer to a delete marker by version id.")
	}
	if err != nil {
		return nil, noSuchVersion(err, src.key, src.version)
	}
	r.setHeader("x-amz-copy-source-version-id", info.ID)
	return obj, nil
}

// currentVersionOnly admits versionId on the operations that act on the
// current object only here (tagging, ACL, attributes, restore): it must
// name the current version. Another version is refused as not implemented
// rather than the current one changed or described in its stead.
func (s *server) currentVersionOnly(r *request) error {
	v, named, err := versionParam(r)
	if err != nil || !named {
		return err
	}
	if !r.versioned() {
		if v == objects.NullVersionID {
			return nil
		}
		return noSuchVersion(s3err.NoSuchVersion, r.key, v)
	}
	info, err := s.layer.Stat(r.ctx, r.bucket, r.key)
	if err != nil {
		return s.markDeleted(r, err)
	}
	current, err := s.layer.VersionOfFile(r.ctx, r.bucket, r.key, info.FileID)
	if err != nil {
		return err
	}
	if current != v {
		return s3err.NotImplemented.With("This operation takes only the current version of an object.")
	}
	return nil
}
