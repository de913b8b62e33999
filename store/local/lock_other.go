//go:build !unix

package local

import (
	"errors"
	"os"
)

// lockDir: the store needs flock to guarantee one owner per data directory.
func lockDir(string) (*os.File, error) {
	return nil, errors.New("the local store needs a Unix system (flock)")
}
