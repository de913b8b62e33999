// Package multipart implements S3 multipart uploads over the store: parts
// are written into transient files of the key's directory, and Complete
// assembles them with metadata-only moves (store.MoveData) and links the
// result atomically. Uploads and parts are tracked by a Tracker: Redis when
// several gateways share a store, an embedded bbolt file otherwise. The
// tracker is a liveness layer, not the source of truth for bytes: losing it
// makes uploads answer NoSuchUpload, and the sweeper releases their files.
package multipart

import (
	"context"
	"errors"
	"time"

	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/objects"
)

// Upload is one multipart upload as created.
type Upload struct {
	ID        string           `json:"id"`
	Bucket    string           `json:"b"`
	Key       string           `json:"k"`
	Initiated time.Time        `json:"t"`
	Owner     string           `json:"o,omitempty"`
	Metadata  objects.Metadata `json:"m"`
	// ChecksumAlgorithm (CRC32, ...) and ChecksumType (FULL_OBJECT or
	// COMPOSITE) as asked at creation; empty when none was asked.
	ChecksumAlgorithm string `json:"ca,omitempty"`
	ChecksumType      string `json:"ct,omitempty"`
	// Dir is the store directory the part files live in.
	Dir store.ID `json:"d"`
	// Encryption is how the parts are encrypted; nil for a plain upload.
	Encryption *Encryption `json:"x,omitempty"`
}

// Part is one uploaded part.
type Part struct {
	Number int    `json:"n"`
	ETag   string `json:"e"` // hex MD5, unquoted
	Size   int64  `json:"s"`
	// Checksum is the part's checksum (base64) under the upload's algorithm,
	// or the default algorithm when the upload asked for none.
	Checksum string `json:"c,omitempty"`
	// Algorithm is the upload's algorithm, when it named one: the
	// algorithm S3 names Checksum under in its replies.
	Algorithm string `json:"a,omitempty"`
	// ClientAlgorithm and ClientChecksum are the checksum the client sent
	// with the part, verified, if it sent one: a Complete may list it.
	ClientAlgorithm string `json:"ka,omitempty"`
	ClientChecksum  string `json:"kc,omitempty"`
	// StoredSize is the part's size in the store when the upload is
	// encrypted (Size is always the plaintext's).
	StoredSize   int64           `json:"ss,omitempty"`
	File         store.Transient `json:"f"`
	LastModified time.Time       `json:"t"`
}

// Result is what a completed upload answered; kept as a tombstone so a
// retried Complete gets the same answer.
type Result struct {
	Bucket       string `json:"b"`
	Key          string `json:"k"`
	ETag         string `json:"e"`
	Size         int64  `json:"s"`
	Checksum     string `json:"c,omitempty"`
	ChecksumAlgo string `json:"ca,omitempty"`
	ChecksumType string `json:"ct,omitempty"`
	// Encryption is the upload's, for the response's headers.
	Encryption *Encryption `json:"x,omitempty"`
	// File is the object's file: a versioned bucket names the version by
	// it. 0 in results recorded before it was kept.
	File store.ID `json:"f,omitempty"`
}

// IndexEntry is an upload's place in its bucket's listing order.
type IndexEntry struct {
	Key       string
	Initiated time.Time
	ID        string
}

// Claim is the right to complete an upload, fenced by Token: Finish fails
// unless the claim still holds. Takeover reports that an earlier claim had
// expired unfinished; Assembly is what that Complete had recorded before
// moving any part, if it got that far.
type Claim struct {
	Token    int64
	Takeover bool
	Assembly *Assembly
}

// Assembly is a Complete in progress: the transient file the listed parts
// are moved onto, in order. It is recorded before the first part moves, so
// a Complete that dies midway can be resumed by another one.
type Assembly struct {
	File  store.Transient `json:"f"`
	Parts []int           `json:"p"` // the listed part numbers, in order
}

var (
	// ErrNoSuchUpload: the tracker does not know the upload (never existed,
	// aborted, completed, expired or lost).
	ErrNoSuchUpload = errors.New("multipart: no such upload")
	// ErrCompleting: a Complete holds the upload; parts and aborts wait.
	ErrCompleting = errors.New("multipart: upload is being completed")
	// ErrFenced: the claim was lost to a later one.
	ErrFenced = errors.New("multipart: completion claim lost")
)

// Tracker records uploads and parts. Implementations are safe for
// concurrent use by several gateways sharing them.
type Tracker interface {
	// Create records a new upload.
	Create(ctx context.Context, u Upload) error
	// Get returns an upload; ErrNoSuchUpload if unknown.
	Get(ctx context.Context, id string) (Upload, error)
	// PutPart records a part, returning the part it replaced (to release),
	// or nil. ErrCompleting while a Complete holds the upload.
	PutPart(ctx context.Context, id string, p Part) (*Part, error)
	// Parts returns parts numbered above after, in order, at most limit
	// (limit <= 0: all), and whether more follow.
	Parts(ctx context.Context, id string, after, limit int) ([]Part, bool, error)
	// Index returns up to limit entries of bucket's listing order starting
	// at start, a bound in Redis ZRANGEBYLEX syntax over IndexMember values
	// ("[m" from m inclusive, "(m" after m).
	Index(ctx context.Context, bucket, start string, limit int) ([]IndexEntry, error)
	// Claim takes the right to complete the upload for lease; ErrCompleting
	// if another unexpired claim holds it.
	Claim(ctx context.Context, id string, lease time.Duration) (Claim, error)
	// Renew extends a claim; ErrFenced if it is lost.
	Renew(ctx context.Context, id string, token int64, lease time.Duration) error
	// Unclaim gives a claim back after a Complete that changed nothing
	// (dropping any recorded Assembly).
	Unclaim(ctx context.Context, id string, token int64) error
	// Assemble records the claim's Assembly; ErrFenced if it is lost.
	Assemble(ctx context.Context, id string, token int64, a Assembly) error
	// Finish forgets the upload and its parts and keeps r as its tombstone
	// for keep; ErrFenced if the claim is lost.
	Finish(ctx context.Context, id string, token int64, r Result, keep time.Duration) error
	// Done returns the tombstone of a finished upload, if any.
	Done(ctx context.Context, id string) (Result, bool, error)
	// Abort forgets the upload and returns its parts to release.
	// ErrCompleting while a Complete holds it.
	Abort(ctx context.Context, id string) ([]Part, error)
	// Touch marks the upload active now.
	Touch(ctx context.Context, id string) error
	// Idle returns the uploads last active before cutoff.
	Idle(ctx context.Context, cutoff time.Time) ([]Upload, error)
	// Active calls fn for every live upload (for keeping its files alive).
	Active(ctx context.Context, fn func(Upload, []Part) error) error
	// Close releases the tracker.
	Close() error
}
