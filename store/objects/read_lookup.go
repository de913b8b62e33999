package objects

import (
	"context"

	"github.com/terngate/terngate/store"
)

// lookupFunc looks a name up in a directory, as store.Store's Lookup does.
type lookupFunc func(ctx context.Context, dir store.ID, name string) (store.Entry, error)

// readLookup serves the lookups of one GET or HEAD: on a store with
// attributes it looks names up with LookupLinked and keeps what came back
// with the file found (its attribute, and for a GET the file opened), so
// that opening and describing the object take no further reads of the
// store. Elsewhere it is plain Lookup.
type readLookup struct {
	linked store.LinkedFile
}

// lookupFunc returns the lookup to resolve the key with; open asks for
// the file found to be opened too.
func (r *readLookup) lookupFunc(l *Layer, open bool) lookupFunc {
	st, ok := l.attributed()
	if !ok {
		return l.st.Lookup
	}
	return func(ctx context.Context, dir store.ID, name string) (store.Entry, error) {
		r.close() // only the last lookup's file can be the one found
		linked, err := st.LookupLinked(ctx, dir, name, open)
		if err != nil {
			return store.Entry{}, err
		}
		r.linked = linked
		return linked.Entry, nil
	}
}

// found reports whether the last lookup found file.
func (r *readLookup) found(file store.Entry) bool {
	return r.linked.ID == file.ID && r.linked.Name == file.Name && !r.linked.Dir
}

// attributeOf is file's attribute as read with its lookup; nil if it was
// not (the caller reads it then).
func (r *readLookup) attributeOf(file store.Entry) *[]byte {
	if !r.linked.HasAttribute || !r.found(file) {
		return nil
	}
	return &r.linked.Attribute
}

// takeFile hands over file as opened with its lookup; nil if it was not
// (the caller opens it then).
func (r *readLookup) takeFile(file store.Entry) store.File {
	if !r.found(file) {
		return nil
	}
	f := r.linked.File
	r.linked.File = nil
	return f
}

// close closes a file opened by a lookup and not taken.
func (r *readLookup) close() {
	if r.linked.File != nil {
		r.linked.File.Close()
		r.linked.File = nil
	}
}
