package users

import (
	"os"
	"time"
)

// stamp is what polling can observe of a file without reading it.
type stamp struct {
	path    string
	info    os.FileInfo // nil if the file could not be stat'ed
	size    int64
	modTime time.Time
}

func takeStamp(path string) stamp {
	// os.Stat follows symlinks, so a swapped Kubernetes ..data link shows
	// up as a different file.
	info, err := os.Stat(path)
	if err != nil {
		return stamp{path: path}
	}
	return stamp{path: path, info: info, size: info.Size(), modTime: info.ModTime()}
}

// same reports whether two stamps look like the same file version: same
// file (device and inode), size and modification time. A rewrite in place
// that keeps the size within the filesystem's timestamp granularity goes
// unseen; Live.Reload covers that case.
func (s stamp) same(o stamp) bool {
	if s.info == nil || o.info == nil {
		return s.info == nil && o.info == nil
	}
	return os.SameFile(s.info, o.info) && s.size == o.size && s.modTime.Equal(o.modTime)
}

// stamps are the files one load depended on, stamped before reading.
type stamps []stamp

func (ss *stamps) add(path string) { *ss = append(*ss, takeStamp(path)) }

// changed reports whether any of the files differs from its stamp now.
func (ss stamps) changed() bool {
	for _, s := range ss {
		if !s.same(takeStamp(s.path)) {
			return true
		}
	}
	return false
}
