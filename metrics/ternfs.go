package metrics

import "github.com/prometheus/client_golang/prometheus"

// RequestCounts is a storage client's running count of the requests it
// has sent, by service (shard, cdc, registry, block on TernFS) and request
// kind. The TernFS client's RequestCounter is one.
type RequestCounts interface {
	VisitRequestCounts(fn func(service, kind string, n uint64))
}

var ternfsRequestsDesc = prometheus.NewDesc(
	"terngate_ternfs_requests_total",
	"Requests sent to the TernFS cluster, by service and request kind: one per round trip an operation needs, not counting retransmissions of the same request.",
	[]string{"service", "kind"}, nil,
)

// requestCountsCollector reads the client's own counters at scrape time,
// so the request path counts with one atomic add and nothing here can
// drift from them.
type requestCountsCollector struct{ src RequestCounts }

func (c requestCountsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- ternfsRequestsDesc }

func (c requestCountsCollector) Collect(ch chan<- prometheus.Metric) {
	c.src.VisitRequestCounts(func(service, kind string, n uint64) {
		ch <- prometheus.MustNewConstMetric(ternfsRequestsDesc, prometheus.CounterValue, float64(n), service, kind)
	})
}

// CountTernFSRequests exposes src as terngate_ternfs_requests_total.
// Call it once per process, for the store's client.
func (m *Metrics) CountTernFSRequests(src RequestCounts) error {
	return m.Registry.Register(requestCountsCollector{src: src})
}
