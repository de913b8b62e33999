//go:build !linux

package local

import (
	"io/fs"
	"os"
)

// openFile is os.OpenFile; open_linux.go says why Linux differs.
func openFile(path string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag, perm)
}
