package objects

import (
	"fmt"
	"strings"

	"github.com/terngate/terngate/s3err"
)

// keyPath is where a key lives: the directory names from the bucket down to
// the object's directory, and the object's own name in it (its primary name;
// the object may instead sit at shadowPrefix+name, see resolveObject).
type keyPath struct {
	dirs []string
	name string
}

// dirKey is the cache key of the directory holding the object.
func (p keyPath) dirKey() string { return strings.Join(p.dirs, "/") }

// checkKey applies S3's limits on a key.
func checkKey(key string) error {
	if key == "" {
		return s3err.InvalidArgument.With("Object key must not be empty.")
	}
	if len(key) > maxKeyLen {
		return s3err.KeyTooLongFor(len(key), maxKeyLen)
	}
	return nil
}

// pathOfKey maps a key to store names. Each '/'-separated segment becomes one
// escaped name; an empty segment that is not last becomes emptySegmentName; a
// trailing '/' makes the object the marker file of its directory; a segment
// too long for one name becomes a chain of continuation directories.
func pathOfKey(key string) (keyPath, error) {
	if err := checkKey(key); err != nil {
		return keyPath{}, err
	}
	segs := strings.Split(key, "/")
	last := segs[len(segs)-1]
	var p keyPath
	for _, seg := range segs[:len(segs)-1] {
		if seg == "" {
			p.dirs = append(p.dirs, emptySegmentName)
			continue
		}
		p.dirs = appendSegment(p.dirs, seg)
	}
	if last == "" {
		p.name = markerName
		return p, nil
	}
	names := appendSegment(nil, last)
	p.dirs = append(p.dirs, names[:len(names)-1]...)
	p.name = names[len(names)-1]
	return p, nil
}

// appendSegment appends the names of one non-empty segment: its escaped form,
// or continuation directories followed by the last piece.
func appendSegment(names []string, seg string) []string {
	pieces := splitLongSegment(seg)
	for _, piece := range pieces[:len(pieces)-1] {
		names = append(names, continuationPrefix+escapeSegment(piece))
	}
	return append(names, escapeSegment(pieces[len(pieces)-1]))
}

// fragment is what a directory entry contributes to the keys below it, as
// used by listings: a file contributes its key's last segment, a directory
// its segment and the '/' after it. ok is false for entries that hold no
// keys (internal names, names the escaper cannot produce).
type fragment struct {
	text string
	// rank orders entries with equal text: a primary file before its shadow
	// (the primary is what reads resolve), files before directories.
	rank int
}

const (
	rankFile = iota
	rankShadow
	rankDir
)

func fragmentOf(name string, dir bool) (fragment, bool) {
	if dir {
		switch {
		case name == emptySegmentName:
			return fragment{"/", rankDir}, true
		case strings.HasPrefix(name, continuationPrefix):
			piece, ok := unescapeName(name[len(continuationPrefix):])
			return fragment{piece, rankDir}, ok
		}
		seg, ok := unescapeName(name)
		return fragment{seg + "/", rankDir}, ok
	}
	switch {
	case name == markerName:
		return fragment{"", rankFile}, true
	case strings.HasPrefix(name, shadowPrefix):
		seg, ok := unescapeName(name[len(shadowPrefix):])
		return fragment{seg, rankShadow}, ok
	}
	seg, ok := unescapeName(name)
	return fragment{seg, rankFile}, ok
}

// keyOfPath rebuilds a key from store names (the inverse of pathOfKey, used
// by tests and diagnostics).
func keyOfPath(dirs []string, name string) (string, error) {
	var b strings.Builder
	for _, d := range dirs {
		f, ok := fragmentOf(d, true)
		if !ok {
			return "", fmt.Errorf("objects: %q is not a key directory", d)
		}
		b.WriteString(f.text)
	}
	f, ok := fragmentOf(name, false)
	if !ok {
		return "", fmt.Errorf("objects: %q is not a key file", name)
	}
	b.WriteString(f.text)
	return b.String(), nil
}
