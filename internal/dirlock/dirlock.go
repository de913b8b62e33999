package dirlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FileName is the lock file inside a data directory.
const FileName = "LOCK"

// InUseError says that another process holds the lock.
type InUseError struct {
	Dir string
	PID int // 0 when the holder did not record one
}

func (e *InUseError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("data dir %s is in use by pid %d", e.Dir, e.PID)
	}
	return fmt.Sprintf("data dir %s is in use by another process", e.Dir)
}

// ErrInUse matches every InUseError with errors.Is.
var ErrInUse = errors.New("data dir is in use")

func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// Lock is a held data directory lock.
type Lock struct {
	dir  string
	file *os.File
}

// Acquire takes dir's lock without waiting, creating dir if needed, and
// records this process's pid in it. It fails with an *InUseError when
// another process (or another Acquire in this one) holds it.
func Acquire(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !held {
		pid := readPID(f)
		f.Close()
		return nil, &InUseError{Dir: dir, PID: pid}
	}
	if err := writePID(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("record pid in %s: %w", path, err)
	}
	return &Lock{dir: dir, file: f}, nil
}

// Dir is the locked directory.
func (l *Lock) Dir() string { return l.dir }

// Release lets the directory go. The pid is left in the file: it names
// nobody once the flock is gone, and clearing it would be one more write.
func (l *Lock) Release() error {
	if l == nil || l.file == nil {
		return nil
	}
	err := l.file.Close()
	l.file = nil
	return err
}

func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

func readPID(f *os.File) int {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
