package client

import (
	"testing"
	"time"
)

func TestBackoffGrowsToMaxAndStopsAtOverall(t *testing.T) {
	start := time.Unix(0, 0)
	b := newBackoff(Timeouts{Initial: 100 * time.Millisecond, Max: time.Second, Overall: 5 * time.Second, Growth: 1.5, Jitter: 0.1}, start)
	now := start
	var prev time.Duration
	var got []time.Duration
	for {
		d, ok := b.Next(now)
		if !ok {
			break
		}
		got = append(got, d)
		if d > time.Second {
			t.Fatalf("timeout %v above max", d)
		}
		if prev != 0 && d < prev && now.Add(d).Sub(start) < 5*time.Second && d != time.Second {
			t.Fatalf("timeout shrank from %v to %v", prev, d)
		}
		prev = d
		now = now.Add(d)
	}
	if got[0] != 100*time.Millisecond {
		t.Fatalf("first timeout %v", got[0])
	}
	if g := float64(got[1]) / float64(got[0]); g < 1.42 || g > 1.58 {
		t.Fatalf("growth %v outside 1.5±5%%", g)
	}
	if total := now.Sub(start); total != 5*time.Second {
		t.Fatalf("attempts covered %v, want exactly the overall 5s", total)
	}
}
