package store

import "context"

// AttributedFiles is an optional capability of a Store (test for it with a
// type assertion): each linked file may carry one small opaque attribute,
// kept with its inode, set atomically with the link and dropped with the
// file, and a small file may be created and linked whole in one step.
//
// It lets the layer above keep an object's metadata with its file instead of
// in a file of its own, so that a PUT is one namespace transaction rather
// than several. TernFS has no per-file attributes, so store/ternfs does not
// offer it and the layer above keeps metadata files there.
type AttributedFiles interface {
	Store

	// LinkFileWithAttribute is LinkFile that also sets the linked file's
	// attribute, in the same atomic, durable step.
	LinkFileWithAttribute(ctx context.Context, t Transient, dir ID, name string, attr []byte) (FileInfo, error)
	// LinkInlineFile creates a file holding data with attribute attr (none
	// if attr is nil) and links it as name in dir, atomically replacing any file of that name
	// (ErrIsDirectory if a directory holds it), in one durable step: there
	// is never a transient file. data may be at most MaxInlineSize bytes.
	LinkInlineFile(ctx context.Context, dir ID, name string, data, attr []byte) (FileInfo, error)
	// MaxInlineSize is the largest data LinkInlineFile takes.
	MaxInlineSize() int64
	// FileAttribute returns linked file id's attribute; ErrNotFound if the
	// file is not linked (any more) or has no attribute.
	FileAttribute(ctx context.Context, id ID) ([]byte, error)
	// SetFileAttribute replaces linked file id's attribute (ErrNotFound if
	// it is not linked).
	SetFileAttribute(ctx context.Context, id ID, attr []byte) error
	// LookupLinked is Lookup (same errors, same Entry) that, when a linked
	// file holds name, also reads what reading that file needs, in the
	// same step: a GET or HEAD finds its object and the object's metadata
	// at once. See LinkedFile.
	LookupLinked(ctx context.Context, dir ID, name string, open bool) (LinkedFile, error)
}

// LinkedFile is what AttributedFiles.LookupLinked found.
type LinkedFile struct {
	Entry
	// Attribute is the file's attribute as FileAttribute returns it, when
	// HasAttribute; HasAttribute is false when FileAttribute would answer
	// anything else (an error).
	Attribute    []byte
	HasAttribute bool
	// File is the file opened as OpenFile opens it, when open was asked;
	// nil if it was not, or if OpenFile would fail (and tells why). The
	// caller closes it.
	File File
}
