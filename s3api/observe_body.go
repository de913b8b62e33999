package s3api

import "io"

// countedBody is a streamed response body that counts the bytes written
// from it and reports the count when fasthttp closes it (after the last
// byte, or on abandoning the response). WriteTo passes the destination to
// the inner body, so a local file still goes out with sendfile.
type countedBody struct {
	next    io.Reader
	written int64
	// onClose is set by the request's observation before the body is sent.
	onClose func(written int64)
	closed  bool
}

// countBytes wraps a response body stream so its bytes are counted.
func countBytes(body io.Reader) *countedBody {
	return &countedBody{next: body}
}

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.next.Read(p)
	b.written += int64(n)
	return n, err
}

func (b *countedBody) WriteTo(w io.Writer) (int64, error) {
	n, err := io.Copy(w, b.next)
	b.written += n
	return n, err
}

func (b *countedBody) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	var err error
	if c, ok := b.next.(io.Closer); ok {
		err = c.Close()
	}
	if b.onClose != nil {
		b.onClose(b.written)
	}
	return err
}
