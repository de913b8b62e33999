package ternfs

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/client"
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
	// No StatFile: the spans, contiguous from 0, give the size, and a file
	// that is gone answers FILE_NOT_FOUND to the span listing too. That
	// leaves one round trip to open a small file.
	spans, err := s.client.FileSpans(ctx, f)
	if err != nil {
		return nil, err
	}
	var end uint64
	for _, sp := range spans {
		if sp.ByteOffset != end {
			return nil, fmt.Errorf("open %v: %w: span at %d after %d bytes", f, wire.ErrMalformed, sp.ByteOffset, end)
		}
		end += uint64(sp.Size)
	}
	rctx, cancel := context.WithCancel(ctx)
	return &openFile{ctx: rctx, cancel: cancel, client: s.client, id: f, size: int64(end), spans: spans, buffers: &s.buffers}, nil
}

// openFile reads a linked file: ReadAt fetches just the pages it needs,
// NewReader streams with read-ahead (fsstore_file_stream.go).
type openFile struct {
	ctx     context.Context
	cancel  context.CancelFunc
	client  *client.Client
	id      wire.InodeID
	size    int64
	spans   []client.SpanRef
	buffers *spanBuffers

	mu      sync.Mutex
	readers map[*streamReader]bool // not finished: stopped at Close
}

func (f *openFile) Size() int64 { return f.size }

// Close stops the file's readers and gives back their buffers.
func (f *openFile) Close() error {
	f.cancel()
	f.mu.Lock()
	readers := f.readers
	f.readers = nil
	f.mu.Unlock()
	for r := range readers {
		r.stop()
	}
	return nil
}

// spanIndex is the span holding byte off (off < size).
func (f *openFile) spanIndex(off int64) int {
	return sort.Search(len(f.spans), func(i int) bool {
		return int64(f.spans[i].ByteOffset)+int64(f.spans[i].Size) > off
	})
}

// spanEnd is the end of the span holding byte off.
func (f *openFile) spanEnd(off int64) int64 {
	sp := f.spans[f.spanIndex(off)]
	return int64(sp.ByteOffset) + int64(sp.Size)
}

// readSpanPart fills buf with the file's bytes from off on; buf must not
// reach past the end of the span holding off.
func (f *openFile) readSpanPart(off int64, buf []byte) error {
	sp := f.spans[f.spanIndex(off)]
	return f.client.ReadSpanRange(f.ctx, f.id, sp, uint32(off-int64(sp.ByteOffset)), buf)
}

// ReadAt reads straight into p, span by span, fetching only the pages p
// covers.
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
		part := p[n:min(int64(len(p)), int64(n)+f.spanEnd(pos)-pos)]
		if err := f.readSpanPart(pos, part); err != nil {
			return n, err
		}
		n += len(part)
	}
	return n, nil
}

// NewReader reads n bytes from off, fetching ahead of the reader.
func (f *openFile) NewReader(off, n int64) (io.Reader, error) {
	if off < 0 || n < 0 || off > f.size {
		return nil, fmt.Errorf("read %d bytes at %d of %v (%d bytes): out of range", n, off, f.id, f.size)
	}
	r := &streamReader{f: f, pos: off, next: off, end: off + min(n, f.size-off)}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ctx.Err() != nil {
		return nil, fmt.Errorf("read %v: %w", f.id, f.ctx.Err())
	}
	if f.readers == nil {
		f.readers = make(map[*streamReader]bool)
	}
	f.readers[r] = true
	return r, nil
}

// forget drops a finished reader.
func (f *openFile) forget(r *streamReader) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.readers, r)
}
