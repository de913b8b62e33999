package s3api

import (
	"context"
	"log/slog"
)

type requestIDKey struct{}

// requestIDAttr names the request ID in log records.
const requestIDAttr = "request_id"

func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the S3 request ID (x-amz-request-id) ctx belongs to,
// or "" outside a request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestIDHandler adds request_id to every record logged with the context
// of a request, so internal errors and access lines can be matched with
// what the client saw.
type requestIDHandler struct {
	next slog.Handler
}

// logWithRequestIDs returns logger adding request_id to records logged with
// a request's context.
func logWithRequestIDs(logger *slog.Logger) *slog.Logger {
	if _, ok := logger.Handler().(requestIDHandler); ok {
		return logger
	}
	return slog.New(requestIDHandler{next: logger.Handler()})
}

func (h requestIDHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h requestIDHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id := RequestID(ctx); id != "" {
		rec = rec.Clone()
		rec.AddAttrs(slog.String(requestIDAttr, id))
	}
	return h.next.Handle(ctx, rec)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{next: h.next.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{next: h.next.WithGroup(name)}
}

// logWithoutRequestID writes rec, which names its request already, past
// logger's request-ID layer (which would copy the record to add it again).
func logWithoutRequestID(ctx context.Context, logger *slog.Logger, rec slog.Record) {
	h := logger.Handler()
	if ids, ok := h.(requestIDHandler); ok {
		h = ids.next
	}
	_ = h.Handle(ctx, rec)
}
