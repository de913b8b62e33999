package e2e

import (
	"slices"
	"testing"
)

// TestModelListingRules pins the in-memory model itself to S3's documented
// ordering, so a model bug cannot hide a server bug.
func TestModelListingRules(t *testing.T) {
	keys := []string{"obj1", "obj/x", "obj+", "a", "a/b", "a/b/", "b", "é", "Z"}
	got := modelListing(keys, "", "/", "")
	want := []listingEntry{{name: "Z"}, {name: "a"}, {name: "a/", isPrefix: true}, {name: "b"},
		{name: "obj+"}, {name: "obj/", isPrefix: true}, {name: "obj1"}, {name: "é"}}
	if !slices.Equal(got, want) {
		t.Errorf("delimited model = %v, want %v", got, want)
	}
	got = modelListing(keys, "a/", "/", "")
	want = []listingEntry{{name: "a/b"}, {name: "a/b/", isPrefix: true}}
	if !slices.Equal(got, want) {
		t.Errorf("prefix a/ model = %v, want %v", got, want)
	}
	got = modelListing(keys, "obj", "", "obj+")
	want = []listingEntry{{name: "obj/x"}, {name: "obj1"}}
	if !slices.Equal(got, want) {
		t.Errorf("start-after obj+ model = %v, want %v", got, want)
	}
	if n := len(awkwardKeys(2000)); n < 2000 {
		t.Errorf("awkwardKeys made %d keys, want ≥ 2000", n)
	}
}
