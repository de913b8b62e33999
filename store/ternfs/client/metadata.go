package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// ShardRequest sends req to a shard's leader and decodes the answer into
// resp. Timeouts are retried with the same request id (and ask for an early
// registry refresh, in case the leader moved); a TernFS error reply is
// returned wrapped, so errors.Is works with both the Error codes and the
// store sentinels.
func (c *Client) ShardRequest(ctx context.Context, shard wire.ShardID, req wire.ShardRequest, resp wire.ShardResponse) error {
	c.requests.add(ServiceShard, req)
	id := c.shards.newRequestID()
	pkt, err := wire.AppendShardRequest(nil, id, req)
	if err != nil {
		return fmt.Errorf("shard %d %T: %w", shard, req, err)
	}
	addrs := func() (wire.AddrsInfo, error) { return c.view.ShardAddrs(shard) }
	d, attempts, err := c.shards.roundTrip(ctx, id, pkt, addrs, c.cfg.ShardTimeouts, c.view.RefreshSoon)
	if err == nil {
		err = d.DecodeShard(resp)
	}
	if err != nil && attempts > 1 {
		err = c.recoverRepeatedShardError(ctx, req, resp, err)
	}
	if err != nil {
		return fmt.Errorf("shard %d %T: %w", shard, req, err)
	}
	return nil
}

// CDCRequest is ShardRequest for the CDC.
func (c *Client) CDCRequest(ctx context.Context, req wire.CDCRequest, resp wire.CDCResponse) error {
	c.requests.add(ServiceCDC, req)
	id := c.cdc.newRequestID()
	pkt, err := wire.AppendCDCRequest(nil, id, req)
	if err != nil {
		return fmt.Errorf("cdc %T: %w", req, err)
	}
	d, attempts, err := c.cdc.roundTrip(ctx, id, pkt, c.view.CDCAddrs, c.cfg.CDCTimeouts, c.view.RefreshSoon)
	if err == nil {
		err = d.DecodeCDC(resp)
	}
	if err != nil && attempts > 1 {
		err = c.recoverRepeatedCDCError(ctx, req, resp, err)
	}
	if err != nil {
		return fmt.Errorf("cdc %T: %w", req, err)
	}
	return nil
}

// After a retry, EDGE_NOT_FOUND from a request that removes or moves an
// edge may mean the first attempt succeeded and only its answer was lost.
// We accept it when the directory shows exactly what that success leaves
// behind; otherwise the original error stands.

func (c *Client) recoverRepeatedShardError(ctx context.Context, req wire.ShardRequest, resp wire.ShardResponse, err error) error {
	if r, ok := req.(*wire.SameDirectoryRenameSnapshotReq); ok {
		return c.recoverRestoredSnapshot(ctx, r, resp.(*wire.SameDirectoryRenameSnapshotResp), err)
	}
	if !errors.Is(err, wire.ErrEdgeNotFound) {
		return err
	}
	switch r := req.(type) {
	case *wire.SoftUnlinkFileReq:
		if c.edgeWasRemoved(ctx, r.OwnerID, r.FileID, r.Name, r.CreationTime, true) {
			return nil
		}
	case *wire.SameDirectoryRenameReq:
		if !c.edgeWasRemoved(ctx, r.DirID, r.TargetID, r.OldName, r.OldCreationTime, false) {
			return err
		}
		if t, ok := c.currentEdgeTime(ctx, r.DirID, r.NewName, r.TargetID); ok {
			resp.(*wire.SameDirectoryRenameResp).NewCreationTime = t
			return nil
		}
	}
	return err
}

func (c *Client) recoverRepeatedCDCError(ctx context.Context, req wire.CDCRequest, resp wire.CDCResponse, err error) error {
	if !errors.Is(err, wire.ErrEdgeNotFound) {
		return err
	}
	switch r := req.(type) {
	case *wire.SoftUnlinkDirectoryReq:
		if c.edgeWasRemoved(ctx, r.OwnerID, r.TargetID, r.Name, r.CreationTime, false) {
			return nil
		}
	case *wire.RenameFileReq:
		if !c.edgeWasRemoved(ctx, r.OldOwnerID, r.TargetID, r.OldName, r.OldCreationTime, false) {
			return err
		}
		if t, ok := c.currentEdgeTime(ctx, r.NewOwnerID, r.NewName, r.TargetID); ok {
			resp.(*wire.RenameFileResp).CreationTime = t
			return nil
		}
	}
	return err
}

// edgeWasRemoved checks that the newest two edges named name in dir are a
// deletion marker over the snapshot of our edge (target, creation time,
// owned as given): what a successful unlink or rename-away leaves.
func (c *Client) edgeWasRemoved(ctx context.Context, dir, target wire.InodeID, name string, created wire.TernTime, owned bool) bool {
	var resp wire.FullReadDirResp
	req := &wire.FullReadDirReq{
		DirID:     dir,
		Flags:     wire.FullReadDirBackwards | wire.FullReadDirCurrent | wire.FullReadDirSameName,
		StartName: name,
		Limit:     2,
	}
	if err := c.ShardRequest(ctx, dir.Shard(), req, &resp); err != nil || len(resp.Results) != 2 {
		return false
	}
	marker, old := resp.Results[0], resp.Results[1]
	return marker.TargetID.ID() == wire.NullInode &&
		!old.Current && old.TargetID.ID() == target && old.TargetID.Owned() == owned && old.CreationTime == created
}

// currentEdgeTime returns the creation time of name in dir if it points at
// target.
func (c *Client) currentEdgeTime(ctx context.Context, dir wire.InodeID, name string, target wire.InodeID) (wire.TernTime, bool) {
	var resp wire.LookupResp
	if err := c.ShardRequest(ctx, dir.Shard(), &wire.LookupReq{DirID: dir, Name: name}, &resp); err != nil {
		return 0, false
	}
	return resp.CreationTime, resp.TargetID == target
}
