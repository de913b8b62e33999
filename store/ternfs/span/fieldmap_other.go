//go:build !amd64

package span

// mapBytesVector has no vector form here: mapBytes uses the table alone.
func mapBytesVector(dst, src []byte, m *byteMap) int { return 0 }
