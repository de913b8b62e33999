package ternfs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestIntegration drives the client against a real cluster:
// TERNFS_REGISTRY=host:port[,host:port...] names its registry replicas.
func TestIntegration(t *testing.T) {
	regs := os.Getenv("TERNFS_REGISTRY")
	if regs == "" {
		t.Skip("TERNFS_REGISTRY not set: needs an external TernFS cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := NewClient(ctx, Config{Registry: RegistryConfig{Addrs: strings.Split(regs, ",")}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	var root StatDirectoryResp
	if err := c.ShardRequest(ctx, RootDirectory.Shard(), &StatDirectoryReq{ID: RootDirectory}, &root); err != nil {
		t.Fatalf("stat root: %v", err)
	}
	name := fmt.Sprintf("terngate-it-%d", time.Now().UnixNano())
	var dir MakeDirectoryResp
	if err := c.CDCRequest(ctx, &MakeDirectoryReq{OwnerID: RootDirectory, Name: name}, &dir); err != nil {
		t.Fatalf("make directory: %v", err)
	}
	var look LookupResp
	if err := c.ShardRequest(ctx, RootDirectory.Shard(), &LookupReq{DirID: RootDirectory, Name: name}, &look); err != nil || look.TargetID != dir.ID {
		t.Fatalf("lookup %s in root: %+v %v", name, look, err)
	}
	policies, err := c.ResolveSpanPolicies(ctx, dir.ID)
	if err != nil {
		t.Fatal(err)
	}

	var f ConstructFileResp
	if err := c.ShardRequest(ctx, dir.ID.Shard(), &ConstructFileReq{Type: InodeFile, Note: "terngate integration"}, &f); err != nil {
		t.Fatalf("construct: %v", err)
	}
	blockSpan, tail := pattern(100<<10, 1), pattern(100, 2)
	if err := c.WriteSpan(ctx, f.ID, f.Cookie, 0, blockSpan, policies); err != nil {
		t.Fatalf("block span: %v", err)
	}
	if err := c.WriteSpan(ctx, f.ID, f.Cookie, uint64(len(blockSpan)), tail, policies); err != nil {
		t.Fatalf("inline span: %v", err)
	}
	var link LinkFileResp
	if err := c.ShardRequest(ctx, dir.ID.Shard(), &LinkFileReq{FileID: f.ID, Cookie: f.Cookie, OwnerID: dir.ID, Name: "obj"}, &link); err != nil {
		t.Fatalf("link: %v", err)
	}
	var st StatFileResp
	if err := c.ShardRequest(ctx, f.ID.Shard(), &StatFileReq{ID: f.ID}, &st); err != nil || st.Size != uint64(len(blockSpan)+len(tail)) {
		t.Fatalf("stat file: %+v %v", st, err)
	}
	got, err := c.ReadFile(ctx, f.ID)
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if !bytes.Equal(got, append(blockSpan, tail...)) {
		t.Fatal("read back differs")
	}

	// Best-effort cleanup.
	c.ShardRequest(ctx, dir.ID.Shard(), &SoftUnlinkFileReq{OwnerID: dir.ID, FileID: f.ID, Name: "obj", CreationTime: link.CreationTime}, &SoftUnlinkFileResp{})
	c.CDCRequest(ctx, &SoftUnlinkDirectoryReq{OwnerID: RootDirectory, TargetID: dir.ID, CreationTime: dir.CreationTime, Name: name}, &SoftUnlinkDirectoryResp{})
}
