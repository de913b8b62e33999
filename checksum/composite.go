package checksum

import "strconv"

// Composite returns a multipart upload's COMPOSITE checksum: base64 of a's
// hash over the concatenated raw part digests, then "-" and the part count
// (e.g. "Ww6Kcg==-3"). S3 allows COMPOSITE for every algorithm but
// CRC64NVME (see SupportsComposite); callers enforce that.
func Composite(a Algorithm, partDigests [][]byte) string {
	h := a.New()
	for _, d := range partDigests {
		h.Write(d)
	}
	return Encode(h.Sum(nil)) + "-" + strconv.Itoa(len(partDigests))
}
