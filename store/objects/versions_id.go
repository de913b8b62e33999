package objects

import (
	"fmt"
	"strconv"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// A version ID names one version of a key, derived from what the store
// records (docs/versioning.md): a file version by its file's ID, which is
// never reused and survives a restore (the edge's creation time does not),
// a delete marker, which has no file, by its creation time, unique among a
// name's edges. "null" is the null version.

const (
	nullVersionID       = "null"
	fileVersionPrefix   = 'v'
	markerVersionPrefix = 'm'
	versionIDLen        = 1 + 16
)

// versionID is a parsed version ID: exactly one of null, file, marker.
type versionID struct {
	null   bool
	file   store.ID
	marker time.Time
}

func fileVersion(id store.ID) versionID    { return versionID{file: id} }
func markerVersion(at time.Time) versionID { return versionID{marker: at} }
func (v versionID) isMarker() bool         { return v.file == 0 && !v.null }

func (v versionID) String() string {
	switch {
	case v.null:
		return nullVersionID
	case v.file != 0:
		return fmt.Sprintf("%c%016x", fileVersionPrefix, uint64(v.file))
	default:
		return fmt.Sprintf("%c%016x", markerVersionPrefix, uint64(v.marker.UnixNano()))
	}
}

// parseVersionID reads a version ID a client sent back as argument (the
// query parameter or element it came in). One this service could not have
// issued is InvalidArgument, as S3 answers it.
func parseVersionID(argument, s string) (versionID, error) {
	if s == nullVersionID {
		return versionID{null: true}, nil
	}
	bad := s3err.InvalidVersionID(argument, s)
	if len(s) != versionIDLen {
		return versionID{}, bad
	}
	n, err := strconv.ParseUint(s[1:], 16, 64)
	if err != nil || n == 0 || s[1:] != fmt.Sprintf("%016x", n) {
		return versionID{}, bad // one spelling per version: lower-case hex
	}
	switch s[0] {
	case fileVersionPrefix:
		return fileVersion(store.ID(n)), nil
	case markerVersionPrefix:
		if n > 1<<63-1 {
			return versionID{}, bad
		}
		return markerVersion(time.Unix(0, int64(n))), nil
	}
	return versionID{}, bad
}
