package s3api

import (
	"hash"
	"io"

	"github.com/terngate/terngate/checksum"
	"github.com/terngate/terngate/store/objects"
)

// copyChecksum gives a copy its checksum: the source's full-object
// checksum when it has one and the client asked for no other algorithm,
// else one computed over the bytes as they are copied (the requested
// x-amz-checksum-algorithm, or the default).
type copyChecksum struct {
	body io.Reader
	// keep is the source checksum carried over; hash computes alg instead.
	keep map[string]string
	alg  checksum.Algorithm
	hash hash.Hash
}

func newCopyChecksum(r *request, src objects.Metadata, body io.Reader) (*copyChecksum, error) {
	var requested checksum.Algorithm
	if v := r.header("x-amz-checksum-algorithm"); v != "" {
		a, err := checksum.ParseAlgorithm(v)
		if err != nil {
			return nil, err
		}
		requested = a
	}
	fullObject := len(src.Checksums) > 0 && (src.ChecksumType == "" || src.ChecksumType == checksumTypeFullObject)
	if fullObject && (requested == "" || src.Checksums[string(requested)] != "") {
		keep := src.Checksums
		if requested != "" {
			keep = map[string]string{string(requested): src.Checksums[string(requested)]}
		}
		return &copyChecksum{body: body, keep: keep}, nil
	}
	if requested == "" {
		// A composite (per-part) checksum does not describe the single-part
		// copy; S3 stores its default instead.
		requested = checksum.Default
	}
	h := requested.New()
	return &copyChecksum{body: io.TeeReader(body, h), alg: requested, hash: h}, nil
}

// commit is the PutInput.BeforeCommit hook.
func (c *copyChecksum) commit(md *objects.Metadata) error {
	if c.hash == nil {
		md.Checksums = c.keep
	} else {
		md.Checksums = map[string]string{string(c.alg): checksum.Encode(c.hash.Sum(nil))}
	}
	md.ChecksumType = checksumTypeFullObject
	return nil
}
