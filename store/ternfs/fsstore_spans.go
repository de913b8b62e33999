package ternfs

import (
	"bytes"
	"fmt"
	"io"
)

// eachSpan reads r into buffers of up to spanSize bytes and calls fn with
// each full one and a short last one. The buffer grows with the data, so
// small bodies cost small buffers, and is reused: fn must not keep it.
func (s *Store) eachSpan(r io.Reader, fn func([]byte) error) error {
	var buf bytes.Buffer
	for {
		buf.Reset()
		n, err := buf.ReadFrom(io.LimitReader(r, int64(s.spanSize)))
		if err != nil {
			return fmt.Errorf("append: read: %w", err)
		}
		if n > 0 {
			if err := fn(buf.Bytes()); err != nil {
				return err
			}
		}
		if n < int64(s.spanSize) {
			return nil
		}
	}
}
