package local

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/terngate/terngate/store"
)

// extentFile is an open file whose bytes are extents over several data files
// (a file assembled by MoveData). Every data file is opened up front so that
// the bytes stay readable if the file is unlinked meanwhile.
type extentFile struct {
	size  int64
	segs  []segment
	files []*os.File
}

// segment is an extent with its open data file and its offset in the file.
type segment struct {
	f     *os.File
	start int64 // offset of the segment's first byte in the whole file
	off   int64 // offset in the data file
	n     int64
}

func (s *Store) openExtents(id store.ID, size int64, extents []extent) (*extentFile, error) {
	ef := &extentFile{size: size, segs: make([]segment, 0, len(extents))}
	open := make(map[store.ID]*os.File)
	var pos int64
	for _, e := range extents {
		if e.Len == 0 {
			continue
		}
		f, ok := open[e.File]
		if !ok {
			var err error
			if f, err = s.openData(e.File); err != nil {
				ef.Close()
				return nil, fmt.Errorf("open file %d: %w", id, err)
			}
			open[e.File] = f
			ef.files = append(ef.files, f)
		}
		ef.segs = append(ef.segs, segment{f: f, start: pos, off: e.Off, n: e.Len})
		pos += e.Len
	}
	if pos != size {
		ef.Close()
		return nil, fmt.Errorf("open file %d: extents hold %d bytes, record says %d", id, pos, size)
	}
	return ef, nil
}

func (f *extentFile) Size() int64 { return f.size }

func (f *extentFile) Close() error {
	var errs []error
	for _, df := range f.files {
		errs = append(errs, df.Close())
	}
	return errors.Join(errs...)
}

// find returns the index of the segment holding byte off.
func (f *extentFile) find(off int64) int {
	return sort.Search(len(f.segs), func(i int) bool { return f.segs[i].start+f.segs[i].n > off })
}

func (f *extentFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read at %d: negative offset", off)
	}
	read := 0
	for i := f.find(off); len(p) > 0 && i < len(f.segs); i++ {
		sg := f.segs[i]
		within := off - sg.start
		chunk := p[:min(int64(len(p)), sg.n-within)]
		n, err := sg.f.ReadAt(chunk, sg.off+within)
		read += n
		if err != nil && !(errors.Is(err, io.EOF) && n == len(chunk)) {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF // the data file is shorter than its extent
			}
			return read, err
		}
		p, off = p[n:], off+int64(n)
	}
	if len(p) > 0 {
		return read, io.EOF
	}
	return read, nil
}

// NewReader returns a reader of n bytes from off that walks the segments.
// Its WriteTo hands each segment to io.Copy as an *io.LimitedReader over the
// *os.File, the shape that lets the kernel move the bytes (sendfile).
func (f *extentFile) NewReader(off, n int64) (io.Reader, error) {
	if off < 0 || n < 0 || off > f.size {
		return nil, fmt.Errorf("read %d bytes at %d of a %d-byte file: out of range", n, off, f.size)
	}
	return &extentReader{f: f, off: off, end: off + min(n, f.size-off)}, nil
}

type extentReader struct {
	f        *extentFile
	off, end int64
}

func (r *extentReader) Read(p []byte) (int, error) {
	if r.off >= r.end {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.end-r.off)]
	n, err := r.f.ReadAt(p, r.off)
	r.off += int64(n)
	if errors.Is(err, io.EOF) && n > 0 {
		err = nil
	}
	return n, err
}

func (r *extentReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for i := r.f.find(r.off); r.off < r.end && i < len(r.f.segs); i++ {
		sg := r.f.segs[i]
		within := r.off - sg.start
		n := min(sg.n-within, r.end-r.off)
		if _, err := sg.f.Seek(sg.off+within, io.SeekStart); err != nil {
			return total, fmt.Errorf("seek: %w", err)
		}
		copied, err := io.Copy(w, &io.LimitedReader{R: sg.f, N: n})
		total += copied
		r.off += copied
		if err != nil {
			return total, err
		}
		if copied < n {
			return total, io.ErrUnexpectedEOF
		}
	}
	return total, nil
}
