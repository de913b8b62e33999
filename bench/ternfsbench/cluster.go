package ternfsbench

import (
	"context"
	"fmt"
	"strings"

	"github.com/terngate/terngate/store/ternfs/client"
	"github.com/terngate/terngate/store/ternfs/wire"
)

// cluster is the run's own connection to TernFS, for what neither S3 nor
// terncli's copies do: find the run's directories and give them a
// SNAPSHOT policy that keeps no old versions, so what the run overwrites
// and deletes can be freed.
type cluster struct {
	client *client.Client
}

func openCluster(ctx context.Context, registry string) (*cluster, error) {
	var addrs []string
	for a := range strings.SplitSeq(registry, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	c, err := client.NewClient(ctx, client.Config{Registry: client.RegistryConfig{Addrs: addrs}})
	if err != nil {
		return nil, fmt.Errorf("connect to TernFS at %s: %w", registry, err)
	}
	return &cluster{client: c}, nil
}

func (c *cluster) Close() error { return c.client.Close() }

// lookup resolves an absolute path to a directory's inode.
func (c *cluster) lookup(ctx context.Context, path string) (wire.InodeID, error) {
	id := wire.RootDirectory
	for name := range strings.SplitSeq(strings.Trim(path, "/"), "/") {
		resp, err := c.client.Lookup(ctx, id, name)
		if err != nil {
			return 0, fmt.Errorf("look up %s: %w", path, err)
		}
		id = resp.TargetID
	}
	return id, nil
}

// keepNoSnapshots sets dir's SNAPSHOT policy to keep no replaced or deleted
// version (directories below inherit it), keeping its other policies.
func (c *cluster) keepNoSnapshots(ctx context.Context, dir wire.InodeID) error {
	st, err := c.client.StatDirectory(ctx, dir)
	if err != nil {
		return err
	}
	info := st.Info
	// DeleteAfterVersions: active bit set, zero versions kept.
	if err := info.Set(&wire.SnapshotPolicy{DeleteAfterVersions: 1 << 15}); err != nil {
		return fmt.Errorf("snapshot policy: %w", err)
	}
	return c.client.SetDirectoryInfo(ctx, dir, info)
}

// directories returns dir and every directory below it.
func (c *cluster) directories(ctx context.Context, dir wire.InodeID) ([]wire.InodeID, error) {
	all := []wire.InodeID{dir}
	for i := 0; i < len(all); i++ {
		err := c.client.ReadDir(ctx, all[i], func(e wire.CurrentEdge) error {
			if e.TargetID.Type() == wire.InodeDirectory {
				all = append(all, e.TargetID)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return all, nil
}
