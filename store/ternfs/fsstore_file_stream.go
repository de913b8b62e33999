package ternfs

import (
	"errors"
	"io"
	"sync"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// Streaming reads fetch units of up to readUnitMax bytes, readWindow of
// them at once: a GET holds at most readWindow × readUnitMax bytes
// whatever its size, and keeps readWindow × D block fetches going.
const (
	readUnitMax = 4 << 20
	readWindow  = 4
)

var errReaderClosed = errors.New("ternfs: file closed")

// streamReader reads [pos, end) of a file in units fetched ahead of it.
// Its first unit always goes into a buffer of its own, so a reader makes
// progress whatever else holds the budget; further read-ahead is taken
// from the store's span buffer budget only if it is free (tryReserve), so
// readers never wait for it and cannot deadlock with writers (a copy
// reads and appends in one goroutine). Read-ahead buffers are kept for the
// next units (their pages stay in place) unless writers wait for the
// budget, who then get them back.
type streamReader struct {
	f *openFile

	mu       sync.Mutex
	pos, end int64 // next byte Read returns; end of the range
	next     int64 // start of the next unit to fetch
	queue    []*readUnit
	own      []byte // the reader's own unit buffer, nil until needed
	ownBusy  bool
	spare    []*readUnit // consumed read-ahead units, buffers kept for reuse
	held     int64       // bytes of unit buffers held now
	peakHeld int64       // most held at once (tests)
	err      error       // sticky: io.EOF, a read error, or errReaderClosed
}

// readUnit is one fetch: bytes [start, start+len(buf)) of the file.
type readUnit struct {
	start int64
	buf   []byte
	res   *spanReservation // nil for the reader's own buffer
	done  chan struct{}
	err   error
}

func (r *streamReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return 0, r.err
	}
	if r.pos >= r.end {
		r.finish(io.EOF)
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	r.fill()
	u := r.queue[0]
	<-u.done
	if u.err != nil {
		err := u.err
		r.finish(err)
		return 0, err
	}
	n := copy(p, u.buf[r.pos-u.start:])
	r.pos += int64(n)
	if r.pos == u.start+int64(len(u.buf)) {
		r.queue = r.queue[1:]
		r.free(u)
		r.fill()
	}
	return n, nil
}

// fill starts fetching units until readWindow are under way, the range is
// covered or the budget has no room.
func (r *streamReader) fill() {
	if r.f.buffers.memory.contended() {
		r.dropSpare()
	}
	for r.next < r.end && len(r.queue) < readWindow {
		n := r.unitLength(r.next)
		u := &readUnit{start: r.next, done: make(chan struct{})}
		switch {
		case !r.ownBusy:
			if r.own == nil {
				r.own = r.f.buffers.takeUnitBuffer()
			}
			u.buf, r.ownBusy = r.own[:n], true
			r.hold(u.buf)
		case len(r.spare) > 0 && cap(r.spare[len(r.spare)-1].buf) >= int(n):
			last := r.spare[len(r.spare)-1]
			r.spare = r.spare[:len(r.spare)-1]
			u.res, u.buf = last.res, last.buf[:n]
		default:
			r.dropSpare() // too small (a span's short last unit)
			res, ok := r.f.buffers.memory.tryReserve(int64(bufferClass(int(n))))
			if !ok {
				return
			}
			u.res, u.buf = res, res.alloc(int(n))
			r.hold(u.buf)
		}
		r.next += n
		r.queue = append(r.queue, u)
		go func() {
			defer close(u.done)
			u.err = r.f.readSpanPart(u.start, u.buf)
		}()
	}
}

// unitLength is the length of the unit starting at off: up to
// readUnitMax bytes of one span, cut at a stripe boundary so that the next
// unit reads whole stripes (checked against their CRCs).
func (r *streamReader) unitLength(off int64) int64 {
	sp := r.f.spans[r.f.spanIndex(off)]
	limit := min(r.end, int64(sp.ByteOffset)+int64(sp.Size))
	stop := min(limit, off+readUnitMax)
	stripe := int64(sp.Blocks.Parity.DataBlocks()) * int64(sp.Blocks.CellSize)
	if stop < limit && sp.StorageClass != wire.StorageInline && stripe > 0 {
		if aligned := int64(sp.ByteOffset) + (stop-int64(sp.ByteOffset))/stripe*stripe; aligned > off {
			stop = aligned
		}
	}
	return stop - off
}

// hold counts a unit buffer taken.
func (r *streamReader) hold(buf []byte) {
	r.held += int64(cap(buf))
	r.peakHeld = max(r.peakHeld, r.held)
}

// free gives back a consumed unit's buffer: the own one for the next
// unit, read-ahead to the spares unless writers wait for the budget.
func (r *streamReader) free(u *readUnit) {
	switch {
	case u.res == nil:
		r.ownBusy = false
		r.held -= int64(cap(u.buf))
	case r.err == nil && !r.f.buffers.memory.contended():
		r.spare = append(r.spare, u)
	default:
		r.held -= int64(cap(u.buf))
		u.res.release()
	}
}

// dropSpare gives the spare read-ahead buffers back to the budget.
func (r *streamReader) dropSpare() {
	for _, u := range r.spare {
		r.held -= int64(cap(u.buf))
		u.res.release()
	}
	r.spare = nil
}

// finish waits for fetches under way, gives back every buffer and makes
// err the answer to every later Read.
func (r *streamReader) finish(err error) {
	r.err = err
	for _, u := range r.queue {
		<-u.done
		r.free(u)
	}
	r.queue = nil
	r.dropSpare()
	if r.own != nil {
		r.f.buffers.putUnitBuffer(r.own)
		r.own = nil
	}
	r.f.forget(r)
}

// stop ends the reader at Close (its fetches are being cancelled).
func (r *streamReader) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.finish(errReaderClosed)
	}
}
