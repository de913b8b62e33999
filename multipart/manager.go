package multipart

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/terngate/terngate/checksum"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/sse"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/objects"
)

// S3's limits.
const (
	MaxPartNumber = 10000
	MinPartSize   = 5 << 20
	MaxPartSize   = 5 << 30
)

// Options configure a Manager.
type Options struct {
	// Expiry is how long an upload may stay idle before the sweeper aborts
	// it, unless its bucket's lifecycle says otherwise. Default 7 days.
	Expiry time.Duration
	// TombstoneTTL is how long a finished upload answers retried Completes.
	// Default 24 hours.
	TombstoneTTL time.Duration
	// ClaimLease is how long a Complete holds its claim between renewals.
	// Default 2 minutes.
	ClaimLease time.Duration
	// OrphanGrace is how long a transient file of an upload the tracker does
	// not know must stay unknown before the sweeper scraps it. Default 1 hour.
	OrphanGrace time.Duration
	// MinPartSize overrides MinPartSize (tests only).
	MinPartSize int64
	Logger      *slog.Logger
	// OnSweep, if set, is told of each clean-up the sweeper performs (one
	// of the Sweep* actions), so the gateway can count them.
	OnSweep func(action string)
}

// Sweeper actions reported to Options.OnSweep.
const (
	SweepAbortIdle      = "abort_idle_upload"
	SweepAbortLifecycle = "abort_lifecycle_upload"
	SweepReleaseUnknown = "release_unknown_upload_file"
)

// sweepDone reports a sweeper action to Options.OnSweep.
func (m *Manager) sweepDone(action string) {
	if m.opts.OnSweep != nil {
		m.opts.OnSweep(action)
	}
}

// Manager runs multipart uploads over a store, the object layer and a
// tracker. It is safe for concurrent use; several Managers (one per gateway)
// may share a tracker and a store.
type Manager struct {
	st      store.Store
	objects *objects.Layer
	tracker Tracker
	opts    Options
	log     *slog.Logger
}

// NewManager returns a Manager.
func NewManager(st store.Store, layer *objects.Layer, tracker Tracker, opts Options) *Manager {
	if opts.Expiry <= 0 {
		opts.Expiry = 7 * 24 * time.Hour
	}
	if opts.TombstoneTTL <= 0 {
		opts.TombstoneTTL = 24 * time.Hour
	}
	if opts.ClaimLease <= 0 {
		opts.ClaimLease = 2 * time.Minute
	}
	if opts.OrphanGrace <= 0 {
		opts.OrphanGrace = time.Hour
	}
	if opts.MinPartSize <= 0 {
		opts.MinPartSize = MinPartSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Manager{st: st, objects: layer, tracker: tracker, opts: opts, log: opts.Logger}
}

// Tracker returns the manager's tracker.
func (m *Manager) Tracker() Tracker { return m.tracker }

// noteOf marks an upload's transient files, so the sweeper can tell whose
// they are (and ReclaimOrphanPuts, which scraps "put" files, leaves them).
func noteOf(id string) string { return "mpu:" + id }

func newUploadID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// CreateInput is a CreateMultipartUpload.
type CreateInput struct {
	Bucket, Key, Owner string
	Metadata           objects.Metadata
	ChecksumAlgorithm  checksum.Algorithm
	// ChecksumType is FULL_OBJECT, COMPOSITE or "" (the algorithm's default).
	ChecksumType string
	// Encryption, when set, encrypts every part (sse.go).
	Encryption *Encryption
}

// Create starts an upload.
func (m *Manager) Create(ctx context.Context, in CreateInput) (Upload, error) {
	typ := in.ChecksumType
	if in.ChecksumAlgorithm != "" {
		if typ == "" {
			typ = checksumComposite
			if in.ChecksumAlgorithm == checksum.CRC64NVME {
				typ = checksumFullObject
			}
		}
		if (typ == checksumFullObject && !in.ChecksumAlgorithm.SupportsFullObject()) ||
			(typ == checksumComposite && !in.ChecksumAlgorithm.SupportsComposite()) {
			return Upload{}, s3err.InvalidRequest.With("The %s checksum type cannot be used with the %s checksum algorithm.", typ, in.ChecksumAlgorithm)
		}
	} else if typ != "" {
		return Upload{}, s3err.InvalidRequest.With("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
	}
	if typ != "" && typ != checksumFullObject && typ != checksumComposite {
		return Upload{}, s3err.InvalidRequest.With("Value for x-amz-checksum-type header is invalid.")
	}
	id := newUploadID()
	dir, err := m.objects.PinDir(ctx, in.Bucket, in.Key, id)
	if err != nil {
		return Upload{}, err
	}
	u := Upload{
		ID: id, Bucket: in.Bucket, Key: in.Key, Initiated: time.Now().UTC(),
		Owner: in.Owner, Metadata: in.Metadata, ChecksumAlgorithm: string(in.ChecksumAlgorithm),
		ChecksumType: typ, Dir: dir, Encryption: in.Encryption,
	}
	if err := m.tracker.Create(ctx, u); err != nil {
		m.unpin(ctx, u)
		return Upload{}, fmt.Errorf("multipart: create upload: %w", err)
	}
	return u, nil
}

// unpin lets the upload's directory be pruned again once the upload is over.
func (m *Manager) unpin(ctx context.Context, u Upload) {
	if err := m.objects.UnpinDir(context.WithoutCancel(ctx), u.Bucket, u.Key, u.ID, u.Dir); err != nil {
		m.log.Warn("multipart: cannot remove upload marker", "upload", u.ID, "err", err)
	}
}

// upload returns the upload id of bucket/key, as S3 errors.
func (m *Manager) upload(ctx context.Context, bucket, key, id string) (Upload, error) {
	u, err := m.tracker.Get(ctx, id)
	if errors.Is(err, ErrNoSuchUpload) || (err == nil && (u.Bucket != bucket || u.Key != key)) {
		return Upload{}, s3err.NoSuchUploadFor(id)
	}
	return u, err
}

// PartInput is an UploadPart (or the data of an UploadPartCopy).
type PartInput struct {
	Bucket, Key, UploadID string
	Number                int
	// Body is read to EOF; Size is its expected length or -1.
	Body       io.Reader
	Size       int64
	ContentMD5 []byte
	// ClientAlgorithm is the checksum algorithm the client sent with the
	// part, if any; Body verifies the client's value itself (the HTTP layer
	// wraps it in a checksum.Reader) and fails its last Read on a mismatch.
	ClientAlgorithm checksum.Algorithm
	// ClientSums returns the body's verified checksums once it has been
	// read to EOF (the client's algorithm among them); nil when the client
	// sent none.
	ClientSums func() map[checksum.Algorithm]string
	// Copied marks an UploadPartCopy, whose checksum S3 computes itself.
	Copied bool
	// Unseal is told the upload's encryption (nil for a plain upload)
	// before the body is read, and answers the upload's object key (nil
	// for a plain upload) or the request's error, such as a missing SSE-C
	// key. UploadPart zeroes the key. An encrypted upload needs it.
	Unseal func(*Encryption) (*sse.ObjectKey, error)
}

// UploadPart streams a part into a transient file of the key's directory
// and records it, releasing any part it replaces.
func (m *Manager) UploadPart(ctx context.Context, in PartInput) (Part, error) {
	if in.Number < 1 || in.Number > MaxPartNumber {
		return Part{}, s3err.InvalidArgument.With("Part number must be an integer between 1 and 10000, inclusive")
	}
	if in.Size > MaxPartSize {
		return Part{}, s3err.EntityTooLargeFor(in.Size, MaxPartSize)
	}
	u, err := m.upload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return Part{}, err
	}
	if in.ClientAlgorithm != "" && u.ChecksumAlgorithm != "" && string(in.ClientAlgorithm) != u.ChecksumAlgorithm {
		return Part{}, s3err.InvalidRequest.With("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
			u.ChecksumAlgorithm, in.ClientAlgorithm)
	}
	if in.ClientAlgorithm == "" && !in.Copied && u.ChecksumType == checksumComposite {
		// A COMPOSITE checksum is built from the client's part checksums.
		return Part{}, s3err.InvalidRequest.With("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: null", u.ChecksumAlgorithm)
	}
	key, err := unsealPartKey(u, in)
	if err != nil {
		return Part{}, err
	}
	if key != nil {
		defer key.Zero()
	}
	t, err := m.st.CreateTransient(ctx, u.Dir, noteOf(u.ID))
	if err != nil {
		return Part{}, fmt.Errorf("multipart: create part file: %w", err)
	}
	p, err := m.writePart(ctx, u, in, key, t)
	if err != nil {
		m.scrap(ctx, t)
		return Part{}, err
	}
	replaced, err := m.tracker.PutPart(ctx, u.ID, p)
	if err != nil {
		m.scrap(ctx, t)
		if errors.Is(err, ErrNoSuchUpload) {
			return Part{}, s3err.NoSuchUploadFor(in.UploadID)
		}
		if errors.Is(err, ErrCompleting) {
			return Part{}, s3err.ConditionalRequestConflict
		}
		return Part{}, fmt.Errorf("multipart: record part: %w", err)
	}
	if replaced != nil {
		m.scrap(ctx, replaced.File)
	}
	return p, nil
}

// writePart appends the body to t, hashing it on the way: MD5 for the ETag
// and the upload's checksum algorithm (or the default) for the part's
// checksum, from which Complete derives the object's without reading data.
func (m *Manager) writePart(ctx context.Context, u Upload, in PartInput, key *sse.ObjectKey, t store.Transient) (Part, error) {
	body := in.Body
	if body == nil {
		body = eofReader{}
	}
	alg := checksum.Algorithm(u.ChecksumAlgorithm)
	if alg == "" {
		alg = checksum.Default
	}
	md5sum, sum := md5.New(), alg.New()
	stored, plainCount, partKey, err := partStream(u, in.Number, key, io.TeeReader(body, io.MultiWriter(md5sum, sum)))
	if err != nil {
		return Part{}, err
	}
	if partKey != nil {
		defer partKey.Zero()
	}
	storedSize, err := m.st.Append(ctx, t, stored)
	if err != nil {
		if s3e := s3err.As(err); s3e != nil {
			return Part{}, s3e // the body's verdict (BadDigest, ...)
		}
		return Part{}, fmt.Errorf("multipart: write part %d: %w", in.Number, err)
	}
	n := plainCount(storedSize)
	if in.Size >= 0 && n != in.Size {
		return Part{}, s3err.IncompleteBody
	}
	etag := md5sum.Sum(nil)
	if len(in.ContentMD5) > 0 && !bytes.Equal(in.ContentMD5, etag) {
		return Part{}, s3err.BadDigestMD5(etag, in.ContentMD5)
	}
	p := Part{
		Number: in.Number, ETag: partETag(u, partKey, etag), Size: n,
		Checksum: checksum.Encode(sum.Sum(nil)), Algorithm: u.ChecksumAlgorithm, File: t, LastModified: time.Now().UTC(),
	}
	if u.Encryption != nil {
		p.StoredSize = storedSize
	}
	if in.ClientAlgorithm != "" && in.ClientSums != nil {
		p.ClientAlgorithm, p.ClientChecksum = string(in.ClientAlgorithm), in.ClientSums()[in.ClientAlgorithm]
	}
	return p, nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// scrap releases a transient file, ignoring one already gone.
func (m *Manager) scrap(ctx context.Context, t store.Transient) {
	err := m.st.ScrapTransient(context.WithoutCancel(ctx), t)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		m.log.Warn("multipart: cannot release transient file", "id", t.ID, "err", err)
	}
}

// Abort forgets an upload and releases its parts.
func (m *Manager) Abort(ctx context.Context, bucket, key, id string) error {
	u, err := m.upload(ctx, bucket, key, id)
	if err != nil {
		return err
	}
	parts, err := m.tracker.Abort(ctx, id)
	switch {
	case errors.Is(err, ErrNoSuchUpload):
		return s3err.NoSuchUploadFor(id)
	case errors.Is(err, ErrCompleting):
		return s3err.ConditionalRequestConflict
	case err != nil:
		return fmt.Errorf("multipart: abort: %w", err)
	}
	for _, p := range parts {
		m.scrap(ctx, p.File)
	}
	m.unpin(ctx, u)
	return nil
}

// ListPartsOutput is one page of ListParts.
type ListPartsOutput struct {
	Upload      Upload
	Parts       []Part
	IsTruncated bool
	NextMarker  int
}

// ListParts returns parts numbered above marker, at most max.
func (m *Manager) ListParts(ctx context.Context, bucket, key, id string, marker, max int) (ListPartsOutput, error) {
	u, err := m.upload(ctx, bucket, key, id)
	if err != nil {
		return ListPartsOutput{}, err
	}
	parts, more, err := m.tracker.Parts(ctx, id, marker, max)
	if errors.Is(err, ErrNoSuchUpload) {
		return ListPartsOutput{}, s3err.NoSuchUploadFor(id)
	}
	if err != nil {
		return ListPartsOutput{}, fmt.Errorf("multipart: list parts: %w", err)
	}
	out := ListPartsOutput{Upload: u, Parts: parts, IsTruncated: more}
	if len(parts) > 0 {
		out.NextMarker = parts[len(parts)-1].Number
	}
	return out, nil
}

// Upload returns the upload id of bucket/key; s3err.NoSuchUpload if there
// is none.
func (m *Manager) Upload(ctx context.Context, bucket, key, id string) (Upload, error) {
	return m.upload(ctx, bucket, key, id)
}
