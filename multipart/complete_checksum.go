package multipart

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/terngate/terngate/checksum"
	"github.com/terngate/terngate/s3err"
)

// Checksum types of a multipart upload.
const (
	checksumComposite  = "COMPOSITE"
	checksumFullObject = "FULL_OBJECT"
)

// objectSum is an assembled object's checksum; value is "" when a part
// has none to derive it from.
type objectSum struct {
	alg   checksum.Algorithm
	value string
	typ   string
}

// objectChecksum derives the whole object's checksum from the parts' without
// reading data: a combined CRC (FULL_OBJECT) or a checksum of checksums
// (COMPOSITE). Uploads that asked for none get the default algorithm's
// full-object CRC, as S3 does.
func objectChecksum(u Upload, parts []Part) (objectSum, error) {
	alg, typ := checksum.Algorithm(u.ChecksumAlgorithm), u.ChecksumType
	if alg == "" {
		alg, typ = checksum.Default, checksumFullObject
	}
	for _, p := range parts {
		if p.Checksum == "" {
			return objectSum{}, nil // a part without one (cannot happen for parts we wrote)
		}
	}
	if typ == checksumComposite {
		digests := make([][]byte, len(parts))
		for i, p := range parts {
			d, err := checksum.Decode(alg, p.Checksum)
			if err != nil {
				return objectSum{}, fmt.Errorf("multipart: part %d checksum: %w", p.Number, err)
			}
			digests[i] = d
		}
		return objectSum{alg: alg, value: checksum.Composite(alg, digests), typ: typ}, nil
	}
	var crc uint64
	for i, p := range parts {
		c, err := checksum.DecodeCRC(alg, p.Checksum)
		if err != nil {
			return objectSum{}, fmt.Errorf("multipart: part %d checksum: %w", p.Number, err)
		}
		if i == 0 {
			crc = c
		} else {
			crc = checksum.CombineCRC(alg, crc, c, p.Size)
		}
	}
	return objectSum{alg: alg, value: checksum.EncodeCRC(alg, crc), typ: typ}, nil
}

// checkListedChecksum checks the checksum a Complete lists for part p. An
// upload created with an algorithm needs that algorithm's checksum for
// every part; one created without may list the checksum a part was sent
// with (boto3 sends CRC32 by default), and nothing else.
func checkListedChecksum(u Upload, cp CompletePart, p Part) error {
	if len(cp.Checksums) > 1 {
		return errPartChecksumArgument
	}
	for alg, v := range cp.Checksums {
		if _, err := checksum.Decode(alg, v); err != nil {
			return errPartChecksumArgument
		}
		want := p.ClientChecksum
		if u.ChecksumAlgorithm != "" {
			want = p.Checksum
		}
		switch {
		case u.ChecksumAlgorithm != "" && string(alg) != u.ChecksumAlgorithm,
			u.ChecksumAlgorithm == "" && p.ClientAlgorithm != "" && string(alg) != p.ClientAlgorithm:
			return s3err.BadDigest.With("The %s you specified for part %d did not match what we received.", strings.ToLower(string(alg)), cp.Number)
		case want == "" || v != want:
			return s3err.InvalidPartFor(u.ID, cp.Number, cp.ETag)
		}
	}
	if len(cp.Checksums) == 0 && u.ChecksumAlgorithm != "" {
		return s3err.InvalidRequest.With("The upload was created using a %s checksum. The complete request must include the checksum for each part. It was missing for part %d in the request.",
			strings.ToLower(u.ChecksumAlgorithm), cp.Number)
	}
	return nil
}

var errPartChecksumArgument = s3err.InvalidArgument.With("Invalid Base64 or multiple checksums present in request")

// checkObjectChecksum compares the whole-object checksum a Complete sent
// with the one derived from the parts. A COMPOSITE value may come with or
// without its -N suffix (minio-go sends it bare). S3 ignores the value for
// an upload created without an algorithm.
func checkObjectChecksum(u Upload, got checksum.Spec, sum objectSum, parts int) error {
	if got.IsZero() || got.Value == "" || u.ChecksumAlgorithm == "" {
		return nil
	}
	value := got.Value
	if sum.typ == checksumComposite && !strings.Contains(value, "-") {
		value += "-" + strconv.Itoa(parts)
	}
	if got.Algorithm != sum.alg || value != sum.value {
		return s3err.BadDigest.With("The %s you specified did not match the calculated checksum.", got.Algorithm)
	}
	return nil
}
