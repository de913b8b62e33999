//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// errDataDirInUse: a running gateway holds the data dir's lock.
var errDataDirInUse = errors.New("data dir is in use by a running gateway (its LOCK is held)")

// tryLockDataDir takes the data dir's lock the way the local store does
// (flock on <data-dir>/LOCK) and returns its release, or errDataDirInUse
// if a running gateway holds it.
func tryLockDataDir(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errDataDirInUse
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
