package local

import (
	"sync/atomic"
	"time"
)

// clock hands out Unix-nanosecond timestamps that strictly increase within
// the process, so two directory changes never share an mtime even when the
// wall clock is coarse or steps back.
type clock struct {
	last atomic.Int64
}

func (c *clock) now() int64 {
	return c.after(0)
}

// after returns a fresh timestamp that is also later than prev, which keeps
// a stored mtime strictly increasing across restarts of the process too.
func (c *clock) after(prev int64) int64 {
	for {
		last := c.last.Load()
		next := max(time.Now().UnixNano(), last+1, prev+1)
		if c.last.CompareAndSwap(last, next) {
			return next
		}
	}
}
