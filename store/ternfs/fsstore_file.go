package ternfs

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/terngate/terngate/store"
)

// StatFile reports a linked file. TernFS also answers for snapshot files
// (unlinked or replaced but not yet collected), so an unlinked file is
// ErrNotFound only once GC has removed it.
func (s *Store) StatFile(ctx context.Context, id store.ID) (store.FileInfo, error) {
	f, err := fileID(id)
	if err != nil {
		return store.FileInfo{}, err
	}
	st, err := s.client.StatFile(ctx, f)
	if err != nil {
		return store.FileInfo{}, err
	}
	return store.FileInfo{ID: id, Size: int64(st.Size), Mtime: st.Mtime.Time()}, nil
}

// OpenFile lists the file's spans once; reads fetch them from the block
// services. Linked files are immutable, so the list stays true, and a
// replaced or unlinked file keeps its blocks while it is a snapshot.
// Reads run under ctx (io.ReaderAt has no context of its own) until Close.
func (s *Store) OpenFile(ctx context.Context, id store.ID) (store.File, error) {
	f, err := fileID(id)
	if err != nil {
		return nil, err
	}
	st, err := s.client.StatFile(ctx, f)
	if err != nil {
		return nil, err
	}
	spans, err := s.client.FileSpans(ctx, f)
	if err != nil {
		return nil, err
	}
	var end uint64
	for _, sp := range spans {
		if sp.ByteOffset != end {
			return nil, fmt.Errorf("open %v: %w: span at %d after %d bytes", f, ErrMalformed, sp.ByteOffset, end)
		}
		end += uint64(sp.Size)
	}
	if end != st.Size {
		return nil, fmt.Errorf("open %v: %w: spans hold %d of %d bytes", f, ErrMalformed, end, st.Size)
	}
	rctx, cancel := context.WithCancel(ctx)
	return &openFile{ctx: rctx, cancel: cancel, client: s.client, id: f, size: int64(st.Size), spans: spans, cached: -1}, nil
}

// openFile reads a linked file span by span, keeping the last span read:
// sequential and nearby reads cost one span fetch.
type openFile struct {
	ctx    context.Context
	cancel context.CancelFunc
	client *Client
	id     InodeID
	size   int64
	spans  []SpanRef

	mu     sync.Mutex
	cached int // index of the span in data, -1 for none
	data   []byte
}

func (f *openFile) Size() int64 { return f.size }

func (f *openFile) Close() error {
	f.cancel()
	return nil
}

// spanIndex is the span holding byte off (off < size).
func (f *openFile) spanIndex(off int64) int {
	return sort.Search(len(f.spans), func(i int) bool {
		return int64(f.spans[i].ByteOffset)+int64(f.spans[i].Size) > off
	})
}

// span returns the bytes of span i, fetched outside the lock so that
// concurrent readers of other spans do not wait on each other.
func (f *openFile) span(i int) ([]byte, error) {
	f.mu.Lock()
	if f.cached == i {
		data := f.data
		f.mu.Unlock()
		return data, nil
	}
	f.mu.Unlock()
	data, err := f.client.ReadSpan(f.ctx, f.id, f.spans[i])
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.cached, f.data = i, data
	f.mu.Unlock()
	return data, nil
}

func (f *openFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read %v: negative offset %d", f.id, off)
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= f.size {
			return n, io.EOF
		}
		i := f.spanIndex(pos)
		data, err := f.span(i)
		if err != nil {
			return n, err
		}
		n += copy(p[n:], data[pos-int64(f.spans[i].ByteOffset):])
	}
	return n, nil
}

// NewReader reads n bytes from off sequentially, span by span.
func (f *openFile) NewReader(off, n int64) (io.Reader, error) {
	if off < 0 || n < 0 || off > f.size {
		return nil, fmt.Errorf("read %d bytes at %d of %v (%d bytes): out of range", n, off, f.id, f.size)
	}
	return io.NewSectionReader(f, off, min(n, f.size-off)), nil
}
