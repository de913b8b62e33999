package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"

	"github.com/terngate/terngate/store/ternfs/internal/ternfstest"
)

// The integration test drives the client against a real cluster:
// TERNFS_REGISTRY=host:port[,host:port...] names its registry replicas.
// TERNFS_TERNCLI=/path/to/terncli additionally checks interoperability
// with upstream's own client in both directions.
//
// Everything happens in a fresh directory under the root that carries its
// own SPAN, BLOCK and STRIPE policies (a fresh cluster's default span
// policy caps spans at ~2.4 MiB):
//
//   - spans up to 1 MiB are mirrored (1,2), larger ones up to 10 MiB are
//     RS(10,4);
//   - blocks up to 512 KiB go to FLASH, larger ones to HDD;
//   - stripes target 1 MiB, so a 10 MiB span has 10 stripes.
const (
	itMirroredMax = 1 << 20
	itMaxSpan     = 10 << 20
	itStripe      = 1 << 20
	itHDDMin      = 512 << 10
)

func itPolicies() (*span.SpanPolicies, wire.DirectoryInfo) {
	mirrored, _ := wire.MakeParity(1, 2)
	rs104, _ := wire.MakeParity(10, 4)
	p := &span.SpanPolicies{
		Span: wire.SpanPolicy{Entries: []wire.SpanPolicyEntry{
			{MaxSize: itMirroredMax, Parity: mirrored},
			{MaxSize: itMaxSpan, Parity: rs104},
		}},
		Block: wire.BlockPolicy{Entries: []wire.BlockPolicyEntry{
			{StorageClass: wire.StorageFlash, MinSize: 0},
			{StorageClass: wire.StorageHDD, MinSize: itHDDMin},
		}},
		Stripe: wire.StripePolicy{TargetStripeSize: itStripe},
	}
	var info wire.DirectoryInfo
	for _, pol := range []wire.Policy{&p.Span, &p.Block, &p.Stripe} {
		if err := info.Set(pol); err != nil {
			panic(err)
		}
	}
	return p, info
}

type itEnv struct {
	t       *testing.T
	ctx     context.Context
	c       *Client
	regs    []string
	dir     wire.InodeID
	dirName string
	pol     *span.SpanPolicies
}

// writeFile writes data as a new file name in the test directory, cutting
// it as upstream's writers do: spans of the policy's largest size, the
// last one inline when it is short enough. It returns the file and its
// edge's creation time.
func (e *itEnv) writeFile(name string, data []byte) (wire.InodeID, wire.TernTime) {
	e.t.Helper()
	var f wire.ConstructFileResp
	if err := e.c.ShardRequest(e.ctx, e.dir.Shard(), &wire.ConstructFileReq{Type: wire.InodeFile, Note: "terngate integration"}, &f); err != nil {
		e.t.Fatalf("construct %s: %v", name, err)
	}
	for off := 0; off < len(data); {
		n := min(len(data)-off, int(e.pol.MaxSpan()))
		if rest := n % span.PageSize; off+n == len(data) && n > span.PageSize && rest <= span.MaxInlineSpan {
			n -= rest // the short unaligned tail goes inline, after an aligned span
		}
		if err := e.c.WriteSpan(e.ctx, f.ID, f.Cookie, uint64(off), data[off:off+n], e.pol); err != nil {
			e.t.Fatalf("write %s at %d: %v", name, off, err)
		}
		off += n
	}
	var link wire.LinkFileResp
	if err := e.c.ShardRequest(e.ctx, e.dir.Shard(), &wire.LinkFileReq{FileID: f.ID, Cookie: f.Cookie, OwnerID: e.dir, Name: name}, &link); err != nil {
		e.t.Fatalf("link %s: %v", name, err)
	}
	return f.ID, link.CreationTime
}

func (e *itEnv) lookup(name string) wire.LookupResp {
	e.t.Helper()
	var look wire.LookupResp
	if err := e.c.ShardRequest(e.ctx, e.dir.Shard(), &wire.LookupReq{DirID: e.dir, Name: name}, &look); err != nil {
		e.t.Fatalf("lookup %s: %v", name, err)
	}
	return look
}

// shard sends req through the client's transport and checks that
// re-encoding the decoded response reproduces the shard's bytes exactly:
// every field of the response was read with the right width and order.
func (e *itEnv) shard(shard wire.ShardID, req wire.ShardRequest, resp wire.ShardResponse) error {
	e.t.Helper()
	id := e.c.shards.newRequestID()
	pkt, err := wire.AppendShardRequest(nil, id, req)
	if err != nil {
		return err
	}
	d, _, err := e.c.shards.roundTrip(e.ctx, id, pkt, func() (wire.AddrsInfo, error) { return e.c.view.ShardAddrs(shard) }, e.c.cfg.ShardTimeouts, nil)
	if err != nil {
		return err
	}
	if err := d.DecodeShard(resp); err != nil {
		return err
	}
	again, err := wire.Marshal(resp)
	if err != nil || !bytes.Equal(again, d.Body) {
		e.t.Fatalf("%T: re-encoded %x (%v), shard sent %x", resp, again, err, d.Body)
	}
	return nil
}

// cdc is shard for the CDC.
func (e *itEnv) cdc(req wire.CDCRequest, resp wire.CDCResponse) error {
	e.t.Helper()
	id := e.c.cdc.newRequestID()
	pkt, err := wire.AppendCDCRequest(nil, id, req)
	if err != nil {
		return err
	}
	d, _, err := e.c.cdc.roundTrip(e.ctx, id, pkt, e.c.view.CDCAddrs, e.c.cfg.CDCTimeouts, nil)
	if err != nil {
		return err
	}
	if err := d.DecodeCDC(resp); err != nil {
		return err
	}
	again, err := wire.Marshal(resp)
	if err != nil || !bytes.Equal(again, d.Body) {
		e.t.Fatalf("%T: re-encoded %x (%v), CDC sent %x", resp, again, err, d.Body)
	}
	return nil
}

// registry is shard for the registry (one request per TCP connection).
func (e *itEnv) registry(req wire.RegistryRequest, resp wire.RegistryResponse) {
	e.t.Helper()
	frame, err := wire.AppendRegistryRequest(nil, req)
	if err != nil {
		e.t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", e.regs[0], 5*time.Second)
	if err != nil {
		e.t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(frame); err != nil {
		e.t.Fatal(err)
	}
	f, err := wire.ReadRegistryFrame(conn, wire.RegistryResponseMagic)
	if err != nil {
		e.t.Fatalf("%T: %v", req, err)
	}
	if err := f.Decode(resp); err != nil {
		e.t.Fatalf("%T: %v", req, err)
	}
	again, err := wire.Marshal(resp)
	if err != nil || !bytes.Equal(again, f.Body) {
		e.t.Fatalf("%T: re-encoded %x (%v), registry sent %x", resp, again, err, f.Body)
	}
}

func (e *itEnv) terncli(args ...string) string {
	e.t.Helper()
	bin := os.Getenv("TERNFS_TERNCLI")
	cmd := exec.CommandContext(e.ctx, bin, append([]string{"-registry", e.regs[0]}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		e.t.Fatalf("terncli %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestIntegration(t *testing.T) {
	regs := os.Getenv("TERNFS_REGISTRY")
	if regs == "" {
		t.Skip("TERNFS_REGISTRY not set: needs an external TernFS cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cfg := Config{Registry: RegistryConfig{Addrs: strings.Split(regs, ",")}}
	c, err := NewClient(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	var info wire.InfoResp
	if err := c.Registry().Request(ctx, &wire.InfoReq{}, &info); err != nil {
		t.Fatalf("registry info: %v", err)
	}
	t.Logf("cluster: %d block services in %d failure domains", info.NumBlockServices, info.NumFailureDomains)
	var root wire.StatDirectoryResp
	if err := c.ShardRequest(ctx, wire.RootDirectory.Shard(), &wire.StatDirectoryReq{ID: wire.RootDirectory}, &root); err != nil {
		t.Fatalf("stat root: %v", err)
	}
	rootPol, err := c.ResolveSpanPolicies(ctx, wire.RootDirectory)
	if err != nil {
		t.Fatalf("root policies: %v", err)
	}
	t.Logf("root policies: %+v", *rootPol)

	name := fmt.Sprintf("terngate-it-%d", time.Now().UnixNano())
	var dir wire.MakeDirectoryResp
	if err := c.CDCRequest(ctx, &wire.MakeDirectoryReq{OwnerID: wire.RootDirectory, Name: name}, &dir); err != nil {
		t.Fatalf("make directory: %v", err)
	}
	if look := (&itEnv{t: t, ctx: ctx, c: c, dir: wire.RootDirectory}).lookup(name); look.TargetID != dir.ID {
		t.Fatalf("lookup %s in root: %+v, made %v", name, look, dir.ID)
	}
	pol, dirInfo := itPolicies()
	if err := c.ShardRequest(ctx, dir.ID.Shard(), &wire.SetDirectoryInfoReq{ID: dir.ID, Info: dirInfo}, &wire.SetDirectoryInfoResp{}); err != nil {
		t.Fatalf("set directory info: %v", err)
	}
	got, err := c.ResolveSpanPolicies(ctx, dir.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(*got) != fmt.Sprint(*pol) {
		t.Fatalf("policies read back as %+v, set %+v", *got, *pol)
	}
	e := &itEnv{t: t, ctx: ctx, c: c, regs: cfg.Registry.Addrs, dir: dir.ID, dirName: name, pol: pol}

	t.Run("Registry", func(t *testing.T) {
		e := *e
		e.t = t
		var shards wire.LocalShardsResp
		e.registry(&wire.LocalShardsReq{}, &shards)
		if len(shards.Shards) != 256 || len(shards.Shards[0].Addrs.List()) == 0 {
			t.Fatalf("LocalShards: %d shards, shard 0 %+v", len(shards.Shards), shards.Shards[0])
		}
		var cdc wire.LocalCDCResp
		e.registry(&wire.LocalCDCReq{}, &cdc)
		if len(cdc.Addrs.List()) == 0 {
			t.Fatalf("LocalCDC: %+v", cdc)
		}
		var reps wire.AllRegistryReplicasResp
		e.registry(&wire.AllRegistryReplicasReq{}, &reps)
		leaders := 0
		for _, r := range reps.Replicas {
			if r.IsLeader {
				leaders++
			}
		}
		if leaders != 1 {
			t.Fatalf("AllRegistryReplicas: %+v", reps)
		}
		var changed wire.LocalChangedBlockServicesResp
		e.registry(&wire.LocalChangedBlockServicesReq{}, &changed)
		if len(changed.BlockServices) != int(info.NumBlockServices) {
			t.Fatalf("LocalChangedBlockServices: %d services, Info says %d", len(changed.BlockServices), info.NumBlockServices)
		}
		var sbs wire.ShardBlockServicesResp
		e.registry(&wire.ShardBlockServicesReq{ShardID: dir.ID.Shard()}, &sbs)
		domains := map[wire.FailureDomain]bool{}
		for _, b := range sbs.BlockServices {
			domains[b.FailureDomain] = true
			if _, ok := c.View().BlockService(b.ID); !ok {
				t.Errorf("shard block service %d unknown to the cluster view", b.ID)
			}
		}
		t.Logf("registry: %d shards, CDC at %v, %d registry replicas, %d block services, shard %d writes to %d services in %d failure domains (Info reports %d failure domains: upstream's registry never fills that field)",
			len(shards.Shards), cdc.Addrs.List(), len(reps.Replicas), len(changed.BlockServices), dir.ID.Shard(), len(sbs.BlockServices), len(domains), info.NumFailureDomains)
		var st wire.StatDirectoryResp
		if err := e.shard(wire.RootDirectory.Shard(), &wire.StatDirectoryReq{ID: wire.RootDirectory}, &st); err != nil {
			t.Fatal(err)
		}
	})

	var linked []string // names to soft-unlink at the end
	t.Run("MirroredAndInline", func(t *testing.T) {
		e := *e
		e.t = t
		// 100 KiB: one mirrored FLASH block span, then a 100-byte inline
		// span at the page-aligned offset after it.
		data := append(pattern(100<<10, 1), pattern(100, 2)...)
		id, _ := e.writeFile("small-mixed", data)
		linked = append(linked, "small-mixed")
		var st wire.StatFileResp
		if err := c.ShardRequest(ctx, id.Shard(), &wire.StatFileReq{ID: id}, &st); err != nil || st.Size != uint64(len(data)) {
			t.Fatalf("stat file: %+v %v", st, err)
		}
		spans, err := c.FileSpans(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(spans) != 2 || spans[0].StorageClass != wire.StorageFlash || spans[0].Blocks.Parity.Blocks() != 3 || spans[1].StorageClass != wire.StorageInline {
			t.Fatalf("unexpected spans %+v", spans)
		}
		back, err := c.ReadFile(ctx, id)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("read back: %v (equal %v)", err, bytes.Equal(back, data))
		}
	})

	// ≥ 30 MiB: three 10 MiB RS(10,4) HDD spans of 10 stripes, a 12 KiB
	// mirrored span and a 100-byte inline tail.
	big := ternfstest.RandomBytes(30<<20+12<<10+100, 7)
	var bigID wire.InodeID
	t.Run("BigRS", func(t *testing.T) {
		e := *e
		e.t = t
		start := time.Now()
		bigID, _ = e.writeFile("big", big)
		linked = append(linked, "big")
		t.Logf("wrote %d bytes in %v", len(big), time.Since(start))
		spans, err := c.FileSpans(ctx, bigID)
		if err != nil {
			t.Fatal(err)
		}
		if len(spans) != 5 {
			t.Fatalf("%d spans, want 5", len(spans))
		}
		for i, s := range spans[:3] {
			want, _ := span.ComputeSpanLayout(pol, itMaxSpan)
			if s.StorageClass != wire.StorageHDD || s.Blocks.Parity != want.Parity || s.Blocks.Stripes != want.Stripes || s.Blocks.CellSize != want.CellSize {
				t.Fatalf("span %d: %v %v × %d stripes of %d, want %+v", i, s.StorageClass, s.Blocks.Parity, s.Blocks.Stripes, s.Blocks.CellSize, want)
			}
		}
		back, err := c.ReadFile(ctx, bigID)
		if err != nil || !bytes.Equal(back, big) {
			t.Fatalf("read back: %v (equal %v)", err, bytes.Equal(back, big))
		}
	})

	// Files written by terncli, in our directory (so with our policies).
	var theirs []byte
	var theirsID wire.InodeID
	t.Run("Terncli", func(t *testing.T) {
		if os.Getenv("TERNFS_TERNCLI") == "" {
			t.Skip("TERNFS_TERNCLI not set: interop with upstream's terncli (cp-outof of our files, cp-into for us to read) not checked")
		}
		e := *e
		e.t = t
		tmp := t.TempDir()
		small := ternfstest.RandomBytes(1000, 11)
		smallID, _ := e.writeFile("small", small)
		linked = append(linked, "small")
		_ = smallID
		for _, f := range []struct {
			name string
			data []byte
		}{{"big", big}, {"small", small}, {"small-mixed", append(pattern(100<<10, 1), pattern(100, 2)...)}} {
			out := filepath.Join(tmp, f.name)
			e.terncli("cp-outof", "-i", "/"+name+"/"+f.name, "-o", out)
			b, err := os.ReadFile(out)
			if err != nil || !bytes.Equal(b, f.data) {
				t.Fatalf("terncli cp-outof of our %s: %v (equal %v, %d bytes, want %d)", f.name, err, bytes.Equal(b, f.data), len(b), len(f.data))
			}
		}
		theirs = ternfstest.RandomBytes(25<<20+5000, 13)
		in := filepath.Join(tmp, "theirs")
		if err := os.WriteFile(in, theirs, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(e.terncli("cp-into", "-i", in, "-o", "/"+name+"/theirs"), "\n") {
			if strings.Contains(line, "File created") {
				t.Logf("terncli cp-into: %s", strings.TrimSpace(line))
			}
		}
		linked = append(linked, "theirs")
		theirsID = e.lookup("theirs").TargetID
		back, err := c.ReadFile(ctx, theirsID)
		if err != nil || !bytes.Equal(back, theirs) {
			t.Fatalf("our read of terncli's file: %v (equal %v)", err, bytes.Equal(back, theirs))
		}
		spans, err := c.FileSpans(ctx, theirsID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range spans {
			if s.StorageClass == wire.StorageInline {
				t.Logf("terncli span at %d: %d bytes inline", s.ByteOffset, s.Size)
				continue
			}
			ours, err := span.ComputeSpanLayout(pol, s.Size)
			t.Logf("terncli span at %d: %d bytes %v %v × %d stripes of %d (ours: %+v %v)", s.ByteOffset, s.Size, s.StorageClass, s.Blocks.Parity, s.Blocks.Stripes, s.Blocks.CellSize, ours, err)
			if err != nil || ours.Parity != s.Blocks.Parity || ours.Stripes != s.Blocks.Stripes || ours.CellSize != s.Blocks.CellSize || ours.StorageClass != s.StorageClass {
				t.Errorf("span layout differs from upstream's writer")
			}
		}
		// terncli's parity, recomputed by our encoder from its data blocks,
		// must match what it stored byte for byte.
		for _, s := range spans {
			if s.StorageClass == wire.StorageInline || s.Blocks.Parity.DataBlocks() == 1 {
				continue
			}
			D, B := s.Blocks.Parity.DataBlocks(), s.Blocks.Parity.Blocks()
			size := s.Blocks.CellSize * uint32(s.Blocks.Stripes)
			blocks := make([][]byte, B)
			for i, fb := range s.Blocks.Blocks {
				blocks[i], err = c.FetchBlockPages(ctx, s.Services[i], theirsID, fb.BlockID, fb.Crc, 0, size, true)
				if err != nil {
					t.Fatalf("fetch block %d of span at %d: %v", i, s.ByteOffset, err)
				}
				if span.CrcOf(blocks[i]) != fb.Crc {
					t.Fatalf("block %d of span at %d: CRC %08x, shard says %08x", i, s.ByteOffset, span.CrcOf(blocks[i]), fb.Crc)
				}
			}
			rs, err := span.NewReedSolomon(s.Blocks.Parity)
			if err != nil {
				t.Fatal(err)
			}
			parity := make([][]byte, B-D)
			for p := range parity {
				parity[p] = make([]byte, size)
			}
			if err := rs.Encode(blocks[:D], parity); err != nil {
				t.Fatal(err)
			}
			for p := range parity {
				if !bytes.Equal(parity[p], blocks[D+p]) {
					t.Fatalf("span at %d: our parity block %d differs from terncli's", s.ByteOffset, p)
				}
			}
			t.Logf("span at %d: our RS%v parity equals terncli's in all %d parity blocks", s.ByteOffset, s.Blocks.Parity, B-D)
		}
	})

	t.Run("DegradedRead", func(t *testing.T) {
		// A separate client, so no pooled connection hides a "dead"
		// service. For every RS span, 4 of its 10 data blocks are
		// unavailable: two services unreachable (connection refused), two
		// flagged NO_READ. Only the 6 other data blocks and all 4 parity
		// blocks are left, so every byte of the 4 missing blocks comes
		// from the real cluster's parity through our RS decoder.
		c2, err := NewClient(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c2.Close()
		files := []struct {
			id   wire.InodeID
			data []byte
		}{{bigID, big}}
		if theirsID != wire.NullInode {
			files = append(files, struct {
				id   wire.InodeID
				data []byte
			}{theirsID, theirs})
		}
		for _, f := range files {
			if f.id == wire.NullInode {
				t.Fatal("big file was not written")
			}
			spans, err := c2.FileSpans(ctx, f.id)
			if err != nil {
				t.Fatal(err)
			}
			rsSpans := 0
			for _, s := range spans {
				if s.StorageClass == wire.StorageInline || s.Blocks.Parity.DataBlocks() == 1 {
					continue
				}
				rsSpans++
				s.Services = append([]wire.BlockService(nil), s.Services...)
				for j, down := range []int{0, 3, 6, 9} {
					if j < 2 {
						s.Services[down].Addrs = wire.AddrsInfo{Addr1: wire.IPPort{IP: [4]byte{127, 0, 0, 1}, Port: 1}}
					} else {
						s.Services[down].Flags |= wire.BlockServiceNoRead
					}
				}
				b, err := c2.ReadSpan(ctx, f.id, s)
				if err != nil {
					t.Fatalf("degraded read of span at %d of %v: %v", s.ByteOffset, f.id, err)
				}
				if !bytes.Equal(b, f.data[s.ByteOffset:s.ByteOffset+uint64(s.Size)]) {
					t.Fatalf("degraded read of span at %d of %v differs", s.ByteOffset, f.id)
				}
			}
			if rsSpans == 0 {
				t.Fatalf("file %v has no RS span", f.id)
			}
			t.Logf("file %v: %d RS spans read back identical with 4 data blocks down", f.id, rsSpans)
		}
	})

	t.Run("MoveSpan", func(t *testing.T) {
		// A span written uncertified into transient file A, moved onto
		// transient file B, certified there with the proofs A's write
		// returned, B linked and read back. Then A, now empty, is
		// scrapped and removed.
		var a, b wire.ConstructFileResp
		for _, f := range []*wire.ConstructFileResp{&a, &b} {
			if err := c.ShardRequest(ctx, dir.ID.Shard(), &wire.ConstructFileReq{Type: wire.InodeFile, Note: "terngate move"}, f); err != nil {
				t.Fatal(err)
			}
		}
		data := ternfstest.RandomBytes(3<<20+777, 17) // RS(10,4), 3 stripes
		ws, err := c.WriteSpanUncertified(ctx, a.ID, a.Cookie, 0, data, pol)
		if err != nil {
			t.Fatal(err)
		}
		move := &wire.MoveSpanReq{SpanSize: ws.Size, FileID1: a.ID, ByteOffset1: 0, Cookie1: a.Cookie, FileID2: b.ID, ByteOffset2: 0, Cookie2: b.Cookie}
		if err := c.ShardRequest(ctx, dir.ID.Shard(), move, &wire.MoveSpanResp{}); err != nil {
			t.Fatalf("move span: %v", err)
		}
		if err := c.CertifySpan(ctx, b.ID, b.Cookie, ws); err != nil {
			t.Fatalf("certify moved span: %v", err)
		}
		if err := c.ShardRequest(ctx, dir.ID.Shard(), &wire.LinkFileReq{FileID: b.ID, Cookie: b.Cookie, OwnerID: dir.ID, Name: "moved"}, &wire.LinkFileResp{}); err != nil {
			t.Fatalf("link: %v", err)
		}
		linked = append(linked, "moved")
		back, err := c.ReadFile(ctx, b.ID)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("read back: %v (equal %v)", err, bytes.Equal(back, data))
		}
		var st wire.StatTransientFileResp
		if err := c.ShardRequest(ctx, a.ID.Shard(), &wire.StatTransientFileReq{ID: a.ID}, &st); err != nil || st.Size != 0 {
			t.Fatalf("emptied file: %+v %v", st, err)
		}
		err = c.ShardRequest(ctx, a.ID.Shard(), &wire.RemoveInodeReq{ID: a.ID}, &wire.RemoveInodeResp{})
		if !errors.Is(err, wire.ErrDeadlineNotPassed) {
			t.Fatalf("RemoveInode before scrapping: %v, want DEADLINE_NOT_PASSED", err)
		}
		if err := c.ShardRequest(ctx, a.ID.Shard(), &wire.ScrapTransientFileReq{ID: a.ID, Cookie: a.Cookie}, &wire.ScrapTransientFileResp{}); err != nil {
			t.Fatalf("scrap: %v", err)
		}
		if err := c.ShardRequest(ctx, a.ID.Shard(), &wire.RemoveInodeReq{ID: a.ID}, &wire.RemoveInodeResp{}); err != nil {
			t.Fatalf("remove inode: %v", err)
		}
		err = c.ShardRequest(ctx, a.ID.Shard(), &wire.StatTransientFileReq{ID: a.ID}, &st)
		if !errors.Is(err, wire.ErrFileNotFound) {
			t.Fatalf("stat removed file: %v, want FILE_NOT_FOUND", err)
		}
	})

	t.Run("Keepalive", func(t *testing.T) {
		// The EMPTY inline span (offset 0, size 0) on a transient file
		// whose last span is DIRTY succeeds and moves its mtime; the span
		// stays movable.
		var f wire.ConstructFileResp
		if err := c.ShardRequest(ctx, dir.ID.Shard(), &wire.ConstructFileReq{Type: wire.InodeFile, Note: "terngate keepalive"}, &f); err != nil {
			t.Fatal(err)
		}
		if _, err := c.WriteSpanUncertified(ctx, f.ID, f.Cookie, 0, ternfstest.RandomBytes(8192, 19), pol); err != nil {
			t.Fatal(err)
		}
		var before, after wire.StatTransientFileResp
		if err := c.ShardRequest(ctx, f.ID.Shard(), &wire.StatTransientFileReq{ID: f.ID}, &before); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		keep := &wire.AddInlineSpanReq{FileID: f.ID, Cookie: f.Cookie, StorageClass: wire.StorageEmpty}
		if err := c.ShardRequest(ctx, f.ID.Shard(), keep, &wire.AddInlineSpanResp{}); err != nil {
			t.Fatalf("keepalive: %v", err)
		}
		if err := c.ShardRequest(ctx, f.ID.Shard(), &wire.StatTransientFileReq{ID: f.ID}, &after); err != nil {
			t.Fatal(err)
		}
		if after.Mtime <= before.Mtime || after.Size != 8192 {
			t.Fatalf("keepalive: before %+v, after %+v", before, after)
		}
		// An EMPTY span with a size is refused.
		bad := *keep
		bad.Size = 4096
		if err := c.ShardRequest(ctx, f.ID.Shard(), &bad, &wire.AddInlineSpanResp{}); !errors.Is(err, wire.ErrBadSpanBody) {
			t.Fatalf("sized EMPTY span: %v, want BAD_SPAN_BODY", err)
		}
		if err := c.ShardRequest(ctx, f.ID.Shard(), &wire.ScrapTransientFileReq{ID: f.ID, Cookie: f.Cookie}, &wire.ScrapTransientFileResp{}); err != nil {
			t.Fatalf("scrap: %v", err)
		}
	})

	t.Run("Namespace", func(t *testing.T) {
		e := *e
		e.t = t
		var sub wire.MakeDirectoryResp
		if err := e.cdc(&wire.MakeDirectoryReq{OwnerID: dir.ID, Name: "sub"}, &sub); err != nil {
			t.Fatalf("make sub: %v", err)
		}
		data := ternfstest.RandomBytes(300, 23)
		id, created := e.writeFile("n1", data)
		// ReadDir sees both edges.
		var rd wire.ReadDirResp
		if err := e.shard(dir.ID.Shard(), &wire.ReadDirReq{DirID: dir.ID}, &rd); err != nil {
			t.Fatal(err)
		}
		seen := map[string]wire.InodeID{}
		for _, edge := range rd.Results {
			seen[edge.Name] = edge.TargetID
		}
		if seen["n1"] != id || seen["sub"] != sub.ID {
			t.Fatalf("ReadDir: %+v", rd)
		}
		// Rename within the directory (shard), then across directories (CDC).
		var ren wire.SameDirectoryRenameResp
		if err := e.shard(dir.ID.Shard(), &wire.SameDirectoryRenameReq{TargetID: id, DirID: dir.ID, OldName: "n1", OldCreationTime: created, NewName: "n2"}, &ren); err != nil {
			t.Fatalf("same directory rename: %v", err)
		}
		if look := e.lookup("n2"); look.TargetID != id || look.CreationTime != ren.NewCreationTime {
			t.Fatalf("after rename: %+v, rename said %v", look, ren.NewCreationTime)
		}
		var mv wire.RenameFileResp
		if err := e.cdc(&wire.RenameFileReq{TargetID: id, OldOwnerID: dir.ID, OldName: "n2", OldCreationTime: ren.NewCreationTime, NewOwnerID: sub.ID, NewName: "n3"}, &mv); err != nil {
			t.Fatalf("rename file: %v", err)
		}
		var look wire.LookupResp
		if err := e.shard(sub.ID.Shard(), &wire.LookupReq{DirID: sub.ID, Name: "n3"}, &look); err != nil || look.TargetID != id || look.CreationTime != mv.CreationTime {
			t.Fatalf("lookup sub/n3: %+v %v", look, err)
		}
		if back, err := c.ReadFile(ctx, id); err != nil || !bytes.Equal(back, data) {
			t.Fatalf("read renamed file: %v", err)
		}
		// FullReadDir shows the snapshot edges the renames left.
		var full wire.FullReadDirResp
		if err := e.shard(dir.ID.Shard(), &wire.FullReadDirReq{DirID: dir.ID, Mtu: wire.MaxMTU}, &full); err != nil {
			t.Fatal(err)
		}
		snapshots := 0
		for _, edge := range full.Results {
			if !edge.Current && (edge.Name == "n1" || edge.Name == "n2") {
				snapshots++
			}
		}
		if snapshots < 2 {
			t.Fatalf("FullReadDir: %+v", full.Results)
		}
		// Hard unlink on the same shard removes a snapshot edge (a current
		// one is EDGE_NOT_FOUND) and makes the file transient.
		id4, created4 := e.writeFile("n4", data)
		err := e.shard(dir.ID.Shard(), &wire.SameShardHardFileUnlinkReq{OwnerID: dir.ID, TargetID: id4, Name: "n4", CreationTime: created4}, &wire.SameShardHardFileUnlinkResp{})
		if !errors.Is(err, wire.ErrEdgeNotFound) {
			t.Fatalf("hard unlink of a current edge: %v, want EDGE_NOT_FOUND", err)
		}
		if err := e.shard(dir.ID.Shard(), &wire.SoftUnlinkFileReq{OwnerID: dir.ID, FileID: id4, Name: "n4", CreationTime: created4}, &wire.SoftUnlinkFileResp{}); err != nil {
			t.Fatalf("soft unlink n4: %v", err)
		}
		if err := e.shard(dir.ID.Shard(), &wire.SameShardHardFileUnlinkReq{OwnerID: dir.ID, TargetID: id4, Name: "n4", CreationTime: created4}, &wire.SameShardHardFileUnlinkResp{}); err != nil {
			t.Fatalf("same shard hard unlink: %v", err)
		}
		var tst wire.StatTransientFileResp
		if err := e.shard(id4.Shard(), &wire.StatTransientFileReq{ID: id4}, &tst); err != nil || tst.Size != uint64(len(data)) {
			t.Fatalf("hard-unlinked file: %+v %v", tst, err)
		}
		// A transient file shows up in VisitTransientFiles with its note.
		var tf wire.ConstructFileResp
		if err := e.shard(dir.ID.Shard(), &wire.ConstructFileReq{Type: wire.InodeFile, Note: "terngate visit"}, &tf); err != nil {
			t.Fatal(err)
		}
		if err := e.shard(tf.ID.Shard(), &wire.StatTransientFileReq{ID: tf.ID}, &tst); err != nil || tst.Note != "terngate visit" || tst.Size != 0 {
			t.Fatalf("stat transient: %+v %v", tst, err)
		}
		found := false
		for begin, pages := wire.NullInode, 0; !found && pages < 1000; pages++ {
			var v wire.VisitTransientFilesResp
			if err := e.shard(dir.ID.Shard(), &wire.VisitTransientFilesReq{BeginID: begin, Mtu: wire.MaxMTU}, &v); err != nil {
				t.Fatal(err)
			}
			for _, f := range v.Files {
				if f.ID == tf.ID && f.Cookie == tf.Cookie && f.DeadlineTime > wire.TernTime(time.Now().UnixNano()) {
					found = true
				}
			}
			if v.NextID == wire.NullInode {
				break
			}
			begin = v.NextID
		}
		if !found {
			t.Fatal("VisitTransientFiles did not list the new transient file")
		}
		e.shard(tf.ID.Shard(), &wire.ScrapTransientFileReq{ID: tf.ID, Cookie: tf.Cookie}, &wire.ScrapTransientFileResp{})
		// Soft unlink in sub, then the CDC hard-unlinks the snapshot edge
		// when the file lives on another shard.
		if err := e.shard(sub.ID.Shard(), &wire.SoftUnlinkFileReq{OwnerID: sub.ID, FileID: id, Name: "n3", CreationTime: mv.CreationTime}, &wire.SoftUnlinkFileResp{}); err != nil {
			t.Fatalf("soft unlink sub/n3: %v", err)
		}
		if sub.ID.Shard() != id.Shard() {
			if err := e.cdc(&wire.CrossShardHardUnlinkFileReq{OwnerID: sub.ID, TargetID: id, Name: "n3", CreationTime: mv.CreationTime}, &wire.CrossShardHardUnlinkFileResp{}); err != nil {
				t.Fatalf("cross shard hard unlink: %v", err)
			}
			if err := e.shard(id.Shard(), &wire.StatTransientFileReq{ID: id}, &tst); err != nil {
				t.Fatalf("cross-shard hard-unlinked file is not transient: %v", err)
			}
		}
		if err := e.cdc(&wire.SoftUnlinkDirectoryReq{OwnerID: dir.ID, TargetID: sub.ID, CreationTime: sub.CreationTime, Name: "sub"}, &wire.SoftUnlinkDirectoryResp{}); err != nil {
			t.Fatalf("soft unlink sub: %v", err)
		}
	})

	t.Run("Retries", func(t *testing.T) {
		// A client whose shard timeout is far below the shard's latency
		// resends nearly every request (same id, same socket) several
		// times. Writes must still apply once and the file read back.
		fast := cfg
		fast.ShardTimeouts = Timeouts{Initial: 50 * time.Microsecond, Max: 200 * time.Microsecond, Overall: 10 * time.Second, Growth: 1.5}
		c3, err := NewClient(ctx, fast)
		if err != nil {
			t.Fatal(err)
		}
		defer c3.Close()
		e := *e
		e.t = t
		e.c = c3
		data := append(ternfstest.RandomBytes(64<<10, 29), ternfstest.RandomBytes(200, 31)...)
		id, _ := e.writeFile("retried", data)
		linked = append(linked, "retried")
		if back, err := c3.ReadFile(ctx, id); err != nil || !bytes.Equal(back, data) {
			t.Fatalf("read back: %v", err)
		}
		spans, err := c3.FileSpans(ctx, id)
		if err != nil || len(spans) != 2 {
			t.Fatalf("spans: %d %v", len(spans), err)
		}
	})

	t.Run("SoftUnlink", func(t *testing.T) {
		for _, n := range linked {
			look := e.lookup(n)
			var resp wire.SoftUnlinkFileResp
			if err := c.ShardRequest(ctx, dir.ID.Shard(), &wire.SoftUnlinkFileReq{OwnerID: dir.ID, FileID: look.TargetID, Name: n, CreationTime: look.CreationTime}, &resp); err != nil {
				t.Fatalf("soft unlink %s: %v", n, err)
			}
			err := c.ShardRequest(ctx, dir.ID.Shard(), &wire.LookupReq{DirID: dir.ID, Name: n}, &wire.LookupResp{})
			if !errors.Is(err, wire.ErrNameNotFound) {
				t.Fatalf("lookup of unlinked %s: %v, want NAME_NOT_FOUND", n, err)
			}
		}
		if err := c.CDCRequest(ctx, &wire.SoftUnlinkDirectoryReq{OwnerID: wire.RootDirectory, TargetID: dir.ID, CreationTime: dir.CreationTime, Name: name}, &wire.SoftUnlinkDirectoryResp{}); err != nil {
			t.Fatalf("soft unlink directory: %v", err)
		}
	})
}
