package objects

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
// ListObjectVersions). It finds the keys holding versions by walking the
// directories under the prefix, then lists each key's versions; unlike List
// it does not stream the sorted walk, so a page costs the whole prefix's
// directory reads (to improve before buckets with many keys rely on it).
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
	keys := map[string]bool{}
	if err := l.versionKeys(ctx, vd, bid, "", true, in.Prefix, keys); err != nil {
		return ListVersionsOutput{}, err
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		if strings.HasPrefix(k, in.Prefix) && (k > in.KeyMarker || (k == in.KeyMarker && in.VersionIDMarker != "")) {
			sorted = append(sorted, k)
		}
	}
	slices.Sort(sorted)

	var out ListVersionsOutput
	count := 0
	full := func() bool { return count == in.MaxKeys }
	for _, key := range sorted {
		if cp, ok := commonPrefixOf(key, in.Prefix, in.Delimiter); ok {
			if cp <= in.KeyMarker || (len(out.CommonPrefixes) > 0 && out.CommonPrefixes[len(out.CommonPrefixes)-1] == cp) {
				continue
			}
			if full() {
				out.IsTruncated = true
				return out, nil
			}
			out.CommonPrefixes = append(out.CommonPrefixes, cp)
			out.NextKeyMarker, out.NextVersionIDMarker = cp, ""
			count++
			continue
		}
		p, err := pathOfKey(key)
		if err != nil {
			continue // not a key S3 could have written
		}
		versions, err := l.keyVersions(ctx, bid, p, state)
		if err != nil {
			return ListVersionsOutput{}, err
		}
		if key == in.KeyMarker {
			// The versions after the marker's; none when it is not among
			// them (removed since the previous page).
			if i := indexOfVersion(versions, after); i >= 0 {
				versions = versions[i+1:]
			} else {
				versions = nil
			}
		}
		for _, v := range versions {
			if full() {
				out.IsTruncated = true
				return out, nil
			}
			ov, err := l.describeListedVersion(ctx, bid, key, v)
			if err != nil {
				return ListVersionsOutput{}, err
			}
			out.Versions = append(out.Versions, ov)
			out.NextKeyMarker, out.NextVersionIDMarker = key, ov.VersionID
			count++
		}
	}
	out.NextKeyMarker, out.NextVersionIDMarker = "", ""
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

// versionKeys adds to keys the keys under dir (whose keys begin with base)
// that have any edge, current or not, and may begin with prefix.
func (l *Layer) versionKeys(ctx context.Context, vd store.VersionedDirs, dir store.ID, base string, top bool, prefix string, keys map[string]bool) error {
	var subdirs []store.Version
	err := vd.ReadDirVersions(ctx, dir, func(v store.Version) error {
		if top && (v.Name == metaDirName || v.Name == bucketRecordName) || isUploadMarker(v.Name) {
			return nil
		}
		if v.Dir {
			if v.Current {
				subdirs = append(subdirs, v)
			}
			return nil
		}
		if f, ok := fragmentOf(v.Name, false); ok {
			keys[base+f.text] = true
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrDirectoryGone) {
		return nil // pruned meanwhile
	}
	if err != nil {
		return fmt.Errorf("objects: list versions: %w", err)
	}
	for _, d := range subdirs {
		f, ok := fragmentOf(d.Name, true)
		if !ok {
			continue
		}
		sub := base + f.text
		if !strings.HasPrefix(sub, prefix) && !strings.HasPrefix(prefix, sub) {
			continue
		}
		if err := l.versionKeys(ctx, vd, d.ID, sub, false, prefix, keys); err != nil {
			return err
		}
	}
	return nil
}
