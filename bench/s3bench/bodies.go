package s3bench

// partSizes splits an object into multipart parts of partSize, the last
// one shorter if need be.
func partSizes(size, partSize int64) []int64 {
	var parts []int64
	for left := size; left > 0; left -= partSize {
		parts = append(parts, min(left, partSize))
	}
	return parts
}
