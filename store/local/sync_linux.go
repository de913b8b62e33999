package local

import (
	"os"
	"syscall"
)

// syncData makes f's bytes and size durable. fdatasync skips the timestamp
// update a full fsync would also write.
func syncData(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}

// startWriteback asks the kernel to begin writing [off, off+n) of f to disk
// without waiting, so the final syncData of a large append has little left
// to do and dirty pages do not pile up in memory.
func startWriteback(f *os.File, off, n int64) {
	_ = syscall.SyncFileRange(int(f.Fd()), off, n, 0x2 /* SYNC_FILE_RANGE_WRITE */)
}

// allocatesBlocks reports whether the filesystem holding path allocates
// disk blocks on first write (and journals that), which writing ahead
// pays for in advance (metatail.go). tmpfs and ramfs have no blocks: there
// writing ahead would only cost memory and copies.
func allocatesBlocks(path string) bool {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(path, &fs); err != nil {
		return true
	}
	const tmpfsMagic, ramfsMagic = 0x01021994, 0x858458f6
	return fs.Type != tmpfsMagic && fs.Type != ramfsMagic
}
