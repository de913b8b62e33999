package objects

import (
	"errors"
	"testing"
	"time"

	"github.com/terngate/terngate/s3err"
)

func TestDeleteIf(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx := t.Context()
	info := mustPut(t, l, "dir/k", "hello")
	refused := []DeleteConditions{
		{IfMatch: md5hex("other")},
		{Size: 4, HasSize: true},
		{LastModified: info.LastModified.Add(-time.Second)},
		{IfMatch: info.ETag, Size: 6, HasSize: true},
	}
	for _, c := range refused {
		if err := l.DeleteIf(ctx, testBucket, "dir/k", c); !errors.Is(err, s3err.PreconditionFailed) {
			t.Fatalf("%+v: %v, want PreconditionFailed", c, err)
		}
		mustGet(t, l, "dir/k", "hello")
	}
	if err := l.DeleteIf(ctx, testBucket, "dir/missing", DeleteConditions{IfMatch: AnyETag}); !errors.Is(err, s3err.NoSuchKey) {
		t.Fatalf("If-Match * on a missing key: %v", err)
	}
	if err := l.DeleteIf(ctx, testBucket, "dir/missing", DeleteConditions{Size: 1, HasSize: true}); err != nil {
		t.Fatalf("size condition on a missing key: %v", err)
	}
	all := DeleteConditions{IfMatch: info.ETag, Size: 5, HasSize: true, LastModified: info.LastModified}
	if err := l.DeleteIf(ctx, testBucket, "dir/k", all); err != nil {
		t.Fatalf("conditions that hold: %v", err)
	}
	mustBeMissing(t, l, "dir/k")
}
