package objects

import (
	"bytes"
	"fmt"
	"io"

	"github.com/terngate/terngate/sse"
)

// Encryption, set on a PutInput, makes Put store the body encrypted under
// Key (sse's format) and keep Info in the object's record. Sizes, the MD5
// check and checksums stay those of the plaintext. The caller owns Key and
// zeroes it after Put.
type Encryption struct {
	Info sse.Info
	Key  *sse.ObjectKey
	// PlainETag keeps the plaintext's MD5 as the ETag (SSE-S3, as AWS);
	// otherwise the ETag is sse.OpaqueETag.
	PlainETag bool
}

// storedReader is what is written for plain: plain itself, or its
// encrypted form.
func (e *Encryption) storedReader(plain io.Reader) (io.Reader, error) {
	if e == nil {
		return plain, nil
	}
	return sse.EncryptReader(plain, e.Key)
}

// storedSize is how many bytes size plaintext bytes take in the store.
func (e *Encryption) storedSize(size int64) int64 {
	if e == nil || size < 0 {
		return size
	}
	return sse.StoredSize(size)
}

// plainSize is how many plaintext bytes stored bytes hold.
func (e *Encryption) plainSize(stored int64) int64 {
	if e == nil {
		return stored
	}
	return sse.PlainSize(stored)
}

// sealBytes encrypts a whole small body (an inline object).
func (e *Encryption) sealBytes(plain []byte) ([]byte, error) {
	if e == nil {
		return plain, nil
	}
	r, err := e.storedReader(bytes.NewReader(plain))
	if err != nil {
		return nil, err
	}
	out := bytes.NewBuffer(make([]byte, 0, sse.StoredSize(int64(len(plain)))))
	if _, err := out.ReadFrom(r); err != nil {
		return nil, fmt.Errorf("objects: encrypt: %w", err)
	}
	return out.Bytes(), nil
}

// complete records the encryption in rec, whose ETag is the plaintext MD5.
func (e *Encryption) complete(rec *record, md5sum []byte) {
	if e == nil {
		return
	}
	info := e.Info
	rec.SSE = &info
	if !e.PlainETag {
		rec.ETag = sse.OpaqueETag(e.Key, md5sum)
	}
}

// NewPlainReader reads plaintext bytes [off, off+length) of an encrypted
// object, whose key (unsealed by the caller from o.Info.Encryption) is key:
// only the stored packages the range touches are read and decrypted.
func (o *Object) NewPlainReader(key *sse.ObjectKey, off, length int64) (io.Reader, error) {
	if len(o.Info.SealedParts) > 0 {
		return o.partsPlainReader(key, off, length)
	}
	rng := sse.RangeOf(off, length, o.Info.Size)
	stored, err := o.File.NewReader(rng.Offset, rng.Length)
	if err != nil {
		return nil, err
	}
	return sse.DecryptRange(stored, key, rng)
}
