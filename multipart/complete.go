package multipart

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/terngate/terngate/checksum"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/objects"
)

// CompletePart is one entry of a CompleteMultipartUpload body.
type CompletePart struct {
	Number int
	ETag   string
	// Checksums the client lists for the part, by algorithm (base64).
	Checksums map[checksum.Algorithm]string
}

// CompleteInput is a CompleteMultipartUpload.
type CompleteInput struct {
	Bucket, Key, UploadID string
	Parts                 []CompletePart
	Conditions            objects.Conditions
	// ChecksumType and Checksum (algorithm, base64 value) are the client's
	// x-amz-checksum-type and whole-object x-amz-checksum-<alg>, if any.
	ChecksumType string
	Checksum     checksum.Spec
	// ObjectSize is x-amz-mp-object-size, or -1.
	ObjectSize int64
}

// claimPoll is how often a Complete that lost the race for the claim looks
// for the winner's result.
const claimPoll = 50 * time.Millisecond

// Complete assembles the listed parts into the object with metadata-only
// moves and links it atomically. A retried Complete of a finished upload
// answers the same result; racing Completes wait for the one that holds the
// claim.
func (m *Manager) Complete(ctx context.Context, in CompleteInput) (Result, error) {
	if len(in.Parts) == 0 {
		return Result{}, s3err.MalformedXML
	}
	for i, p := range in.Parts {
		if p.Number < 1 || p.Number > MaxPartNumber {
			return Result{}, s3err.InvalidArgument.With("Part number must be an integer between 1 and 10000, inclusive")
		}
		if i > 0 && p.Number <= in.Parts[i-1].Number {
			return Result{}, s3err.InvalidPartOrder
		}
	}
	for {
		u, err := m.upload(ctx, in.Bucket, in.Key, in.UploadID)
		if errors.Is(err, s3err.NoSuchUpload) {
			return m.finished(ctx, in)
		}
		if err != nil {
			return Result{}, err
		}
		claim, err := m.tracker.Claim(ctx, u.ID, m.opts.ClaimLease)
		switch {
		case errors.Is(err, ErrNoSuchUpload):
			return m.finished(ctx, in)
		case errors.Is(err, ErrCompleting):
			select { // another Complete holds it: wait for its outcome
			case <-ctx.Done():
				return Result{}, ctx.Err()
			case <-time.After(claimPoll):
			}
			continue
		case err != nil:
			return Result{}, fmt.Errorf("multipart: claim upload: %w", err)
		}
		if claim.Takeover && claim.Assembly != nil && !sameNumbers(claim.Assembly.Parts, in.Parts) {
			// A Complete of another part list died midway: some parts may
			// be moved already, so this list cannot be assembled.
			m.log.Warn("multipart: upload interrupted mid-completion with another part list, aborting it", "upload", u.ID)
			m.forceAbort(ctx, u, claim.Token, claim.Assembly)
			return Result{}, s3err.NoSuchUpload.With("The upload was interrupted while completing with a different part list and has been aborted; upload it again.")
		}
		if claim.Takeover && claim.Assembly != nil {
			m.log.Info("multipart: resuming an interrupted Complete", "upload", u.ID)
		}
		// A takeover without an Assembly died before moving anything.
		return m.completeClaimed(ctx, u, claim, in)
	}
}

// sameNumbers reports whether a recorded assembly is of the listed parts.
func sameNumbers(numbers []int, parts []CompletePart) bool {
	if len(numbers) != len(parts) {
		return false
	}
	for i, p := range parts {
		if numbers[i] != p.Number {
			return false
		}
	}
	return true
}

// finished answers a Complete of an upload the tracker no longer holds: the
// recorded result if it was completed, NoSuchUpload otherwise.
func (m *Manager) finished(ctx context.Context, in CompleteInput) (Result, error) {
	r, ok, err := m.tracker.Done(ctx, in.UploadID)
	if err != nil {
		return Result{}, fmt.Errorf("multipart: look up result: %w", err)
	}
	if !ok || r.Bucket != in.Bucket || r.Key != in.Key {
		return Result{}, s3err.NoSuchUpload
	}
	return r, nil
}

func (m *Manager) completeClaimed(ctx context.Context, u Upload, claim Claim, in CompleteInput) (Result, error) {
	token := claim.Token
	stopRenew := m.renewClaim(ctx, u.ID, token)
	defer stopRenew()
	parts, err := m.validate(ctx, u, in)
	if err != nil && claim.Assembly != nil {
		// Parts may be moved already: the upload cannot be completed
		// differently any more.
		m.forceAbort(ctx, u, token, claim.Assembly)
		return Result{}, err
	}
	if err != nil {
		if uerr := m.tracker.Unclaim(context.WithoutCancel(ctx), u.ID, token); uerr != nil {
			m.log.Warn("multipart: cannot give claim back", "upload", u.ID, "err", uerr)
		}
		return Result{}, err
	}
	// From here on the parts' bytes move: a failure ends the upload, and
	// a crash leaves the recorded Assembly for a retried Complete.
	res, err := m.assemble(ctx, u, claim, in, parts)
	if err != nil {
		m.forceAbort(ctx, u, token, nil)
		if errors.Is(err, s3err.PreconditionFailed) {
			return Result{}, s3err.ConditionalRequestConflict
		}
		return Result{}, err
	}
	if err := m.tracker.Finish(context.WithoutCancel(ctx), u.ID, token, res, m.opts.TombstoneTTL); err != nil {
		// The object is linked; only the tombstone is missing.
		m.log.Warn("multipart: cannot record completion", "upload", u.ID, "err", err)
	}
	all, _, _ := m.tracker.Parts(ctx, u.ID, 0, 0) // gone after Finish; kept for a failed Finish
	for _, p := range append(parts.all, all...) {
		m.scrap(ctx, p.File)
	}
	m.unpin(ctx, u)
	return res, nil
}

// renewClaim keeps the claim alive while a Complete runs.
func (m *Manager) renewClaim(ctx context.Context, id string, token int64) func() {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		tick := time.NewTicker(m.opts.ClaimLease / 4)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := m.tracker.Renew(ctx, id, token, m.opts.ClaimLease); err != nil {
					m.log.Warn("multipart: cannot renew completion claim", "upload", id, "err", err)
				}
			}
		}
	}()
	return cancel
}

// forceAbort forgets an upload whose claim we hold (or took over) and
// releases every part, and the assembly file of an interrupted Complete.
func (m *Manager) forceAbort(ctx context.Context, u Upload, token int64, asm *Assembly) {
	ctx = context.WithoutCancel(ctx)
	if asm != nil {
		m.scrap(ctx, asm.File)
	}
	_ = m.tracker.Unclaim(ctx, u.ID, token)
	parts, err := m.tracker.Abort(ctx, u.ID)
	if err != nil {
		m.log.Warn("multipart: cannot abort upload", "upload", u.ID, "err", err)
	}
	for _, p := range parts {
		m.scrap(ctx, p.File)
	}
	m.unpin(ctx, u)
}

// chosenParts are the listed parts in order and every part of the upload.
type chosenParts struct {
	listed []Part
	all    []Part
}

// validate checks the listed parts against the recorded ones and the
// preconditions against the current object, before anything moves.
func (m *Manager) validate(ctx context.Context, u Upload, in CompleteInput) (chosenParts, error) {
	all, _, err := m.tracker.Parts(ctx, u.ID, 0, 0)
	if err != nil {
		return chosenParts{}, fmt.Errorf("multipart: read parts: %w", err)
	}
	byNumber := make(map[int]Part, len(all))
	for _, p := range all {
		byNumber[p.Number] = p
	}
	listed := make([]Part, 0, len(in.Parts))
	var total int64
	for i, cp := range in.Parts {
		p, ok := byNumber[cp.Number]
		if !ok || strings.Trim(cp.ETag, `"`) != p.ETag {
			return chosenParts{}, s3err.InvalidPart
		}
		for alg, v := range cp.Checksums {
			if string(alg) != u.ChecksumAlgorithm || v != p.Checksum {
				return chosenParts{}, s3err.InvalidPart
			}
		}
		if i < len(in.Parts)-1 && p.Size < m.opts.MinPartSize {
			return chosenParts{}, s3err.EntityTooSmall
		}
		listed = append(listed, p)
		total += p.Size
	}
	if in.ObjectSize >= 0 && in.ObjectSize != total {
		return chosenParts{}, s3err.InvalidRequest.With("The provided 'x-amz-mp-object-size' header value %d does not match what was computed: %d", in.ObjectSize, total)
	}
	if in.ChecksumType != "" && in.ChecksumType != u.ChecksumType {
		return chosenParts{}, s3err.InvalidRequest.With("The upload was created using the %s checksum mode. The complete request must use the same checksum mode.", orNull(u.ChecksumType))
	}
	if err := m.precheck(ctx, u, in.Conditions); err != nil {
		return chosenParts{}, err
	}
	return chosenParts{listed: listed, all: all}, nil
}

func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

// precheck evaluates the conditions before any part moves; LinkAssembled
// checks them again at the link, where a write that raced in between turns
// into ConditionalRequestConflict.
func (m *Manager) precheck(ctx context.Context, u Upload, c objects.Conditions) error {
	if !c.IfNoneMatchStar && c.IfMatch == "" {
		return nil
	}
	cur, err := m.objects.Stat(ctx, u.Bucket, u.Key)
	exists := err == nil
	if err != nil && !errors.Is(err, s3err.NoSuchKey) {
		return err
	}
	if c.IfNoneMatchStar && exists {
		return s3err.PreconditionFailed
	}
	if c.IfMatch != "" && !exists {
		return s3err.NoSuchKey
	}
	if !c.Matches(cur.ETag) {
		return s3err.PreconditionFailed
	}
	return nil
}

// assemble moves the listed parts onto a transient file, computes the
// ETag and checksums, and links the object. The file is recorded as the
// claim's Assembly before anything moves; a claim that took over an
// interrupted Complete continues on its file instead (moves already done
// are no-ops, and a link already done is found).
func (m *Manager) assemble(ctx context.Context, u Upload, claim Claim, in CompleteInput, parts chosenParts) (Result, error) {
	resumed := claim.Assembly != nil
	var whole store.Transient
	if resumed {
		whole = claim.Assembly.File
	} else {
		var err error
		if whole, err = m.st.CreateTransient(ctx, u.Dir, noteOf(u.ID)); err != nil {
			return Result{}, fmt.Errorf("multipart: create object file: %w", err)
		}
		numbers := make([]int, len(parts.listed))
		for i, p := range parts.listed {
			numbers[i] = p.Number
		}
		if err := m.tracker.Assemble(ctx, u.ID, claim.Token, Assembly{File: whole, Parts: numbers}); err != nil {
			m.scrap(ctx, whole)
			return Result{}, fmt.Errorf("multipart: record assembly: %w", err)
		}
	}
	linked := false
	defer func() {
		if !linked {
			m.scrap(ctx, whole)
		}
	}()
	sizes := make([]int64, len(parts.listed))
	etags := md5.New()
	for i, p := range parts.listed {
		if err := m.st.MoveData(ctx, whole, p.File); errors.Is(err, store.ErrNotFound) {
			// Its data is gone (expired while the upload idled): the
			// upload cannot be completed, only uploaded again.
			m.log.Warn("multipart: part data lost", "upload", u.ID, "part", p.Number, "err", err)
			return Result{}, s3err.InvalidPart
		} else if err != nil {
			return Result{}, fmt.Errorf("multipart: move part %d: %w", p.Number, err)
		}
		sizes[i] = p.Size
		raw, _ := hex.DecodeString(p.ETag)
		etags.Write(raw)
	}
	etag := hex.EncodeToString(etags.Sum(nil)) + "-" + strconv.Itoa(len(parts.listed))
	md := u.Metadata
	alg, value, typ, err := objectChecksum(u, parts.listed)
	if err != nil {
		return Result{}, err
	}
	if !in.Checksum.IsZero() && in.Checksum.Value != "" && (in.Checksum.Algorithm != alg || in.Checksum.Value != value) {
		return Result{}, s3err.BadDigest.With("The %s you specified did not match the calculated checksum.", in.Checksum.Algorithm)
	}
	if value != "" {
		md.Checksums = map[string]string{string(alg): value}
		md.ChecksumType = typ
	}
	res := Result{
		Bucket: u.Bucket, Key: u.Key, ETag: etag,
		Checksum: value, ChecksumAlgo: string(alg), ChecksumType: typ,
	}
	if resumed {
		if fi, err := m.st.StatFile(ctx, whole.ID); err == nil {
			// The interrupted Complete linked it and died before finishing.
			linked = true
			res.Size = fi.Size
			return res, nil
		}
	}
	info, err := m.objects.LinkAssembled(ctx, u.Bucket, u.Key, whole, md, etag, sizes, in.Conditions)
	if err != nil {
		return Result{}, err
	}
	linked = true
	res.ETag, res.Size = info.ETag, info.Size
	return res, nil
}

// objectChecksum derives the whole object's checksum from the parts' without
// reading data: a combined CRC (FULL_OBJECT) or a checksum of checksums
// (COMPOSITE). Uploads that asked for none get the default algorithm's
// full-object CRC, as S3 does.
func objectChecksum(u Upload, parts []Part) (checksum.Algorithm, string, string, error) {
	alg, typ := checksum.Algorithm(u.ChecksumAlgorithm), u.ChecksumType
	if alg == "" {
		alg, typ = checksum.Default, "FULL_OBJECT"
	}
	for _, p := range parts {
		if p.Checksum == "" {
			return "", "", "", nil // a part without one (cannot happen for parts we wrote)
		}
	}
	if typ == "COMPOSITE" {
		digests := make([][]byte, len(parts))
		for i, p := range parts {
			d, err := checksum.Decode(alg, p.Checksum)
			if err != nil {
				return "", "", "", fmt.Errorf("multipart: part %d checksum: %w", p.Number, err)
			}
			digests[i] = d
		}
		return alg, checksum.Composite(alg, digests), typ, nil
	}
	var crc uint64
	for i, p := range parts {
		c, err := checksum.DecodeCRC(alg, p.Checksum)
		if err != nil {
			return "", "", "", fmt.Errorf("multipart: part %d checksum: %w", p.Number, err)
		}
		if i == 0 {
			crc = c
		} else {
			crc = checksum.CombineCRC(alg, crc, c, p.Size)
		}
	}
	return alg, checksum.EncodeCRC(alg, crc), typ, nil
}
