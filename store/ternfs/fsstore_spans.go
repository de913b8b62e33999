package ternfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/terngate/terngate/store/ternfs/span"
)

// spanBuffers are the store's span buffers: the budget appends reserve
// the worst span's cost from before reading one, and streaming readers
// read ahead into when it has room.
type spanBuffers struct {
	memory  *spanMemory
	reserve int64 // the most one span takes out of the budget
	// units are streaming readers' own unit buffers (readUnitMax bytes),
	// kept for the next reader.
	units *sync.Pool
}

// takeUnitBuffer is a readUnitMax-byte buffer for a streaming reader.
func (b *spanBuffers) takeUnitBuffer() []byte {
	if b.units != nil {
		if buf, ok := b.units.Get().(*[]byte); ok {
			return *buf
		}
	}
	return make([]byte, readUnitMax)
}

func (b *spanBuffers) putUnitBuffer(buf []byte) {
	if b.units != nil {
		b.units.Put(&buf)
	}
}

// initSpanBuffers sets up the budget of limit bytes (0: the default) for
// s's span size and policies, and lets the client's span writes draw
// parity from it.
func (s *Store) initSpanBuffers(limit int64) error {
	if limit == 0 {
		limit = DefaultSpanBufferBytes
	}
	worst, err := s.worstSpanCost()
	if err != nil {
		return err
	}
	if limit < worst {
		return fmt.Errorf("ternfs: span buffer memory %d bytes is less than one span needs (%d bytes with these span policies)", limit, worst)
	}
	s.buffers = spanBuffers{memory: newSpanMemory(limit), reserve: worst, units: &sync.Pool{}}
	s.client.SetParityBuffers(s.buffers.memory)
	return nil
}

// eachSpan reads r into span buffers of up to spanSize bytes and calls fn
// with each full one and a short last one, in order; fn must not keep the
// buffer. Each span is read into a buffer of the budget reserved for the
// worst span, and what it does not need is given back as soon as its size
// is known; the rest, which fn's span write draws its parity from, once fn
// returns. Waiting for the budget lasts no longer than ctx.
//
// While fn writes a span, the next one is read (and the request body
// hashed on its way in) when the budget has room for it right now and
// nobody waits for it: reading and writing take turns otherwise, and a
// writer never waits for the budget while it holds a reservation, so
// writers cannot starve each other into a deadlock.
func (s *Store) eachSpan(ctx context.Context, r io.Reader, fn func([]byte) error) error {
	cur, err := s.readSpanReserved(ctx, r, nil)
	if err != nil {
		return err
	}
	for {
		ahead := s.readAhead(r, cur)
		err := cur.err
		if err == nil && len(cur.data) > 0 {
			err = fn(cur.data)
		}
		cur.res.release()
		if ahead != nil {
			next := <-ahead // even after an error: r is not to be read once we return
			if err != nil {
				next.res.release()
				return err
			}
			cur = next
			continue
		}
		if err != nil || cur.next == nil {
			return err
		}
		if cur, err = s.readSpanReserved(ctx, r, cur.next); err != nil {
			return err
		}
	}
}

// readSpanReserved waits for a worst-case span's reservation, then reads
// the span (starting with ahead) into it.
func (s *Store) readSpanReserved(ctx context.Context, r io.Reader, ahead []byte) (spanRead, error) {
	res, err := s.buffers.memory.reserve(ctx, s.buffers.reserve)
	if err != nil {
		return spanRead{}, fmt.Errorf("append: wait for span buffers: %w", err)
	}
	return s.readSpanInto(res, r, ahead), nil
}

// spanRead is a span read into its reservation, as readSpan returns it.
type spanRead struct {
	res        *spanReservation
	data, next []byte
	err        error
}

func (s *Store) readSpanInto(res *spanReservation, r io.Reader, ahead []byte) spanRead {
	data, next, err := s.readSpan(res, r, ahead)
	return spanRead{res: res, data: data, next: next, err: err}
}

// readAhead starts reading the span after cur into a reservation of its
// own if the stream goes on and the budget has one free without waiting;
// it returns where that read will arrive, or nil.
func (s *Store) readAhead(r io.Reader, cur spanRead) <-chan spanRead {
	if cur.err != nil || cur.next == nil || s.buffers.memory.contended() {
		return nil
	}
	res, ok := s.buffers.memory.tryReserve(s.buffers.reserve)
	if !ok {
		return nil
	}
	done := make(chan spanRead, 1)
	go func() { done <- s.readSpanInto(res, r, cur.next) }()
	return done
}

// readSpan reads up to spanSize bytes (starting with ahead) into a buffer
// of res and shrinks res to what the span needs from now on: the bytes it
// holds and its parity. After a full span it reads one byte more: next
// holds it, or is nil at the end of the stream.
func (s *Store) readSpan(res *spanReservation, r io.Reader, ahead []byte) (data, next []byte, err error) {
	buf := res.alloc(s.spanSize)
	n := copy(buf, ahead)
	n, err = readInChunks(r, buf, n)
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
	case err != nil:
		return nil, nil, fmt.Errorf("append: read: %w", err)
	case n == s.spanSize:
		var b [1]byte
		switch k, err := io.ReadFull(r, b[:]); {
		case k == 1:
			next = b[:]
		case !errors.Is(err, io.EOF):
			return nil, nil, fmt.Errorf("append: read: %w", err)
		}
	}
	res.trim(buf, n)
	_, writing := s.spanCost(n)
	res.shrink(writing)
	return buf[:n:n], next, nil
}

// appendReadChunk bounds each Read into a span buffer: a Read may use all
// of the slice it is given as scratch, and the pages past the data must
// stay untouched to cost nothing (spanArena).
const appendReadChunk = 64 << 10

// readInChunks is io.ReadFull of buf[n:], appendReadChunk bytes at a
// time; it returns how much of buf is filled.
func readInChunks(r io.Reader, buf []byte, n int) (int, error) {
	for n < len(buf) {
		k, err := io.ReadFull(r, buf[n:min(len(buf), n+appendReadChunk)])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// spanCost is what an n-byte span takes out of the budget while it is
// read (a span-size buffer) and while it is written (the buffer, charged
// for the bytes it holds where the arena maps buffers, and the parity).
func (s *Store) spanCost(n int) (reading, writing int64) {
	reading = int64(bufferClass(s.spanSize))
	writing = reading
	if arenaMapsBuffers {
		writing = int64(bufferClass(max(n, 1)))
	}
	if n > span.MaxInlineSpan && s.policies != nil {
		if layout, err := span.ComputeSpanLayout(s.policies, uint32(n)); err == nil {
			writing += int64(bufferClass(span.ParityBytes(layout)))
		}
	}
	return reading, writing
}

// worstSpanCost is the most spanCost asks for any span size the policies
// allow up to spanSize. Costs grow with the size between the points where
// the layout's parity, stripe count or buffer class change, so the ends of
// those intervals are enough: every page multiple and the byte before it,
// the span policy's bounds and the stripe count's steps.
func (s *Store) worstSpanCost() (int64, error) {
	if s.spanSize <= span.MaxInlineSpan || s.policies == nil {
		return 0, fmt.Errorf("ternfs: span size %d", s.spanSize)
	}
	sizes := []int{s.spanSize}
	for n := span.PageSize; n <= s.spanSize; n += span.PageSize {
		sizes = append(sizes, n, n-1)
	}
	for _, e := range s.policies.Span.Entries {
		sizes = append(sizes, int(e.MaxSize))
	}
	if t := int(s.policies.Stripe.TargetStripeSize); t > 0 {
		for k := 1; k <= 16; k++ {
			sizes = append(sizes, k*t-1)
		}
	}
	var worst int64
	for _, n := range sizes {
		if n <= 0 || n > s.spanSize {
			continue
		}
		reading, writing := s.spanCost(n)
		worst = max(worst, reading, writing)
	}
	return worst, nil
}
