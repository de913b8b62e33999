package store

import (
	"context"
	"time"
)

// Version is one edge of a directory as VersionedDirs reports it: the
// current edge of a name, or one of its snapshot edges (what an overwrite or
// unlink left behind in a directory that keeps snapshots).
type Version struct {
	Name string
	// ID is the edge's target; 0 for a deletion marker.
	ID ID
	// Current: the name's current edge (what Lookup finds).
	Current bool
	// Owned: the edge keeps its file alive. Current file edges and the
	// snapshot edges overwrites and unlinks leave are owned; a file renamed
	// away leaves a non-owned snapshot edge (its new edge owns it).
	Owned bool
	// Dir: the target is a directory. Snapshot edges of directories are
	// reported so that callers can skip them.
	Dir          bool
	CreationTime time.Time
}

// DeletionMarker reports whether the edge is the marker an unlink leaves.
func (v Version) DeletionMarker() bool { return v.ID == 0 }

// VersionedDirs is an optional capability of a Store (test for it with a
// type assertion): directories can keep the snapshot edges that overwrites
// and unlinks leave, list them with their creation times, and remove or
// restore exactly one of them. It is what S3 versioning is built on
// (docs/versioning.md); TernFS does all of it natively.
//
// In a directory that keeps snapshots, LinkFile and LinkInlineFile onto a
// file name turn the old current edge into an owned snapshot edge, and
// UnlinkFile turns the current edge into an owned snapshot edge plus a
// deletion marker created at the time of the unlink. StatFile and OpenFile
// accept files that only a snapshot edge owns.
type VersionedDirs interface {
	Store

	// SetKeepSnapshots sets whether dir and the directories under it keep
	// snapshot edges from now on: forever when keep is true, or under the
	// store's default (local: none; TernFS: the root's retention).
	SetKeepSnapshots(ctx context.Context, dir ID, keep bool) error
	// KeepsSnapshots reports whether dir keeps snapshot edges forever.
	KeepsSnapshots(ctx context.Context, dir ID) (bool, error)

	// ReadNameVersions calls fn for every edge named name in dir, the
	// current one first, then its snapshot edges newest first. Returning an
	// error from fn stops the walk and is returned.
	ReadNameVersions(ctx context.Context, dir ID, name string, fn func(Version) error) error
	// ReadDirVersions calls fn for every current and snapshot edge of dir,
	// in no particular order.
	ReadDirVersions(ctx context.Context, dir ID, fn func(Version) error) error

	// RemoveSnapshotEdge removes exactly the snapshot edge v of dir (v as
	// reported by ReadNameVersions or ReadDirVersions): an owned edge's file
	// is released with it. An edge already gone is no error: TernFS answers
	// so (its removals are idempotent, so a retried removal succeeds), and
	// the store cannot tell an edge removed a moment ago from one that never
	// was. Callers find the edge in a listing first.
	RemoveSnapshotEdge(ctx context.Context, dir ID, v Version) error
	// RestoreSnapshot makes the file of the owned snapshot edge v current
	// again under v.Name, turning the current file edge, if any, into an
	// owned snapshot edge as an overwrite does; the file keeps its ID. It
	// returns the new current edge.
	RestoreSnapshot(ctx context.Context, dir ID, v Version) (Entry, error)
	// RestoreSnapshotAs is RestoreSnapshot that makes the file current
	// under name instead of v.Name (the snapshot edge goes from v.Name): an
	// S3 key has two names (its primary and its shadow), and a directory
	// may hold the one v is under. A directory under name is
	// ErrIsDirectory.
	RestoreSnapshotAs(ctx context.Context, dir ID, v Version, name string) (Entry, error)
	// AddDeletionMarker adds a deletion marker created now to name in dir
	// and returns it: what S3 does for a DELETE without version of a key
	// that has no current object (UnlinkFile makes a marker only by taking
	// a current file away). A current file edge is ErrExists (unlink it
	// instead); a directory under name is ErrExists on TernFS, which needs
	// the name free, while local puts the marker beside it.
	AddDeletionMarker(ctx context.Context, dir ID, name string) (Version, error)
}
