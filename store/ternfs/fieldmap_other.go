//go:build !amd64

package ternfs

// mapBytesVector has no vector form here: mapBytes uses the table alone.
func mapBytesVector(dst, src []byte, m *byteMap) int { return 0 }
