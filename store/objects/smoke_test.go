package objects

import "testing"

func TestPutGetDeleteRoundTrip(t *testing.T) {
	l, st := newTestLayer(t)
	mustPut(t, l, "a/b/c", "hello")
	mustGet(t, l, "a/b/c", "hello")
	mustPut(t, l, "a/b/c", "world!")
	mustGet(t, l, "a/b/c", "world!")
	if got := listAll(t, l); len(got) != 1 || got[0] != "a/b/c" {
		t.Fatalf("list = %q", got)
	}
	mustDelete(t, l, "a/b/c")
	mustBeMissing(t, l, "a/b/c")
	mustDelete(t, l, "a/b/c")
	if n := bucketDirCount(t, l, st); n != 0 {
		t.Fatalf("%d directories left after delete", n)
	}
}
