package auth

import (
	"bytes"
	"errors"
	"io"
)

// chunkSourceSize is the framing buffer of a chunkSource: header and
// trailer lines (at most maxChunkLine) come from it, so memory per body
// stays small and bounded whatever the chunk size.
const chunkSourceSize = 4 << 10

// errLineTooLong reports a line that does not fit the framing buffer.
var errLineTooLong = errors.New("auth: aws-chunked line exceeds the framing buffer")

// chunkSource reads an aws-chunked body: framing lines from a small buffer
// and chunk data straight into the caller's memory. bufio.Reader does the
// former but, reading data directly only up to the chunk's end, leaves the
// CRLF and next header to a refill of its own: a second read (a syscall on
// a socket) for every chunk. chunkSource instead lets the data read run on
// past the chunk's end into the caller's spare room, up to as much as its
// buffer holds, and keeps those extra bytes, so one read usually brings a
// chunk's data together with the framing that follows it.
type chunkSource struct {
	r          io.Reader
	buf        []byte // framing bytes read ahead, buf[start:end] unread
	start, end int
	err        error // sticky error of r, returned once buf is drained
}

func newChunkSource(r io.Reader) *chunkSource {
	return &chunkSource{r: r, buf: make([]byte, chunkSourceSize)}
}

func (s *chunkSource) buffered() int { return s.end - s.start }

// fill reads more into the buffer, first moving unread bytes to its start.
// It returns s.err when nothing could be added.
func (s *chunkSource) fill() error {
	if s.err != nil {
		return s.err
	}
	if s.start > 0 {
		s.end = copy(s.buf, s.buf[s.start:s.end])
		s.start = 0
	}
	// A reader may return 0, nil; io.ReadFull's rule of thumb applies:
	// give up after many such reads rather than spin.
	for range 100 {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.err = err
		}
		if n > 0 {
			return nil
		}
		if err != nil {
			return err
		}
	}
	s.err = io.ErrNoProgress
	return s.err
}

// readLine returns the next line including its "\n", valid until the next
// call. A line longer than the buffer is errLineTooLong; the end of the
// body before a "\n" is io.EOF.
func (s *chunkSource) readLine() ([]byte, error) {
	scanned := 0
	for {
		if i := bytes.IndexByte(s.buf[s.start+scanned:s.end], '\n'); i >= 0 {
			line := s.buf[s.start : s.start+scanned+i+1]
			s.start += len(line)
			return line, nil
		}
		scanned = s.buffered()
		if scanned == len(s.buf) {
			return nil, errLineTooLong
		}
		if err := s.fill(); err != nil {
			return nil, err
		}
	}
}

// peek returns up to n buffered bytes without consuming them, filling the
// buffer as needed (n <= len(buf)); fewer than n come with the error.
func (s *chunkSource) peek(n int) ([]byte, error) {
	for s.buffered() < n {
		if err := s.fill(); err != nil {
			return s.buf[s.start:s.end], err
		}
	}
	return s.buf[s.start : s.start+n], nil
}

// discard consumes n buffered bytes (n <= buffered()).
func (s *chunkSource) discard(n int) { s.start += n }

// readByte returns the next byte.
func (s *chunkSource) readByte() (byte, error) {
	b, err := s.peek(1)
	if len(b) == 0 {
		return 0, err
	}
	s.discard(1)
	return b[0], nil
}

// readFull fills dst[:need] like io.ReadFull, using dst[need:] as room to
// read ahead into (the bytes landing there are kept for what follows). The
// end of the body before need bytes is io.ErrUnexpectedEOF.
func (s *chunkSource) readFull(dst []byte, need int) error {
	got := 0
	for got < need {
		n, err := s.read(dst[got:], need-got)
		got += n
		if err != nil && got < need {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// read returns up to limit bytes into dst (limit <= len(dst)), from the
// buffer when it holds any, else from one read of the source that may run
// past limit into dst's spare room; what lands past limit is kept in the
// buffer, which is empty then and bounds how far the read runs.
func (s *chunkSource) read(dst []byte, limit int) (int, error) {
	if s.buffered() > 0 {
		n := copy(dst[:limit], s.buf[s.start:s.end])
		s.start += n
		return n, nil
	}
	if s.err != nil {
		return 0, s.err
	}
	s.start, s.end = 0, 0
	into := dst[:min(len(dst), limit+len(s.buf))]
	var n int
	for range 100 {
		var err error
		n, err = s.r.Read(into)
		if err != nil {
			s.err = err
		}
		if n > 0 || err != nil {
			break
		}
	}
	if n == 0 && s.err == nil {
		s.err = io.ErrNoProgress
	}
	if n > limit {
		s.end = copy(s.buf, into[limit:n])
		n = limit
	}
	if n == 0 {
		return 0, s.err
	}
	return n, nil
}
