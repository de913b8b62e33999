package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/terngate/terngate/internal/dirlock"
	"github.com/terngate/terngate/metrics"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
	"github.com/terngate/terngate/store/objects"
	"github.com/terngate/terngate/store/ternfs"
)

// backend is the store the gateway serves from, with what differs between
// the embedded store and a shared TernFS cluster.
type backend struct {
	store store.Store
	// exclusive: this process alone uses the store (the local store holds
	// its data dir's lock), so transient files of single PUTs left by a
	// previous process can be reclaimed at start. On a shared cluster they
	// may be another replica's uploads in flight: they expire by deadline.
	exclusive bool
	// ownsLock: the store was handed the data dir's lock and releases it
	// when it closes.
	ownsLock bool
	// reapExpired reclaims transient files past their deadline; nil where
	// the storage does it itself (TernFS's garbage collector).
	reapExpired func(context.Context) (int, error)
	describe    string
	// layer configures the object layer over this store: the mapped
	// buckets of --ternfs-bucket-map.
	layer objects.Options
}

// journal keeps the TernFS store's part span records (nil: in memory,
// which only suits a gateway that never restarts mid-upload); met, if not
// nil, counts what the store reports.
func openBackend(ctx context.Context, cfg Config, logger *slog.Logger, dataDirLock *dirlock.Lock, journal ternfs.Journal, met *metrics.Metrics) (*backend, error) {
	switch cfg.Store {
	case storeTernFS:
		mapped, err := parseBucketMap(cfg.TernFSBucketMap)
		if err != nil {
			return nil, err
		}
		retention, err := cfg.snapshotRetention()
		if err != nil {
			return nil, err
		}
		spans, err := ternfs.ParseSpanPolicy(cfg.TernFSSpanPolicy)
		if err != nil {
			return nil, fmt.Errorf("ternfs-span-policy: %w", err)
		}
		st, err := ternfs.Open(ctx, ternfs.Options{
			Registry:          splitAddresses(cfg.TernFSRegistry),
			Root:              cfg.TernFSRoot,
			Journal:           journal,
			SnapshotRetention: &retention,
			SpanBufferBytes:   int64(cfg.TernFSBufferMemory),
			SpanPolicy:        spans,
			OnAlignmentCopy: func(n int64) {
				if met != nil {
					met.AlignmentCopyBytes.Add(float64(n))
				}
			},
		})
		if err != nil {
			return nil, fmt.Errorf("open TernFS store (registry %s, root %s): %w", cfg.TernFSRegistry, cfg.TernFSRoot, err)
		}
		if met != nil {
			if err := met.CountTernFSRequests(st.Client().Requests()); err != nil {
				st.Close()
				return nil, fmt.Errorf("count TernFS requests: %w", err)
			}
		}
		return &backend{
			store:    st,
			describe: "ternfs " + cfg.TernFSRegistry + " " + cfg.TernFSRoot,
			layer:    objects.Options{MappedBuckets: mapped, ResolvePath: st.ResolvePath},
		}, nil
	default:
		st, err := local.Open(cfg.DataDir, local.Options{
			Logger: logger, Lock: dataDirLock,
			// A PUT's transient file never outlives the gateway: the
			// store records it only when the PUT links it.
			EphemeralNotes: []string{objects.NotePut},
			// New data files come ready, their directory synced ahead.
			DataFilePool: true,
		})
		if err != nil {
			return nil, fmt.Errorf("open local store: %w", err)
		}
		return &backend{store: st, exclusive: true, ownsLock: dataDirLock != nil, reapExpired: st.ReapExpired, describe: "local " + cfg.DataDir}, nil
	}
}

func splitAddresses(list string) []string {
	var out []string
	for _, a := range strings.Split(list, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}
