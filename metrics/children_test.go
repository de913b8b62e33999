package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The kept children are the vectors' own: what is recorded through them is
// what the registry exports, label for label.
func TestResolvedChildrenAreTheVectorsChildren(t *testing.T) {
	m := New()
	for range 3 {
		m.RequestsOf("GetObject", 200).Inc()
	}
	m.RequestsOf("GetObject", 404).Inc()
	m.RequestDurationOf("GetObject").Observe(0.002)
	m.StoreDurationOf("Lookup").Observe(0.0001)
	m.StoreDurationOf("Lookup").Observe(0.0002)

	if got := testutil.ToFloat64(m.Requests.WithLabelValues("GetObject", "200")); got != 3 {
		t.Errorf("requests GetObject 200 = %v, want 3", got)
	}
	if got := testutil.ToFloat64(m.Requests.WithLabelValues("GetObject", "404")); got != 1 {
		t.Errorf("requests GetObject 404 = %v, want 1", got)
	}
	if n := testutil.CollectAndCount(m.RequestDuration); n != 1 {
		t.Errorf("request duration series = %d, want 1", n)
	}
	if n := testutil.CollectAndCount(m.StoreDuration); n != 1 {
		t.Errorf("store duration series = %d, want 1", n)
	}
	if m.StoreDurationOf("Lookup") != m.StoreDuration.WithLabelValues("Lookup") {
		t.Error("the kept Lookup histogram is not the vector's child")
	}
}
