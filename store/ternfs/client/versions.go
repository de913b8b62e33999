package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// FullReadDir calls fn for the current and snapshot edges of dir that req
// selects (its Flags, StartName, StartTime), page by page, until the shard
// reports no more. An error from fn stops the walk and is returned as is.
func (c *Client) FullReadDir(ctx context.Context, req wire.FullReadDirReq, fn func(wire.Edge) error) error {
	for {
		var resp wire.FullReadDirResp
		if err := c.ShardRequest(ctx, req.DirID.Shard(), &req, &resp); err != nil {
			return fmt.Errorf("read all edges of %v from %q: %w", req.DirID, req.StartName, err)
		}
		for _, e := range resp.Results {
			if err := fn(e); err != nil {
				return err
			}
		}
		if resp.Next.StartName == "" {
			return nil
		}
		if len(resp.Results) == 0 {
			return fmt.Errorf("read all edges of %v: %w: an empty page that is not the last", req.DirID, wire.ErrMalformed)
		}
		// The cursor says whether the walk goes on among current or
		// snapshot edges; the other flags stay as asked.
		req.Flags &^= wire.FullReadDirCurrent
		if resp.Next.Current {
			req.Flags |= wire.FullReadDirCurrent
		}
		req.StartName, req.StartTime = resp.Next.StartName, resp.Next.StartTime
	}
}

// SameShardHardFileUnlink removes the owned snapshot edge name → file
// (created at created) from dir and makes the file transient with its
// deadline passed, so that GC frees it. The file must live on dir's shard.
func (c *Client) SameShardHardFileUnlink(ctx context.Context, dir, file wire.InodeID, name string, created wire.TernTime) error {
	req := &wire.SameShardHardFileUnlinkReq{OwnerID: dir, TargetID: file, Name: name, CreationTime: created}
	if err := c.ShardRequest(ctx, dir.Shard(), req, &wire.SameShardHardFileUnlinkResp{}); err != nil {
		return fmt.Errorf("hard-unlink snapshot %q (%v) in %v: %w", name, file, dir, err)
	}
	return nil
}

// CrossShardHardUnlinkFile is SameShardHardFileUnlink for a file on
// another shard than dir (a file moved there by a rename); the CDC does it.
func (c *Client) CrossShardHardUnlinkFile(ctx context.Context, dir, file wire.InodeID, name string, created wire.TernTime) error {
	req := &wire.CrossShardHardUnlinkFileReq{OwnerID: dir, TargetID: file, Name: name, CreationTime: created}
	if err := c.CDCRequest(ctx, req, &wire.CrossShardHardUnlinkFileResp{}); err != nil {
		return fmt.Errorf("hard-unlink snapshot %q (%v) in %v: %w", name, file, dir, err)
	}
	return nil
}

// RemoveNonOwnedEdge removes the snapshot edge name → target (created at
// created) that owns nothing: a deletion marker (target NullInode) or what
// a rename left. An edge already gone is not an error.
func (c *Client) RemoveNonOwnedEdge(ctx context.Context, dir, target wire.InodeID, name string, created wire.TernTime) error {
	req := &wire.RemoveNonOwnedEdgeReq{DirID: dir, TargetID: target, Name: name, CreationTime: created}
	if err := c.ShardRequest(ctx, dir.Shard(), req, &wire.RemoveNonOwnedEdgeResp{}); err != nil {
		return fmt.Errorf("remove snapshot edge %q (%v) in %v: %w", name, target, dir, err)
	}
	return nil
}

// SameDirectoryRenameSnapshot makes the file of the owned snapshot edge
// oldName → target (created at created) current again as newName, and
// returns the new edge's creation time; the snapshot edge stays, no longer
// owning the file.
func (c *Client) SameDirectoryRenameSnapshot(ctx context.Context, dir, target wire.InodeID, oldName string, created wire.TernTime, newName string) (wire.TernTime, error) {
	var resp wire.SameDirectoryRenameSnapshotResp
	req := &wire.SameDirectoryRenameSnapshotReq{TargetID: target, DirID: dir, OldName: oldName, OldCreationTime: created, NewName: newName}
	if err := c.ShardRequest(ctx, dir.Shard(), req, &resp); err != nil {
		return 0, fmt.Errorf("restore snapshot %q (%v) as %q in %v: %w", oldName, target, newName, dir, err)
	}
	return resp.NewCreationTime, nil
}

// recoverRestoredSnapshot accepts the EDGE_NOT_OWNED of a repeated
// SameDirectoryRenameSnapshot when the first attempt did it: the new name's
// current edge points at the target.
func (c *Client) recoverRestoredSnapshot(ctx context.Context, r *wire.SameDirectoryRenameSnapshotReq, resp *wire.SameDirectoryRenameSnapshotResp, err error) error {
	if !errors.Is(err, wire.ErrEdgeNotOwned) {
		return err
	}
	t, ok := c.currentEdgeTime(ctx, r.DirID, r.NewName, r.TargetID)
	if !ok {
		return err
	}
	resp.NewCreationTime = t
	return nil
}
