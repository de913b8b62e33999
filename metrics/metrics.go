// Package metrics holds the gateway's Prometheus instruments. They live in a
// registry of their own (never the global one), created by New and passed
// explicitly to whatever records into it.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/terngate/terngate/multipart"
)

// Metrics is the registry and every instrument of one gateway process.
type Metrics struct {
	Registry *prometheus.Registry

	// HTTP requests, labelled with S3 operation names (GetObject, ...).
	Requests         *prometheus.CounterVec   // operation, status
	RequestDuration  *prometheus.HistogramVec // operation
	RequestsInflight prometheus.Gauge
	BytesIn          prometheus.Counter
	BytesOut         prometheus.Counter
	// PartsInflight counts UploadPart requests being served.
	PartsInflight prometheus.Gauge

	// Store calls, by store.Store method name.
	StoreErrors   *prometheus.CounterVec   // op
	StoreDuration *prometheus.HistogramVec // op

	// Redis commands (the multipart tracker).
	RedisErrors   prometheus.Counter
	RedisDuration prometheus.Histogram

	// SweeperActions counts background clean-up by kind.
	SweeperActions *prometheus.CounterVec // action

	// AlignmentCopyBytes counts bytes a multipart Complete copied instead
	// of moving, because a part did not end on a page boundary (TernFS).
	AlignmentCopyBytes prometheus.Counter

	resolved resolvedChildren // children.go
}

// storeOps are the store.Store methods the store decorator records.
var storeOps = []string{
	"Lookup", "MakeDirectory", "RemoveDirectory", "ReadDir", "StatDirectory", "Rename",
	"StatFile", "OpenFile", "CreateTransient", "Append", "KeepAlive", "LinkFile",
	"MoveData", "ScrapTransient", "VisitTransient", "UnlinkFile",
}

// sweeperActions are the values of terngate_sweeper_actions_total's
// action label.
var sweeperActions = []string{
	SweepReclaimUnfinishedPut, SweepReapExpiredTransient, SweepOrphanedMetadata, SweepUnversionedLeftover,
	multipart.SweepAbortIdle, multipart.SweepAbortLifecycle, multipart.SweepReleaseUnknown,
	multipart.SweepExpireObject, multipart.SweepExpireVersion,
}

// Sweeper actions.
const (
	// SweepReclaimUnfinishedPut: a single PUT's transient file left by a
	// previous process, scrapped at start.
	SweepReclaimUnfinishedPut = "reclaim_unfinished_put"
	// SweepReapExpiredTransient: a transient file past its deadline.
	SweepReapExpiredTransient = "reap_expired_transient"
	// SweepOrphanedMetadata: a metadata record whose file is gone.
	SweepOrphanedMetadata = "sweep_orphaned_metadata"
	// SweepUnversionedLeftover: a snapshot edge a bucket kept from before
	// versioning that no version stands for.
	SweepUnversionedLeftover = "sweep_unversioned_leftover"
)

// New returns the instruments registered in a fresh registry, together with
// the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "terngate_requests_total",
			Help: "S3 requests served, by operation and HTTP status.",
		}, []string{"operation", "status"}),
		RequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "terngate_request_duration_seconds",
			Help: "Time from the request head to the last response byte handed to the connection, by operation.",
			// From small metadata calls to multi-GiB bodies.
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"operation"}),
		RequestsInflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "terngate_requests_inflight",
			Help: "S3 requests being served.",
		}),
		BytesIn: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "terngate_bytes_in_total",
			Help: "Request body bytes read from clients (as sent on the wire, aws-chunked framing included).",
		}),
		BytesOut: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "terngate_bytes_out_total",
			Help: "Response body bytes written to clients.",
		}),
		PartsInflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "terngate_multipart_parts_inflight",
			Help: "UploadPart requests being served.",
		}),
		StoreErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "terngate_store_errors_total",
			Help: "Store calls that failed, by store operation (not-found and similar expected outcomes excluded).",
		}, []string{"op"}),
		StoreDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "terngate_store_operation_duration_seconds",
			Help:    "Store call latency by store operation (Append includes reading the request body).",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5, 30},
		}, []string{"op"}),
		RedisErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "terngate_redis_errors_total",
			Help: "Redis commands and pipelines that failed (a nil reply is not a failure).",
		}),
		RedisDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "terngate_redis_command_duration_seconds",
			Help:    "Redis command and pipeline latency.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}),
		SweeperActions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "terngate_sweeper_actions_total",
			Help: "Background clean-up actions, by action.",
		}, []string{"action"}),
		AlignmentCopyBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "terngate_multipart_alignment_copy_bytes_total",
			Help: "Bytes multipart Completes copied rather than moved because a part did not end on a 4 KiB boundary (TernFS store).",
		}),
	}
	m.resolveChildren()
	// Series that may stay at zero exist from the start, so dashboards and
	// rate() see them before the first event.
	for _, op := range append(storeOps, attributedOps...) {
		m.StoreErrors.WithLabelValues(op)
	}
	for _, a := range sweeperActions {
		m.SweeperActions.WithLabelValues(a)
	}
	m.Registry.MustRegister(
		m.Requests, m.RequestDuration, m.RequestsInflight, m.BytesIn, m.BytesOut,
		m.PartsInflight, m.StoreErrors, m.StoreDuration, m.RedisErrors, m.RedisDuration,
		m.SweeperActions, m.AlignmentCopyBytes,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}
