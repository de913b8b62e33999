// Package refserver is the yardstick terngate is measured against: the least
// an S3 server must do with the bytes of a PUT and a GET, in plain net/http.
//
// A PUT streams the body through MD5 (the ETag) and SHA-256 (checked against
// a hex x-amz-content-sha256) into a temporary file, makes it durable and
// renames it into place; a GET streams the file with io.Copy from *os.File,
// so net/http may hand it to sendfile.
//
// It deliberately does not verify SigV4 signatures: that check is a handful
// of HMACs over a few hundred bytes per request, nothing next to hashing
// gigabytes, while the payload hash it makes binding is computed here in
// full. Everything else an S3 server does per request (XML, listing,
// metadata) is likewise absent: only the per-byte cost is the yardstick.
package refserver

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// copyBufferSize is the size of the buffer each PUT reads the body into:
// big enough that per-call overhead of hashing and write(2) is negligible.
const copyBufferSize = 1 << 20

// DefaultWritebackEvery is how many bytes a PUT writes before asking the
// kernel to start writing them to disk.
const DefaultWritebackEvery = 32 << 20

// Server stores objects as files in one directory.
type Server struct {
	dir            string
	logger         *slog.Logger
	writebackEvery int64 // 0: leave all writing to the final fsync
	buffers        sync.Pool
}

// New returns a server keeping its files in dir, which must exist, that
// starts writeback every writebackEvery bytes of a PUT (0: never).
func New(dir string, logger *slog.Logger, writebackEvery int64) *Server {
	return &Server{
		dir:            dir,
		logger:         logger,
		writebackEvery: writebackEvery,
		buffers:        sync.Pool{New: func() any { b := make([]byte, copyBufferSize); return &b }},
	}
}

// ServeHTTP routes path-style requests: PUT/HEAD /bucket, and
// PUT/GET/DELETE /bucket/key.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket == "" {
		http.Error(w, "no bucket", http.StatusBadRequest)
		return
	}
	var err error
	switch {
	case key == "" && (r.Method == http.MethodPut || r.Method == http.MethodHead):
		// Buckets are implicit: every object lives in one flat directory.
		w.WriteHeader(http.StatusOK)
		return
	case key == "":
		http.Error(w, "bucket operation not supported", http.StatusNotImplemented)
		return
	case r.Method == http.MethodPut:
		err = s.put(w, r, bucket, key)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		err = s.get(w, r, bucket, key)
	case r.Method == http.MethodDelete:
		err = s.remove(w, bucket, key)
	default:
		http.Error(w, "method not supported", http.StatusMethodNotAllowed)
		return
	}
	if err != nil {
		s.logger.Warn("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

// objectPath maps bucket and key to one file name; escaping makes any key
// a single safe path element.
func (s *Server) objectPath(bucket, key string) string {
	return filepath.Join(s.dir, url.PathEscape(bucket+"/"+key))
}

func (s *Server) put(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	wantSHA := r.Header.Get("X-Amz-Content-Sha256")
	if !isHexSHA256(wantSHA) {
		wantSHA = "" // UNSIGNED-PAYLOAD and friends: nothing to check
	}
	f, err := os.CreateTemp(s.dir, ".put-*")
	if err != nil {
		http.Error(w, "cannot create file", http.StatusInternalServerError)
		return fmt.Errorf("create temp file: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			f.Close()
			os.Remove(f.Name())
		}
	}()

	md5h, shah := md5.New(), sha256.New()
	hashes := []hash.Hash{md5h}
	if wantSHA != "" {
		hashes = append(hashes, shah)
	}
	n, err := s.receive(f, r.Body, hashes)
	if err != nil {
		http.Error(w, "cannot store body", http.StatusInternalServerError)
		return fmt.Errorf("receive body: %w", err)
	}
	if r.ContentLength >= 0 && n != r.ContentLength {
		http.Error(w, "incomplete body", http.StatusBadRequest)
		return fmt.Errorf("body of %d bytes, Content-Length %d", n, r.ContentLength)
	}
	if wantSHA != "" && hex.EncodeToString(shah.Sum(nil)) != wantSHA {
		http.Error(w, "XAmzContentSHA256Mismatch", http.StatusBadRequest)
		return errors.New("payload SHA-256 mismatch")
	}
	if err := f.Sync(); err != nil {
		http.Error(w, "cannot sync", http.StatusInternalServerError)
		return fmt.Errorf("fsync: %w", err)
	}
	if err := f.Close(); err != nil {
		http.Error(w, "cannot close", http.StatusInternalServerError)
		return fmt.Errorf("close: %w", err)
	}
	if err := os.Rename(f.Name(), s.objectPath(bucket, key)); err != nil {
		http.Error(w, "cannot rename", http.StatusInternalServerError)
		return fmt.Errorf("rename into place: %w", err)
	}
	committed = true
	if err := syncDir(s.dir); err != nil {
		http.Error(w, "cannot sync directory", http.StatusInternalServerError)
		return err
	}
	w.Header().Set("ETag", `"`+hex.EncodeToString(md5h.Sum(nil))+`"`)
	w.WriteHeader(http.StatusOK)
	return nil
}

// receive copies body into f, feeding every byte to the hashes, and asks
// the kernel to start writing back each chunk as soon as it is written, so
// the closing fsync has little left to wait for and dirty pages do not
// pile up: the same kernel path a careful store takes, so the reference is
// not handicapped by one long fsync at the end.
func (s *Server) receive(f *os.File, body io.Reader, hashes []hash.Hash) (int64, error) {
	bufp := s.buffers.Get().(*[]byte)
	defer s.buffers.Put(bufp)
	buf := *bufp
	var total, flushed int64
	for {
		n, rerr := io.ReadFull(body, buf)
		if n > 0 {
			chunk := buf[:n]
			for _, h := range hashes {
				h.Write(chunk)
			}
			if _, err := f.Write(chunk); err != nil {
				return total, fmt.Errorf("write: %w", err)
			}
			total += int64(n)
			if s.writebackEvery > 0 && total-flushed >= s.writebackEvery {
				startWriteback(f, flushed, total-flushed)
				flushed = total
			}
		}
		switch {
		case rerr == nil:
		case errors.Is(rerr, io.EOF), errors.Is(rerr, io.ErrUnexpectedEOF):
			return total, nil
		default:
			return total, fmt.Errorf("read: %w", rerr)
		}
	}
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	f, err := os.Open(s.objectPath(bucket, key))
	if errors.Is(err, os.ErrNotExist) {
		http.Error(w, "NoSuchKey", http.StatusNotFound)
		return nil
	}
	if err != nil {
		http.Error(w, "cannot open", http.StatusInternalServerError)
		return fmt.Errorf("open: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		http.Error(w, "cannot stat", http.StatusInternalServerError)
		return fmt.Errorf("stat: %w", err)
	}
	w.Header().Set("Content-Length", fmt.Sprint(info.Size()))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	// *os.File as the source lets the ResponseWriter's ReadFrom use sendfile.
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("send body: %w", err)
	}
	return nil
}

func (s *Server) remove(w http.ResponseWriter, bucket, key string) error {
	if err := os.Remove(s.objectPath(bucket, key)); err != nil && !errors.Is(err, os.ErrNotExist) {
		http.Error(w, "cannot remove", http.StatusInternalServerError)
		return fmt.Errorf("remove: %w", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func isHexSHA256(s string) bool {
	if len(s) != sha256.Size*2 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync directory: %w", err)
	}
	return nil
}
