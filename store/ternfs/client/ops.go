package client

import (
	"context"
	"fmt"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// Typed wrappers over single shard and CDC requests: each names the
// operation in its error and leaves TernFS error codes wrapped, so callers
// test them with errors.Is against Error values or store sentinels.

// Lookup finds the current edge name in dir.
func (c *Client) Lookup(ctx context.Context, dir wire.InodeID, name string) (wire.LookupResp, error) {
	var resp wire.LookupResp
	err := c.ShardRequest(ctx, dir.Shard(), &wire.LookupReq{DirID: dir, Name: name}, &resp)
	if err != nil {
		return wire.LookupResp{}, fmt.Errorf("lookup %q in %v: %w", name, dir, err)
	}
	return resp, nil
}

// ReadDir calls fn for every current edge of dir, page by page in name-hash
// order. An error from fn stops the walk and is returned as is.
func (c *Client) ReadDir(ctx context.Context, dir wire.InodeID, fn func(wire.CurrentEdge) error) error {
	var start wire.NameHash
	for {
		var resp wire.ReadDirResp
		if err := c.ShardRequest(ctx, dir.Shard(), &wire.ReadDirReq{DirID: dir, StartHash: start}, &resp); err != nil {
			return fmt.Errorf("read directory %v from hash %d: %w", dir, start, err)
		}
		for _, e := range resp.Results {
			if err := fn(e); err != nil {
				return err
			}
		}
		if resp.NextHash == 0 {
			return nil
		}
		if resp.NextHash <= start {
			return fmt.Errorf("read directory %v: %w: next hash %d after %d", dir, wire.ErrMalformed, resp.NextHash, start)
		}
		start = resp.NextHash
	}
}

// StatFile reports a linked (or snapshot) file.
func (c *Client) StatFile(ctx context.Context, id wire.InodeID) (wire.StatFileResp, error) {
	var resp wire.StatFileResp
	if err := c.ShardRequest(ctx, id.Shard(), &wire.StatFileReq{ID: id}, &resp); err != nil {
		return wire.StatFileResp{}, fmt.Errorf("stat file %v: %w", id, err)
	}
	return resp, nil
}

// StatDirectory reports a directory's mtime, owner and own policies.
func (c *Client) StatDirectory(ctx context.Context, id wire.InodeID) (wire.StatDirectoryResp, error) {
	var resp wire.StatDirectoryResp
	if err := c.ShardRequest(ctx, id.Shard(), &wire.StatDirectoryReq{ID: id}, &resp); err != nil {
		return wire.StatDirectoryResp{}, fmt.Errorf("stat directory %v: %w", id, err)
	}
	return resp, nil
}

// SetDirectoryInfo replaces a directory's own policies.
func (c *Client) SetDirectoryInfo(ctx context.Context, id wire.InodeID, info wire.DirectoryInfo) error {
	if err := c.ShardRequest(ctx, id.Shard(), &wire.SetDirectoryInfoReq{ID: id, Info: info}, &wire.SetDirectoryInfoResp{}); err != nil {
		return fmt.Errorf("set directory info of %v: %w", id, err)
	}
	return nil
}

// StatTransientFile reports a transient file's size, mtime and note.
func (c *Client) StatTransientFile(ctx context.Context, id wire.InodeID) (wire.StatTransientFileResp, error) {
	var resp wire.StatTransientFileResp
	if err := c.ShardRequest(ctx, id.Shard(), &wire.StatTransientFileReq{ID: id}, &resp); err != nil {
		return wire.StatTransientFileResp{}, fmt.Errorf("stat transient file %v: %w", id, err)
	}
	return resp, nil
}

// ConstructFile creates an empty transient file on shard; to be linked
// later, shard must be the shard of the target directory.
func (c *Client) ConstructFile(ctx context.Context, shard wire.ShardID, note string) (wire.ConstructFileResp, error) {
	if len(note) > wire.MaxBytesLen {
		return wire.ConstructFileResp{}, fmt.Errorf("construct file: %w: note of %d bytes", wire.ErrTooLong, len(note))
	}
	var resp wire.ConstructFileResp
	if err := c.ShardRequest(ctx, shard, &wire.ConstructFileReq{Type: wire.InodeFile, Note: note}, &resp); err != nil {
		return wire.ConstructFileResp{}, fmt.Errorf("construct file on shard %d: %w", shard, err)
	}
	return resp, nil
}

// LinkFile makes a transient file visible as name in dir, replacing any
// file of that name.
func (c *Client) LinkFile(ctx context.Context, file wire.InodeID, cookie wire.Cookie, dir wire.InodeID, name string) (wire.LinkFileResp, error) {
	var resp wire.LinkFileResp
	req := &wire.LinkFileReq{FileID: file, Cookie: cookie, OwnerID: dir, Name: name}
	if err := c.ShardRequest(ctx, dir.Shard(), req, &resp); err != nil {
		return wire.LinkFileResp{}, fmt.Errorf("link %v as %q in %v: %w", file, name, dir, err)
	}
	return resp, nil
}

// SoftUnlinkFile turns the current edge (name → file, created at created)
// into a snapshot edge kept per the directory's SNAPSHOT policy.
func (c *Client) SoftUnlinkFile(ctx context.Context, dir, file wire.InodeID, name string, created wire.TernTime) error {
	req := &wire.SoftUnlinkFileReq{OwnerID: dir, FileID: file, Name: name, CreationTime: created}
	if err := c.ShardRequest(ctx, dir.Shard(), req, &wire.SoftUnlinkFileResp{}); err != nil {
		return fmt.Errorf("unlink %q (%v) in %v: %w", name, file, dir, err)
	}
	return nil
}

// SameDirectoryRename moves the edge oldName (→ target, created at
// created) to newName within dir.
func (c *Client) SameDirectoryRename(ctx context.Context, dir, target wire.InodeID, oldName string, created wire.TernTime, newName string) (wire.TernTime, error) {
	var resp wire.SameDirectoryRenameResp
	req := &wire.SameDirectoryRenameReq{TargetID: target, DirID: dir, OldName: oldName, OldCreationTime: created, NewName: newName}
	if err := c.ShardRequest(ctx, dir.Shard(), req, &resp); err != nil {
		return 0, fmt.Errorf("rename %q to %q in %v: %w", oldName, newName, dir, err)
	}
	return resp.NewCreationTime, nil
}

// ScrapTransientFile sets a transient file's deadline to now, so GC
// destroys it.
func (c *Client) ScrapTransientFile(ctx context.Context, file wire.InodeID, cookie wire.Cookie) error {
	if err := c.ShardRequest(ctx, file.Shard(), &wire.ScrapTransientFileReq{ID: file, Cookie: cookie}, &wire.ScrapTransientFileResp{}); err != nil {
		return fmt.Errorf("scrap transient file %v: %w", file, err)
	}
	return nil
}

// RemoveInode drops a transient file that has no spans and whose deadline
// has passed (a scrapped, emptied file).
func (c *Client) RemoveInode(ctx context.Context, file wire.InodeID) error {
	if err := c.ShardRequest(ctx, file.Shard(), &wire.RemoveInodeReq{ID: file}, &wire.RemoveInodeResp{}); err != nil {
		return fmt.Errorf("remove inode %v: %w", file, err)
	}
	return nil
}

// VisitTransientFiles calls fn for every transient file of shard, in id
// order. An error from fn stops the walk and is returned as is.
func (c *Client) VisitTransientFiles(ctx context.Context, shard wire.ShardID, fn func(wire.TransientFile) error) error {
	var begin wire.InodeID
	for {
		var resp wire.VisitTransientFilesResp
		if err := c.ShardRequest(ctx, shard, &wire.VisitTransientFilesReq{BeginID: begin}, &resp); err != nil {
			return fmt.Errorf("visit transient files of shard %d from %v: %w", shard, begin, err)
		}
		for _, f := range resp.Files {
			if err := fn(f); err != nil {
				return err
			}
		}
		if resp.NextID == wire.NullInode {
			return nil
		}
		if resp.NextID <= begin {
			return fmt.Errorf("visit transient files of shard %d: %w: next id %v after %v", shard, wire.ErrMalformed, resp.NextID, begin)
		}
		begin = resp.NextID
	}
}

// KeepTransientAlive moves a transient file's deadline forward with an
// EMPTY zero-length inline span at offset 0: a no-op on the data that
// resets the deadline even while the last span is DIRTY (doc §9).
func (c *Client) KeepTransientAlive(ctx context.Context, file wire.InodeID, cookie wire.Cookie) error {
	req := &wire.AddInlineSpanReq{FileID: file, Cookie: cookie, StorageClass: wire.StorageEmpty}
	if err := c.ShardRequest(ctx, file.Shard(), req, &wire.AddInlineSpanResp{}); err != nil {
		return fmt.Errorf("keep %v alive: %w", file, err)
	}
	return nil
}

// MoveSpan moves the DIRTY last span (size bytes at srcOffset) of src onto
// the end of dst (at dstOffset, dst's size). Both files are transient and
// on the same shard.
func (c *Client) MoveSpan(ctx context.Context, size uint32, src wire.InodeID, srcOffset uint64, srcCookie wire.Cookie, dst wire.InodeID, dstOffset uint64, dstCookie wire.Cookie) error {
	req := &wire.MoveSpanReq{SpanSize: size, FileID1: src, ByteOffset1: srcOffset, Cookie1: srcCookie, FileID2: dst, ByteOffset2: dstOffset, Cookie2: dstCookie}
	if err := c.ShardRequest(ctx, src.Shard(), req, &wire.MoveSpanResp{}); err != nil {
		return fmt.Errorf("move span %v@%d (%d bytes) to %v@%d: %w", src, srcOffset, size, dst, dstOffset, err)
	}
	return nil
}

// SpanAt returns the span of file that starts at or contains offset.
func (c *Client) SpanAt(ctx context.Context, file wire.InodeID, offset uint64) (wire.FetchedSpan, error) {
	var resp wire.LocalFileSpansResp
	if err := c.ShardRequest(ctx, file.Shard(), &wire.LocalFileSpansReq{FileID: file, ByteOffset: offset, Limit: 1}, &resp); err != nil {
		return wire.FetchedSpan{}, fmt.Errorf("span of %v at %d: %w", file, offset, err)
	}
	if len(resp.Spans) == 0 {
		return wire.FetchedSpan{}, fmt.Errorf("span of %v at %d: %w", file, offset, wire.ErrSpanNotFound)
	}
	return resp.Spans[0], nil
}

// MakeDirectory returns the directory name in owner, creating it if needed
// (CDC; CANNOT_OVERRIDE_NAME if a file holds the name).
func (c *Client) MakeDirectory(ctx context.Context, owner wire.InodeID, name string) (wire.MakeDirectoryResp, error) {
	var resp wire.MakeDirectoryResp
	if err := c.CDCRequest(ctx, &wire.MakeDirectoryReq{OwnerID: owner, Name: name}, &resp); err != nil {
		return wire.MakeDirectoryResp{}, fmt.Errorf("make directory %q in %v: %w", name, owner, err)
	}
	return resp, nil
}

// SoftUnlinkDirectory removes the empty directory edge name → target
// (created at created) from owner (CDC; DIRECTORY_NOT_EMPTY otherwise).
func (c *Client) SoftUnlinkDirectory(ctx context.Context, owner, target wire.InodeID, name string, created wire.TernTime) error {
	req := &wire.SoftUnlinkDirectoryReq{OwnerID: owner, TargetID: target, CreationTime: created, Name: name}
	if err := c.CDCRequest(ctx, req, &wire.SoftUnlinkDirectoryResp{}); err != nil {
		return fmt.Errorf("remove directory %q (%v) from %v: %w", name, target, owner, err)
	}
	return nil
}
