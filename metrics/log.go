package metrics

import "github.com/prometheus/client_golang/prometheus"

// RegisterLogRecordsDropped adds terngate_log_records_dropped_total, read
// from dropped at scrape time: the log writer exists before the registry
// (it logs the start-up) and keeps its own count.
func (m *Metrics) RegisterLogRecordsDropped(dropped func() uint64) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "terngate_log_records_dropped_total",
		Help: "Log records (access lines included) lost because writing them to stderr failed.",
	}, func() float64 { return float64(dropped()) }))
}
