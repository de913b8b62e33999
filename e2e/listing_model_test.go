package e2e

import (
	"fmt"
	"sort"
	"strings"
)

// listingEntry is one element of a listing: a key or a common prefix.
type listingEntry struct {
	name     string
	isPrefix bool
}

func (e listingEntry) String() string {
	if e.isPrefix {
		return "CP(" + e.name + ")"
	}
	return e.name
}

// modelListing is the complete, unpaginated listing S3 defines for these
// keys: keys with the prefix and greater than startAfter, in UTF-8 byte
// order (Go's string order), each key whose remainder after the prefix
// contains the delimiter collapsed into one common prefix at the position of
// its first key.
func modelListing(keys []string, prefix, delimiter, startAfter string) []listingEntry {
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	var out []listingEntry
	lastPrefix := ""
	for _, k := range sorted {
		if !strings.HasPrefix(k, prefix) || k <= startAfter {
			continue
		}
		if delimiter != "" {
			rest := k[len(prefix):]
			if i := strings.Index(rest, delimiter); i >= 0 {
				cp := prefix + rest[:i+len(delimiter)]
				if cp != lastPrefix {
					out = append(out, listingEntry{name: cp, isPrefix: true})
					lastPrefix = cp
				}
				continue
			}
		}
		out = append(out, listingEntry{name: k})
	}
	return out
}

// awkwardKeys builds n+ distinct keys that stress ordering and path
// handling: separators in every position, '+', '%', spaces, unicode, '.'
// and '..' segments, '//' and a leading '/', 8+ levels, 300-byte segments.
func awkwardKeys(n int) []string {
	long := strings.Repeat("L", 300)
	fixed := []string{
		"a", "a/b", "a/b/", "a/b/c", "a/bc", "a+b", "a b", "a%b", "a/",
		"obj", "obj+", "obj/", "obj/x", "obj1", "obj0", "obj.",
		"/", "//", "/lead", "//lead2", "a//b", "a///c", "trail//",
		".", "..", "./x", "../x", "x/./y", "x/../y", "x/..", "x/.", "x/.../y",
		"ünïcödé", "ünï/cöde", "日本/語/テキスト", "emoji/🙂/x", "emoji/🙂", "ｆｕｌｌ",
		"sp ace/ x ", " leading-space", "trailing-space ", "pct/%2F", "pct/%25", "pct/%", "pct/%00",
		"plus/+", "plus/++/+", "q?mark", "hash#tag", "amp&er", "semi;colon", "eq=ual", "tilde~", "star*",
		"deep/1/2/3/4/5/6/7/8/9/10/leaf", "deep/1/2/3/4/5/6/7/8/9/10/", "deep/1/2/3/4/5/6/7/8/leaf",
		long, long + "/" + long, "seg/" + long + "/x", "seg/" + long + "/" + long + "/" + long,
	}
	tops := []string{"", "a/", "a/b/", "/", "//", "x/../", "x/./", "deep/1/2/3/4/5/6/7/8/9/",
		"ünï cöde/", "p+q/", "pct%25/", "sp ace/", "obj", "obj/", "obj+", "日本/"}
	mids := []string{"", "f", "z/", "é/", "+", " ", "%", long + "/", "./", "../", "a//"}
	suffixes := []string{"", "/", ".txt", "+", " x", "/."}
	seen := map[string]bool{}
	var keys []string
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, k := range fixed {
		add(k)
	}
	for i := 0; len(keys) < n; i++ {
		add(fmt.Sprintf("%s%s%04d%s", tops[i%len(tops)], mids[(i/len(tops))%len(mids)], i, suffixes[i%len(suffixes)]))
	}
	return keys
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
