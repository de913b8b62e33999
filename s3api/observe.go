package s3api

import (
	"log/slog"
	"time"

	"github.com/terngate/terngate/metrics"
)

// observation follows one request from its head to its last response byte:
// it keeps the in-flight gauges, and when the request ends records the
// metrics and writes the access log line.
type observation struct {
	s         *server
	r         *request
	operation string
	start     time.Time
	// Captured when the handler is done: a streamed body ends the
	// observation after fiber has recycled its context.
	status     int
	method     string
	remoteAddr string
}

// observe starts observing r: it names the operation and puts the request
// ID into r's context, so every log line written with it names the request.
func (s *server) observe(r *request) *observation {
	o := &observation{s: s, r: r, operation: s.operationOf(r), start: time.Now()}
	r.ctx = withRequestID(r.ctx, r.id)
	if m := s.cfg.Metrics; m != nil {
		m.RequestsInflight.Inc()
		if o.operation == "UploadPart" {
			m.PartsInflight.Inc()
		}
	}
	return o
}

// handled is called once the handler and the router are done. A streamed
// response body (GET) is still to be written: its countedBody ends the
// observation when fasthttp closes it; anything else ends it now.
func (o *observation) handled() {
	resp := o.r.c.Response()
	o.status = resp.StatusCode()
	o.method = o.r.method()
	o.remoteAddr = o.r.c.Context().RemoteAddr().String()
	if body, ok := resp.BodyStream().(*countedBody); ok {
		body.onClose = o.end
		return
	}
	sent := int64(len(resp.Body()))
	if resp.SkipBody || o.r.isHead() {
		sent = 0
	}
	o.end(sent)
}

// end records the finished request, bytesOut being the response body bytes
// written.
func (o *observation) end(bytesOut int64) {
	r := o.r
	elapsed := time.Since(o.start)
	bytesIn := r.body.read
	if m := o.s.cfg.Metrics; m != nil {
		recordRequest(m, o.operation, o.status, elapsed, bytesIn, bytesOut)
	}
	// The access line never carries the query string (a presigned URL's
	// signature) or any header: the access key id names the caller.
	if !o.s.log.Enabled(r.ctx, slog.LevelInfo) {
		return
	}
	// Built here with its request_id, the line skips what Logger.LogAttrs
	// adds per call: a stack walk for the source (never printed) and the
	// request-ID handler's copy of the record.
	rec := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
	rec.AddAttrs(
		slog.String("operation", o.operation),
		slog.String("method", o.method),
		slog.String("bucket", r.bucket),
		slog.String("key", r.key),
		slog.Int("status", o.status),
		slog.Int64("bytes_in", bytesIn),
		slog.Int64("bytes_out", bytesOut),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		slog.String("remote_addr", o.remoteAddr),
		slog.String("access_key", r.identity.AccessKey),
		slog.String(requestIDAttr, r.id),
	)
	logWithoutRequestID(r.ctx, o.s.log, rec)
}

func recordRequest(m *metrics.Metrics, operation string, status int, elapsed time.Duration, bytesIn, bytesOut int64) {
	m.RequestsInflight.Dec()
	if operation == "UploadPart" {
		m.PartsInflight.Dec()
	}
	m.RequestsOf(operation, status).Inc()
	m.RequestDurationOf(operation).Observe(elapsed.Seconds())
	m.BytesIn.Add(float64(bytesIn))
	m.BytesOut.Add(float64(bytesOut))
}
