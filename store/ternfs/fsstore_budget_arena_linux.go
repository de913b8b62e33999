package ternfs

import "syscall"

func mapBuffer(n int) ([]byte, error) {
	return syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
}

func unmapBuffer(b []byte) error { return syscall.Munmap(b) }

// discardPages gives b's memory back to the system; b reads as zeros
// afterwards.
func discardPages(b []byte) error { return syscall.Madvise(b, syscall.MADV_DONTNEED) }

// arenaMapsBuffers: span buffers are memory maps (spanArena).
const arenaMapsBuffers = true
