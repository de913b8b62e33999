package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Limits of the encoding: byte strings carry a u8 length and lists a u16
// count.
const (
	MaxBytesLen = math.MaxUint8
	MaxListLen  = math.MaxUint16
)

var (
	// ErrTooLong reports a byte string or list too long for its length prefix.
	ErrTooLong = errors.New("ternfs: value too long for its length prefix")
	// ErrShortBuffer reports a message that ends before its fields do.
	ErrShortBuffer = errors.New("ternfs: message truncated")
	// ErrTrailingBytes reports bytes left over after a message was decoded.
	ErrTrailingBytes = errors.New("ternfs: trailing bytes after message")
	// ErrMalformed reports a field value the protocol does not allow.
	ErrMalformed = errors.New("ternfs: malformed message")
)

// Message is a value with a bincode layout: its fields in declaration order,
// little-endian, no padding.
type Message interface {
	Pack(e *Encoder)
	Unpack(d *Decoder)
}

// Encoder appends bincode values to a byte slice. The first error (a value
// too long for its prefix) sticks and later writes are ignored, so message
// code can write fields unconditionally and check once.
type Encoder struct {
	buf []byte
	err error
}

// NewEncoder returns an encoder appending to buf.
func NewEncoder(buf []byte) *Encoder { return &Encoder{buf: buf} }

// Bytes returns the encoded bytes.
func (e *Encoder) Bytes() []byte { return e.buf }

// Err returns the first encoding error.
func (e *Encoder) Err() error { return e.err }

func (e *Encoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

func (e *Encoder) U8(v uint8) { e.buf = append(e.buf, v) }

func (e *Encoder) Bool(v bool) {
	if v {
		e.U8(1)
	} else {
		e.U8(0)
	}
}

func (e *Encoder) U16(v uint16) { e.buf = binary.LittleEndian.AppendUint16(e.buf, v) }
func (e *Encoder) U32(v uint32) { e.buf = binary.LittleEndian.AppendUint32(e.buf, v) }
func (e *Encoder) U64(v uint64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, v) }

// Fixed writes raw bytes with no prefix (fixed-size arrays).
func (e *Encoder) Fixed(b []byte) { e.buf = append(e.buf, b...) }

// Bytes8 writes a u8 length and the bytes.
func (e *Encoder) Bytes8(b []byte) {
	if len(b) > MaxBytesLen {
		e.fail(fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(b), MaxBytesLen))
		return
	}
	e.U8(uint8(len(b)))
	e.buf = append(e.buf, b...)
}

// String8 writes a u8 length and the string's bytes.
func (e *Encoder) String8(s string) {
	if len(s) > MaxBytesLen {
		e.fail(fmt.Errorf("%w: string of %d bytes, at most %d", ErrTooLong, len(s), MaxBytesLen))
		return
	}
	e.U8(uint8(len(s)))
	e.buf = append(e.buf, s...)
}

// Len writes a list's u16 element count; it reports whether the caller should
// go on writing the elements.
func (e *Encoder) Len(n int) bool {
	if n > MaxListLen {
		e.fail(fmt.Errorf("%w: list of %d elements, at most %d", ErrTooLong, n, MaxListLen))
		return false
	}
	e.U16(uint16(n))
	return true
}

// Decoder reads bincode values from a byte slice. Reads past the end, or
// after any error, return zero values and record ErrShortBuffer; it never
// panics, whatever the input.
type Decoder struct {
	buf []byte
	off int
	err error
}

// NewDecoder returns a decoder reading buf.
func NewDecoder(buf []byte) *Decoder { return &Decoder{buf: buf} }

// Err returns the first decoding error.
func (d *Decoder) Err() error { return d.err }

// Remaining is the number of bytes not yet read.
func (d *Decoder) Remaining() int { return len(d.buf) - d.off }

// Fail records err unless an error is already recorded.
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// take returns the next n bytes, or nil once the input is exhausted.
func (d *Decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.Remaining() {
		d.err = fmt.Errorf("%w: need %d bytes at offset %d, have %d", ErrShortBuffer, n, d.off, d.Remaining())
		return nil
	}
	b := d.buf[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}

func (d *Decoder) U8() uint8 {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}

// Bool reads a byte; any value other than 0 or 1 is malformed.
func (d *Decoder) Bool() bool {
	v := d.U8()
	if v > 1 {
		d.Fail(fmt.Errorf("%w: bool byte %#x", ErrMalformed, v))
	}
	return v == 1
}

func (d *Decoder) U16() uint16 {
	if b := d.take(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (d *Decoder) U32() uint32 {
	if b := d.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *Decoder) U64() uint64 {
	if b := d.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// Fixed fills dst with the next len(dst) raw bytes.
func (d *Decoder) Fixed(dst []byte) {
	if b := d.take(len(dst)); b != nil {
		copy(dst, b)
	}
}

// Bytes8 reads a u8-length byte string into a fresh slice (never aliasing
// the input, which transports reuse).
func (d *Decoder) Bytes8() []byte {
	n := int(d.U8())
	b := d.take(n)
	if len(b) == 0 {
		return nil
	}
	return append([]byte{}, b...)
}

// String8 reads a u8-length string.
func (d *Decoder) String8() string {
	n := int(d.U8())
	return string(d.take(n))
}

// Len reads a list's u16 element count. Every list element of the protocol
// is at least one byte long, so a count larger than the bytes left is
// rejected here, before anything is allocated for it.
func (d *Decoder) Len() int {
	n := int(d.U16())
	if n > d.Remaining() {
		d.Fail(fmt.Errorf("%w: list of %d elements in %d bytes", ErrShortBuffer, n, d.Remaining()))
		return 0
	}
	return n
}

// Marshal encodes m.
func Marshal(m Message) ([]byte, error) { return AppendMessage(nil, m) }

// AppendMessage appends m's encoding to buf.
func AppendMessage(buf []byte, m Message) ([]byte, error) {
	e := NewEncoder(buf)
	m.Pack(e)
	if e.err != nil {
		return buf, fmt.Errorf("encode %T: %w", m, e.err)
	}
	return e.buf, nil
}

// Unmarshal decodes data into m; the whole of data must be consumed.
func Unmarshal(data []byte, m Message) error {
	d := NewDecoder(data)
	m.Unpack(d)
	if d.err == nil && d.Remaining() != 0 {
		d.err = fmt.Errorf("%w: %d bytes", ErrTrailingBytes, d.Remaining())
	}
	if d.err != nil {
		return fmt.Errorf("decode %T: %w", m, d.err)
	}
	return nil
}

// messagePtr lets list helpers call Pack/Unpack on elements stored by value.
type messagePtr[T any] interface {
	*T
	Message
}

// PackList writes a u16 count and each element.
func PackList[T any, P messagePtr[T]](e *Encoder, xs []T) {
	if e.Len(len(xs)) {
		for i := range xs {
			P(&xs[i]).Pack(e)
		}
	}
}

// UnpackList reads a u16 count and that many elements.
func UnpackList[T any, P messagePtr[T]](d *Decoder) []T {
	n := d.Len()
	if n == 0 {
		return nil
	}
	xs := make([]T, n)
	for i := range xs {
		P(&xs[i]).Unpack(d)
		if d.err != nil {
			return nil
		}
	}
	return xs
}

func packU32List[T ~uint32](e *Encoder, xs []T) {
	if e.Len(len(xs)) {
		for _, x := range xs {
			e.U32(uint32(x))
		}
	}
}

func unpackU32List[T ~uint32](d *Decoder) []T {
	n := d.Len()
	if n == 0 || n*4 > d.Remaining() {
		if n != 0 {
			d.Fail(fmt.Errorf("%w: %d u32s in %d bytes", ErrShortBuffer, n, d.Remaining()))
		}
		return nil
	}
	xs := make([]T, n)
	for i := range xs {
		xs[i] = T(d.U32())
	}
	return xs
}
