package objects

// TEMPORARY: method set of the layer, to be implemented in layer.go and friends.
// Replace this file entirely.

import (
	"context"
	"errors"

	"github.com/terngate/terngate/store"
)

var errUnimplemented = errors.New("objects: unimplemented")

// Options configure a Layer.
type Options struct{}

// Layer is the S3 mapping over a store.
type Layer struct{ st store.Store }

// New returns a layer whose buckets live in the directory root of st.
func New(ctx context.Context, st store.Store, root store.ID, opts Options) (*Layer, error) {
	return &Layer{st: st}, nil
}

func (l *Layer) CreateBucket(ctx context.Context, bucket, owner string) error {
	return errUnimplemented
}
func (l *Layer) DeleteBucket(ctx context.Context, bucket string) error { return errUnimplemented }
func (l *Layer) HeadBucket(ctx context.Context, bucket string) (BucketInfo, error) {
	return BucketInfo{}, errUnimplemented
}
func (l *Layer) ListBuckets(ctx context.Context) ([]BucketInfo, error) { return nil, errUnimplemented }
func (l *Layer) Put(ctx context.Context, in PutInput) (ObjectInfo, error) {
	return ObjectInfo{}, errUnimplemented
}
func (l *Layer) Stat(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	return ObjectInfo{}, errUnimplemented
}
func (l *Layer) Open(ctx context.Context, bucket, key string) (*Object, error) {
	return nil, errUnimplemented
}
func (l *Layer) Delete(ctx context.Context, bucket, key string) error { return errUnimplemented }
func (l *Layer) ReplaceMetadata(ctx context.Context, bucket, key string, ifETag string, md Metadata) (ObjectInfo, error) {
	return ObjectInfo{}, errUnimplemented
}
func (l *Layer) List(ctx context.Context, in ListInput) (ListOutput, error) {
	return ListOutput{}, errUnimplemented
}
func (l *Layer) ReclaimOrphanPuts(ctx context.Context) (int, error)   { return 0, errUnimplemented }
func (l *Layer) SweepOrphanMetadata(ctx context.Context) (int, error) { return 0, errUnimplemented }
