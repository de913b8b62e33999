package refserver

import (
	"os"
	"syscall"
)

// startWriteback asks the kernel to begin writing [off, off+n) of f to disk
// without waiting (SYNC_FILE_RANGE_WRITE); errors only mean the final fsync
// does the work instead.
func startWriteback(f *os.File, off, n int64) {
	_ = syscall.SyncFileRange(int(f.Fd()), off, n, 0x2)
}
