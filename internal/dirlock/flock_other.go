//go:build !unix

package dirlock

import (
	"errors"
	"os"
)

// tryLock: one owner per data directory needs flock.
func tryLock(*os.File) (bool, error) {
	return false, errors.New("locking a data dir needs a Unix system (flock)")
}
