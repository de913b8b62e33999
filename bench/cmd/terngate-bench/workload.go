package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// workload is Concurrency objects of Size bytes, all PUT (or all GET) at
// once.
type workload struct {
	Size        int64 `json:"size"`
	Concurrency int   `json:"concurrency"`
}

func (w workload) String() string {
	if w.Concurrency == 1 {
		return formatSize(w.Size)
	}
	return fmt.Sprintf("%sx%d", formatSize(w.Size), w.Concurrency)
}

func (w workload) totalBytes() int64 { return w.Size * int64(w.Concurrency) }

func parseWorkloads(s string) ([]workload, error) {
	var ws []workload
	for part := range strings.SplitSeq(s, ",") {
		w, err := parseWorkload(strings.TrimSpace(part))
		if err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	if len(ws) == 0 {
		return nil, errors.New("no workload")
	}
	return ws, nil
}

// parseWorkload reads "1GiB" or "64MiBx8".
func parseWorkload(s string) (workload, error) {
	sizeText, countText, hasCount := strings.Cut(s, "x")
	w := workload{Concurrency: 1}
	if hasCount {
		n, err := strconv.Atoi(countText)
		if err != nil || n < 1 {
			return w, fmt.Errorf("workload %q: concurrency must be a positive integer", s)
		}
		w.Concurrency = n
	}
	size, err := parseSize(sizeText)
	if err != nil {
		return w, fmt.Errorf("workload %q: %w", s, err)
	}
	w.Size = size
	return w, nil
}

var sizeUnits = []struct {
	suffix string
	bytes  int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

func parseSize(s string) (int64, error) {
	for _, u := range sizeUnits {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			n, err := strconv.ParseInt(num, 10, 64)
			if err != nil || n < 1 {
				return 0, fmt.Errorf("size %q: want a positive integer before %s", s, u.suffix)
			}
			return n * u.bytes, nil
		}
	}
	return 0, fmt.Errorf("size %q: want a unit GiB, MiB, KiB or B", s)
}

func formatSize(n int64) string {
	for _, u := range sizeUnits {
		if n%u.bytes == 0 {
			return fmt.Sprintf("%d%s", n/u.bytes, u.suffix)
		}
	}
	return fmt.Sprintf("%dB", n)
}
