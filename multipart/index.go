package multipart

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// IndexMember is an upload's entry in its bucket's listing index: key, then
// the initiation time as fixed-width decimal, then the ID, so byte order is
// S3's order (key, then initiation time). Keys holding NUL sort slightly off.
func IndexMember(key string, initiated time.Time, id string) string {
	return fmt.Sprintf("%s\x00%020d\x00%s", key, initiated.UnixNano(), id)
}

func parseIndexMember(m string) (IndexEntry, bool) {
	j := strings.LastIndexByte(m, 0)
	if j < 0 {
		return IndexEntry{}, false
	}
	i := strings.LastIndexByte(m[:j], 0)
	if i < 0 {
		return IndexEntry{}, false
	}
	ns, err := strconv.ParseInt(m[i+1:j], 10, 64)
	if err != nil {
		return IndexEntry{}, false
	}
	return IndexEntry{Key: m[:i], Initiated: time.Unix(0, ns).UTC(), ID: m[j+1:]}, true
}

// boundFrom is the listing bound at key (inclusive of all its uploads).
func boundFrom(key string) string { return "[" + key }

// boundAfterKey skips every upload of key.
func boundAfterKey(key string) string { return "(" + key + "\x00\xff" }

// boundAfterPrefix skips every key beginning with prefix (UTF-8 keys never
// hold the byte 0xff).
func boundAfterPrefix(prefix string) string { return "[" + prefix + "\xff" }

// boundAfterEntry starts right after one upload.
func boundAfterEntry(e IndexEntry) string { return "(" + IndexMember(e.Key, e.Initiated, e.ID) }

// parseBound splits a bound into its member and whether it is exclusive.
func parseBound(b string) (member string, exclusive bool) {
	if b == "" || b == "-" {
		return "", false
	}
	return b[1:], b[0] == '('
}
