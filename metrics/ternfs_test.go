package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/terngate/terngate/store/ternfs/client"
)

// countsOf is a RequestCounts that reports fixed counts.
type countsOf []client.RequestCount

func (c countsOf) VisitRequestCounts(fn func(service, kind string, n uint64)) {
	for _, rc := range c {
		fn(rc.Service, rc.Kind, rc.N)
	}
}

func TestCountTernFSRequests(t *testing.T) {
	m := New()
	src := countsOf{
		{RequestKind: client.RequestKind{Service: client.ServiceShard, Kind: "Lookup"}, N: 3},
		{RequestKind: client.RequestKind{Service: client.ServiceBlock, Kind: "WriteBlock"}, N: 14},
	}
	if err := m.CountTernFSRequests(src); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP terngate_ternfs_requests_total Requests sent to the TernFS cluster, by service and request kind: one per round trip an operation needs, not counting retransmissions of the same request.
# TYPE terngate_ternfs_requests_total counter
terngate_ternfs_requests_total{kind="Lookup",service="shard"} 3
terngate_ternfs_requests_total{kind="WriteBlock",service="block"} 14
`
	if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(want), "terngate_ternfs_requests_total"); err != nil {
		t.Error(err)
	}
	if err := m.CountTernFSRequests(src); err == nil {
		t.Error("a second registration succeeded; two sources would report the same series")
	}
}
