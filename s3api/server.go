// Package s3api is the HTTP face of the gateway: it turns S3 REST requests
// (path-style or virtual-host addressed, SigV4 or SigV2 signed) into calls on the
// object layer and renders the results and errors as S3 does.
package s3api

import (
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/terngate/terngate/auth"
	"github.com/terngate/terngate/kms"
	"github.com/terngate/terngate/metrics"
	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/sse"
	"github.com/terngate/terngate/store/objects"
)

// Config tunes the HTTP layer.
type Config struct {
	// Region is the region the gateway claims (default us-east-1).
	Region string
	// Domain, if set, makes a Host of "<bucket>.<Domain>[:port]" select
	// virtual-host addressing.
	Domain string
	// MaxPutSize is the largest single PUT body accepted (default 5 GiB).
	MaxPutSize int64
	// Logger receives internal errors (default slog.Default()).
	Logger *slog.Logger
	// Users names the user each access key belongs to: bucket owners and
	// policy principals are user names. Nil makes the access key itself
	// the user name.
	Users UserDirectory
	// DefaultOwner owns buckets that have no recorded owner (directories
	// adopted from other clients of the store). Empty leaves them to
	// policy grants alone.
	DefaultOwner string
	// Multipart serves multipart uploads; nil answers NotImplemented.
	Multipart *multipart.Manager
	// Metrics receives request metrics; nil records none.
	Metrics *metrics.Metrics
	// MinBodyRate is the slowest a request body may arrive, in bytes per
	// second over MinBodyRateWindow of waiting for the client; a slower
	// body is cut off with RequestTimeout. 0 disables the check.
	MinBodyRate       int64
	MinBodyRateWindow time.Duration
	// DisableSigV2 refuses Signature Version 2 requests (header and
	// presigned URLs) as AWS's V4-only regions do; SigV4 is always served.
	DisableSigV2 bool
	// AllowSSECOverHTTP accepts SSE-C requests over plain HTTP, which AWS
	// refuses: for tests on loopback only, as the keys cross the wire in
	// the clear.
	AllowSSECOverHTTP bool
	// AllowSSEKMSOverHTTP accepts SSE-KMS requests over plain HTTP, which
	// AWS refuses: for tests and benchmarks on loopback only.
	AllowSSEKMSOverHTTP bool
	// MasterKeys, when set, enables SSE-S3 (and bucket default encryption):
	// object keys are sealed under its current key.
	MasterKeys *sse.KeyRing
	// KMS, when set, enables SSE-KMS (aws:kms): object keys are data keys
	// it draws.
	KMS kms.Provider
}

// UserDirectory resolves an access key to its user name; users.Live and
// users.Set implement it.
type UserDirectory interface {
	User(accessKey string) (name string, ok bool)
}

const (
	defaultRegion     = "us-east-1"
	defaultMaxPutSize = 5 << 30

	// readTimeout bounds the wait for request headers and, because the body
	// reader pushes the deadline forward on every read, each pause within a
	// streamed body. idleTimeout bounds a keep-alive connection between
	// requests.
	readTimeout = 2 * time.Minute
	idleTimeout = 2 * time.Minute
	// readBufferSize must hold the whole request head: SigV4 headers and
	// presigned query strings are long.
	readBufferSize = 16 << 10
	// writeBufferSize holds a response head and a small body together:
	// fasthttp copies bodies of up to 8 KiB into this buffer behind the
	// head, and with its 4 KiB default a 4 KiB GET went out in two write
	// calls (and two reads for the client) instead of one.
	writeBufferSize = 16 << 10
)

// server holds what every handler needs; its only mutable state is the
// screen's record of refused 100-continue requests.
type server struct {
	layer    *objects.Layer
	verifier *auth.Verifier
	cfg      Config
	log      *slog.Logger
	screen   *continueScreen
	// bucketKeys caches SSE-KMS bucket keys (sse_kms_bucket_key.go); nil
	// without a KMS.
	bucketKeys *kms.BucketKeys
}

// New returns the fiber application serving the S3 API over layer.
func New(layer *objects.Layer, verifier *auth.Verifier, cfg Config) *fiber.App {
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	if cfg.MaxPutSize <= 0 {
		cfg.MaxPutSize = defaultMaxPutSize
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Logger = logWithRequestIDs(cfg.Logger)
	s := &server{layer: layer, verifier: verifier, cfg: cfg, log: cfg.Logger}
	if cfg.KMS != nil {
		s.bucketKeys = kms.NewBucketKeys(cfg.KMS, kms.BucketKeyLifetime)
	}

	app := fiber.New(fiber.Config{
		// Bodies are read from the connection by the handlers, never
		// buffered whole. fasthttp does not enforce BodyLimit on streamed
		// bodies, so the handlers check Content-Length themselves; the
		// limit only has to be large enough not to interfere.
		StreamRequestBody: true,
		BodyLimit:         int(cfg.MaxPutSize) + 64<<20,
		// The handlers see the path exactly as sent (PathOriginal); fiber
		// only needs to route everything to one handler.
		UnescapePath:              false,
		CaseSensitive:             true,
		StrictRouting:             true,
		DisableStartupMessage:     true,
		DisableDefaultContentType: true,
		// Multipart form pre-parsing would buffer a POST body; S3 parses
		// its own bodies.
		DisablePreParseMultipartForm: true,
		ReadTimeout:                  readTimeout,
		IdleTimeout:                  idleTimeout,
		ReadBufferSize:               readBufferSize,
		WriteBufferSize:              writeBufferSize,
		ServerHeader:                 "terngate",
		ErrorHandler:                 s.serverError,
	})
	app.Use(s.handle)
	s.screen = &continueScreen{app: app, srv: s}
	app.Server().HeaderReceived = s.screen.headerReceived
	return app
}
