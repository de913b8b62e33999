//go:build !linux

package ternfs

import "errors"

// Elsewhere span buffers live on the Go heap.
func mapBuffer(int) ([]byte, error) { return nil, errors.ErrUnsupported }

func unmapBuffer([]byte) error { return errors.ErrUnsupported }

func discardPages([]byte) error { return errors.ErrUnsupported }

// arenaMapsBuffers: span buffers are memory maps (spanArena).
const arenaMapsBuffers = false
