package objects

import (
	"context"
	"errors"
	"fmt"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// MappedBucket serves a directory that already exists in the store, outside
// the bucket root, as a bucket: the way users reach data other clients of
// the store wrote. The mapping is configuration: the bucket always exists
// while it is configured and DeleteBucket never removes the directory.
type MappedBucket struct {
	// Name is the bucket name; it must be a valid S3 bucket name.
	Name string
	// Path is the directory's path as Options.ResolvePath understands it
	// (on TernFS, absolute from the cluster root).
	Path string
	// Owner owns the bucket unless its directory holds a bucket record
	// naming an owner (one left by an earlier life as a gateway bucket).
	Owner string
}

// PathResolver finds the entry of the directory at path without creating
// anything: store.ErrNotFound if a component is missing, ErrNotDirectory if
// one is a file.
type PathResolver func(ctx context.Context, path string) (store.Entry, error)

// ValidBucketName reports whether name follows S3's rules for bucket names,
// as CreateBucket applies them.
func ValidBucketName(name string) bool { return validBucketName(name) }

// errMappedBucketDelete answers DeleteBucket on a mapped bucket: the bucket
// is the operator's configuration, not something a request created, and
// the directory is the user's data. 405 says the operation does not apply
// to this resource whoever asks (AccessDenied would suggest that other
// credentials or a policy could allow it).
var errMappedBucketDelete = s3err.MethodNotAllowedAllowing("GET", "HEAD", "PUT").With(
	"The bucket is mapped by the gateway's configuration to an existing directory, which DeleteBucket never removes; remove the mapping instead.")

// checkMappedBuckets validates the mapping and indexes it by name; each
// directory must exist now, so that a typo fails the start, not requests.
func checkMappedBuckets(ctx context.Context, list []MappedBucket, resolve PathResolver) (map[string]MappedBucket, error) {
	if len(list) == 0 {
		return nil, nil
	}
	if resolve == nil {
		return nil, errors.New("objects: mapped buckets need Options.ResolvePath")
	}
	byName := make(map[string]MappedBucket, len(list))
	for _, m := range list {
		if !validBucketName(m.Name) {
			return nil, fmt.Errorf("objects: mapped bucket %q: not a valid bucket name", m.Name)
		}
		if _, dup := byName[m.Name]; dup {
			return nil, fmt.Errorf("objects: bucket %q is mapped twice", m.Name)
		}
		e, err := resolve(ctx, m.Path)
		if err == nil && !e.Dir {
			err = store.ErrNotDirectory
		}
		if err != nil {
			return nil, fmt.Errorf("objects: mapped bucket %q: directory %s: %w", m.Name, m.Path, err)
		}
		byName[m.Name] = m
	}
	return byName, nil
}

// mappedEntry resolves a mapped bucket's directory, named as the bucket. A
// directory that has gone since the start is NoSuchBucket.
func (l *Layer) mappedEntry(ctx context.Context, m MappedBucket) (store.Entry, error) {
	e, err := l.opts.ResolvePath(ctx, m.Path)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrNotDirectory), err == nil && !e.Dir:
		return store.Entry{}, s3err.NoSuchBucket
	case err != nil:
		return store.Entry{}, fmt.Errorf("objects: mapped bucket %q: directory %s: %w", m.Name, m.Path, err)
	}
	e.Name = m.Name
	if e.CreationTime.IsZero() {
		// A store's top directory has no edge to date it (a whole
		// cluster mapped as a bucket): its mtime stands in.
		if di, err := l.st.StatDirectory(ctx, e.ID); err == nil {
			e.CreationTime = di.Mtime
		}
	}
	return e, nil
}

// mappedBuckets lists the mapped buckets whose directories exist.
func (l *Layer) mappedBuckets(ctx context.Context) ([]store.Entry, error) {
	var out []store.Entry
	for _, m := range l.mapped {
		e, err := l.mappedEntry(ctx, m)
		if errors.Is(err, s3err.NoSuchBucket) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// createMapped answers CreateBucket for a mapped name: the bucket exists by
// configuration, so the request can only learn who owns it.
func (l *Layer) createMapped(ctx context.Context, m MappedBucket, owner string) error {
	e, err := l.mappedEntry(ctx, m)
	if errors.Is(err, s3err.NoSuchBucket) {
		return s3err.BucketAlreadyExists.With("The bucket name is mapped by the gateway's configuration to %s, which does not exist.", m.Path)
	}
	if err != nil {
		return err
	}
	info, err := l.bucketInfo(ctx, e)
	if err != nil {
		return err
	}
	if info.Owner == owner {
		return s3err.BucketAlreadyOwnedByYou
	}
	return s3err.BucketAlreadyExists
}
