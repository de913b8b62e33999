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
	// Assembling, if set, is told the object's file (its version) before
	// the parts move, so a response whose headers must leave before the
	// outcome can still name the version.
	Assembling func(file store.ID)
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
		if p.Number < 1 {
			// S3's text for a part number below 1 in the document
			// (versity/versitygw#1072 records it).
			return Result{}, s3err.InvalidArgument.With("PartNumber must be >= 1")
		}
		if p.Number > MaxPartNumber {
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
			return Result{}, s3err.NoSuchUploadFor(in.UploadID)
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
		return Result{}, s3err.NoSuchUploadFor(in.UploadID)
	}
	return r, nil
}

func (m *Manager) completeClaimed(ctx context.Context, u Upload, claim Claim, in CompleteInput) (Result, error) {
	token := claim.Token
	stopRenew := m.renewClaim(ctx, u.ID, token)
	defer stopRenew()
	plan, err := m.validate(ctx, u, in, claim.Assembly != nil)
	if err != nil {
		// Nothing moved for this request: the upload stays as it was, and
		// an interrupted assembly stays resumable by a correct retry.
		m.release(ctx, u, token, claim.Assembly != nil)
		return Result{}, err
	}
	res, recorded, err := m.assemble(ctx, u, claim, in, plan)
	switch {
	case err == nil:
	case errors.Is(err, s3err.PreconditionFailed), errors.Is(err, s3err.ConditionalRequestConflict):
		// A write raced in between the precheck and the link, or another
		// gateway's write held the key's lease too long or fenced this one
		// (scrapping the assembled file, which then can never be linked):
		// S3 answers 409 and the upload has to be started again.
		m.forceAbort(ctx, u, token, nil)
		return Result{}, s3err.ConditionalRequestConflict
	case errors.Is(err, s3err.InvalidPart):
		// A part's data is gone: nothing can complete this upload.
		m.forceAbort(ctx, u, token, nil)
		return Result{}, err
	default:
		// A server-side failure: keep the upload, and the recorded
		// assembly, so that a retried Complete resumes it.
		m.log.Warn("multipart: Complete failed, kept for a retry", "upload", u.ID, "err", err)
		m.release(ctx, u, token, recorded)
		return Result{}, err
	}
	if err := m.tracker.Finish(context.WithoutCancel(ctx), u.ID, token, res, m.opts.TombstoneTTL); err != nil {
		// The object is linked; only the tombstone is missing.
		m.log.Warn("multipart: cannot record completion", "upload", u.ID, "err", err)
	}
	all, _, _ := m.tracker.Parts(ctx, u.ID, 0, 0) // gone after Finish; kept for a failed Finish
	for _, p := range append(plan.all, all...) {
		m.scrap(ctx, p.File)
	}
	m.unpin(ctx, u)
	return res, nil
}

// release gives up a claim without ending the upload. Without a recorded
// assembly nothing moved and the claim is simply given back. With one,
// parts may have moved: the claim is left to lapse at once, still holding
// the assembly, so parts stay frozen and the next Complete takes it over
// and resumes where this one stopped.
func (m *Manager) release(ctx context.Context, u Upload, token int64, assembled bool) {
	ctx = context.WithoutCancel(ctx)
	var err error
	if assembled {
		err = m.tracker.Renew(ctx, u.ID, token, 0)
	} else {
		err = m.tracker.Unclaim(ctx, u.ID, token)
	}
	if err != nil {
		m.log.Warn("multipart: cannot give claim back", "upload", u.ID, "err", err)
	}
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

// completePlan is a Complete checked in full before anything moves: the
// listed parts in order, every part of the upload, and the object's ETag
// and checksum, derived from the parts' records.
type completePlan struct {
	listed []Part
	all    []Part
	etag   string
	sum    objectSum
}

// validate checks everything a Complete can be refused for, in the order
// S3 reports them, before any part moves: a refused Complete leaves the
// upload as it was. A resumed assembly skips the preconditions: the
// interrupted Complete may have linked the object already, and the link
// checks them again anyway.
func (m *Manager) validate(ctx context.Context, u Upload, in CompleteInput, resumed bool) (completePlan, error) {
	if in.ChecksumType != "" && in.ChecksumType != u.ChecksumType {
		return completePlan{}, s3err.InvalidRequest.With("The upload was created using the %s checksum mode. The complete request must use the same checksum mode.", orNull(u.ChecksumType))
	}
	if !resumed {
		if err := m.precheck(ctx, u, in.Conditions); err != nil {
			return completePlan{}, err
		}
	}
	if u.ChecksumAlgorithm != "" {
		// With a checksum on every part, S3 wants parts 1..N without gaps.
		for i, cp := range in.Parts {
			if cp.Number != i+1 {
				return completePlan{}, s3err.InvalidPartOrder
			}
		}
	}
	all, _, err := m.tracker.Parts(ctx, u.ID, 0, 0)
	if err != nil {
		return completePlan{}, fmt.Errorf("multipart: read parts: %w", err)
	}
	byNumber := make(map[int]Part, len(all))
	for _, p := range all {
		byNumber[p.Number] = p
	}
	listed := make([]Part, 0, len(in.Parts))
	var total int64
	for i, cp := range in.Parts {
		p, ok := byNumber[cp.Number]
		if !ok {
			return completePlan{}, s3err.InvalidPartFor(u.ID, cp.Number, cp.ETag)
		}
		if i < len(in.Parts)-1 && p.Size < m.opts.MinPartSize {
			return completePlan{}, s3err.EntityTooSmallPart(p.Size, m.opts.MinPartSize, p.Number, p.ETag)
		}
		if strings.Trim(cp.ETag, `"`) != p.ETag {
			return completePlan{}, s3err.InvalidPartFor(u.ID, cp.Number, cp.ETag)
		}
		if err := checkListedChecksum(u, cp, p); err != nil {
			return completePlan{}, err
		}
		listed = append(listed, p)
		total += p.Size
	}
	if in.ObjectSize >= 0 && in.ObjectSize != total {
		return completePlan{}, s3err.InvalidRequest.With("The provided 'x-amz-mp-object-size' header value %d does not match what was computed: %d", in.ObjectSize, total)
	}
	sum, err := objectChecksum(u, listed)
	if err != nil {
		return completePlan{}, err
	}
	if err := checkObjectChecksum(u, in.Checksum, sum, len(listed)); err != nil {
		return completePlan{}, err
	}
	return completePlan{listed: listed, all: all, etag: multipartETag(listed), sum: sum}, nil
}

// multipartETag is S3's ETag of an assembled object: the MD5 of the parts'
// MD5s, then the number of parts.
func multipartETag(parts []Part) string {
	h := md5.New()
	for _, p := range parts {
		raw, _ := hex.DecodeString(p.ETag)
		h.Write(raw)
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
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
		return s3err.PreconditionFailedOn("If-None-Match")
	}
	if c.IfMatch != "" && !exists {
		return s3err.NoSuchKey
	}
	if !c.Matches(cur.ETag) {
		return s3err.PreconditionFailedOn("If-Match")
	}
	return nil
}

// assemble moves the listed parts onto a transient file and links the
// object. The file is recorded as the claim's Assembly before anything
// moves; a claim that took over an interrupted Complete continues on its
// file instead (moves already done are no-ops, and a link already done is
// found). recorded reports whether an Assembly is recorded, so that a
// failure can keep it for a retry.
func (m *Manager) assemble(ctx context.Context, u Upload, claim Claim, in CompleteInput, plan completePlan) (res Result, recorded bool, err error) {
	var whole store.Transient
	if claim.Assembly != nil {
		whole = claim.Assembly.File
	} else {
		if whole, err = m.st.CreateTransient(ctx, u.Dir, noteOf(u.ID)); err != nil {
			return Result{}, false, fmt.Errorf("multipart: create object file: %w", err)
		}
		numbers := make([]int, len(plan.listed))
		for i, p := range plan.listed {
			numbers[i] = p.Number
		}
		if err := m.tracker.Assemble(ctx, u.ID, claim.Token, Assembly{File: whole, Parts: numbers}); err != nil {
			m.scrap(ctx, whole)
			return Result{}, false, fmt.Errorf("multipart: record assembly: %w", err)
		}
	}
	if in.Assembling != nil {
		in.Assembling(whole.ID)
	}
	// A resumed assembly may already be linked: the interrupted Complete
	// died between its link and its Finish. Its parts are moved and its
	// file is no longer transient, so moving again would fail as if a
	// part were lost; look first.
	linkedSize := int64(-1)
	if claim.Assembly != nil {
		if fi, err := m.st.StatFile(ctx, whole.ID); err == nil {
			linkedSize = fi.Size
		}
	}
	var parts []objects.AssembledPart
	if linkedSize < 0 {
		if parts, err = m.moveParts(ctx, u, whole, plan); err != nil {
			return Result{}, true, err
		}
	}
	md := u.Metadata
	if err := m.objects.ApplyDefaultRetention(ctx, u.Bucket, &md); err != nil {
		return Result{}, true, err
	}
	if plan.sum.value != "" {
		md.Checksums = map[string]string{string(plan.sum.alg): plan.sum.value}
		md.ChecksumType = plan.sum.typ
	}
	res = Result{
		Bucket: u.Bucket, Key: u.Key, ETag: plan.etag,
		Checksum: plan.sum.value, ChecksumAlgo: string(plan.sum.alg), ChecksumType: plan.sum.typ,
		Encryption: u.Encryption,
		File:       whole.ID, // linked as is: the object keeps the transient's ID
	}
	if linkedSize >= 0 {
		// The interrupted Complete linked it and died before finishing.
		res.Size = linkedSize
		if u.Encryption != nil {
			res.Size = plan.plainSize() // the file holds ciphertext
		}
		return res, true, nil
	}
	info, err := m.link(ctx, u, whole, md, plan.etag, parts, in.Conditions)
	if err != nil {
		return Result{}, true, err
	}
	res.ETag, res.Size = info.ETag, info.Size
	if info.FileID != 0 {
		res.File = info.FileID
	}
	return res, true, nil
}

// moveParts moves the listed parts onto whole, in order (a part already
// moved is empty, and moving it again is a no-op), and describes them for
// the object's record.
func (m *Manager) moveParts(ctx context.Context, u Upload, whole store.Transient, plan completePlan) ([]objects.AssembledPart, error) {
	parts := make([]objects.AssembledPart, len(plan.listed))
	for i, p := range plan.listed {
		if err := m.st.MoveData(ctx, whole, p.File); errors.Is(err, store.ErrNotFound) {
			// Its data is gone (expired while the upload idled): the
			// upload cannot be completed, only uploaded again.
			m.log.Warn("multipart: part data lost", "upload", u.ID, "part", p.Number, "err", err)
			return nil, s3err.InvalidPartFor(u.ID, p.Number, p.ETag)
		} else if err != nil {
			return nil, fmt.Errorf("multipart: move part %d: %w", p.Number, err)
		}
		parts[i] = objects.AssembledPart{Size: p.Size, Number: p.Number, StoredSize: p.StoredSize}
		if plan.sum.typ == checksumComposite {
			parts[i].Checksum = p.Checksum
		}
	}
	return parts, nil
}
