// Package store defines the narrow, TernFS-shaped storage interface that the
// S3 mapping (package store/objects) is written against.
//
// The model is TernFS's: directories hold named edges to inodes; files are
// immutable once linked; a file is born transient (invisible, reclaimable
// after a deadline), is appended to, and is then linked into a directory,
// where the link atomically replaces any file of the same name. The Store
// interface has no per-file attributes beyond size and mtime: the layer above
// stores anything else (S3 metadata) in files of its own, unless the store
// offers the optional AttributedFiles capability (attributes.go), which keeps
// a small attribute with each file and can link a small file whole.
//
// Implementations: store/local (embedded, on local disk) and, later,
// store/ternfs (a TernFS wire-protocol client).
package store

import (
	"context"
	"errors"
	"io"
	"time"
)

// ID names an inode (file or directory). IDs are never reused for the life of
// a store, so data keyed by an ID (object metadata) can never be attached to
// the wrong file.
type ID uint64

// Entry is one directory edge.
type Entry struct {
	Name         string
	ID           ID
	Dir          bool
	CreationTime time.Time
}

// FileInfo describes a linked file.
type FileInfo struct {
	ID    ID
	Size  int64
	Mtime time.Time
}

// DirInfo describes a directory. Mtime changes whenever an edge of the
// directory is added, replaced or removed, so it keys caches of the directory's
// sorted view.
type DirInfo struct {
	ID    ID
	Mtime time.Time
}

// Transient is a handle on a transient (not yet linked) file. Cookie is the
// capability TernFS hands out with a transient file; stores that do not need
// one leave it zero.
type Transient struct {
	ID     ID
	Cookie uint64
}

// TransientInfo is what VisitTransient reports about a transient file.
type TransientInfo struct {
	Transient
	Note     string
	Size     int64
	Deadline time.Time
}

// File is an open linked file. Reads see the file as it was when opened even
// if its name is unlinked or replaced meanwhile.
type File interface {
	io.ReaderAt
	io.Closer
	Size() int64
	// NewReader returns a reader of n bytes from off. Implementations may
	// return a reader that lets the kernel move the bytes (a local file);
	// only one reader from NewReader may be used at a time per File.
	NewReader(off, n int64) (io.Reader, error)
}

var (
	// ErrNotFound: no such name, file, directory or transient file (a
	// transient file past its deadline is not found either).
	ErrNotFound = errors.New("store: not found")
	// ErrNotDirectory: the operation needs a directory but found a file.
	ErrNotDirectory = errors.New("store: not a directory")
	// ErrIsDirectory: a file operation found a directory holding the name.
	ErrIsDirectory = errors.New("store: name is held by a directory")
	// ErrExists: the name is held by a file where a directory was asked for,
	// or by anything where a rename needed a free name.
	ErrExists = errors.New("store: name exists")
	// ErrNotEmpty: RemoveDirectory on a directory that still has edges.
	ErrNotEmpty = errors.New("store: directory not empty")
	// ErrInvalidName: the name is empty, ".", "..", contains '/' or NUL, or
	// is longer than MaxNameLen bytes. Stores validate names themselves.
	ErrInvalidName = errors.New("store: invalid name")
	// ErrStale: the edge no longer points at the expected inode (a delete
	// raced with a replace).
	ErrStale = errors.New("store: edge points at another inode")
	// ErrDirectoryGone: the directory given has been removed (by another
	// client), as opposed to a name missing from a live directory. An
	// error wrapping it wraps ErrNotFound too; a caller caching directory
	// IDs resolves the path again on it.
	ErrDirectoryGone = errors.New("store: directory removed")
)

// MaxNameLen is the longest name a directory edge can hold (TernFS encodes
// names with a u8 length).
const MaxNameLen = 255

// Store is the storage interface. Every method honours ctx cancellation.
// Errors wrap the sentinel errors above so callers test with errors.Is.
type Store interface {
	// Root is the directory everything else lives under.
	Root() ID

	// Lookup finds the edge name in dir.
	Lookup(ctx context.Context, dir ID, name string) (Entry, error)
	// MakeDirectory returns the directory name in parent, creating it if
	// needed (idempotent). ErrExists if a file holds the name.
	MakeDirectory(ctx context.Context, parent ID, name string) (ID, error)
	// RemoveDirectory removes the empty directory name from parent.
	// ErrNotEmpty if it has edges, ErrNotFound if absent.
	RemoveDirectory(ctx context.Context, parent ID, name string) error
	// ReadDir calls fn for every edge of dir, in no particular order
	// (TernFS returns name-hash order). Returning an error from fn stops the
	// walk and is returned.
	ReadDir(ctx context.Context, dir ID, fn func(Entry) error) error
	// StatDirectory reports dir's mtime (see DirInfo).
	StatDirectory(ctx context.Context, dir ID) (DirInfo, error)
	// Rename moves the file edge oldName to newName within dir. ErrExists if
	// newName is taken.
	Rename(ctx context.Context, dir ID, oldName, newName string) error

	// StatFile reports a linked file. ErrNotFound once it is unlinked.
	StatFile(ctx context.Context, id ID) (FileInfo, error)
	// OpenFile opens a linked file for reading.
	OpenFile(ctx context.Context, id ID) (File, error)

	// CreateTransient creates an empty transient file that will later be
	// linked into dir. note is free text kept with it (reported by
	// VisitTransient), used by the layers above to recognise their own files.
	CreateTransient(ctx context.Context, dir ID, note string) (Transient, error)
	// Append appends all of r to the transient file and returns how many
	// bytes it appended. The bytes are durable when Append returns nil. On
	// error the file is left in an unspecified state: scrap it.
	Append(ctx context.Context, t Transient, r io.Reader) (int64, error)
	// KeepAlive moves a transient file's deadline forward.
	KeepAlive(ctx context.Context, t Transient) error
	// LinkFile makes the transient file visible as name in dir, atomically
	// replacing any file of that name (ErrIsDirectory if a directory holds
	// it). The link is durable when LinkFile returns nil. dir must be the
	// directory given to CreateTransient.
	LinkFile(ctx context.Context, t Transient, dir ID, name string) (FileInfo, error)
	// MoveData moves all of src's bytes onto the end of dst without reading
	// or writing them (TernFS: MoveSpan then AddSpanCertify, span by span);
	// src is left empty and can be scrapped. Both must be transient files
	// created for the same directory. This is how a multipart upload is
	// assembled at Complete.
	MoveData(ctx context.Context, dst, src Transient) error
	// ScrapTransient releases a transient file and its data.
	ScrapTransient(ctx context.Context, t Transient) error
	// VisitTransient calls fn for every transient file.
	VisitTransient(ctx context.Context, fn func(TransientInfo) error) error

	// UnlinkFile removes the edge name from dir if it still points at id
	// (ErrStale otherwise, ErrNotFound if absent). The file's data is
	// released once no reader holds it open.
	UnlinkFile(ctx context.Context, dir ID, name string, id ID) error
	// UnlinkEntry is UnlinkFile for an edge the caller has just looked up
	// (Lookup or ReadDir): e's Name, ID and CreationTime. A store whose
	// unlink needs the edge's creation time (TernFS) uses e's instead of
	// looking the name up again; if the edge changed meanwhile it behaves
	// exactly like UnlinkFile(ctx, dir, e.Name, e.ID).
	UnlinkEntry(ctx context.Context, dir ID, e Entry) error

	// Close releases the store.
	Close() error
}
