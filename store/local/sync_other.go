//go:build !linux

package local

import "os"

func syncData(f *os.File) error { return f.Sync() }

func startWriteback(*os.File, int64, int64) {}

// allocatesBlocks: elsewhere (copy-on-write filesystems among them) writing
// ahead is not known to help, so it is not done.
func allocatesBlocks(string) bool { return false }
