package wire

import (
	"errors"
	"fmt"

	"github.com/terngate/terngate/store"
)

// Error is a TernFS error code, as carried by error responses (kind 0
// followed by a u16). It satisfies errors.Is against the store sentinels it
// corresponds to, so store code can return it wrapped as is.
type Error uint16

// The error codes the gateway reacts to. The full table of names is
// errorNames; codes outside it are still valid Error values.
const (
	ErrInternal                 Error = 10
	ErrTimeout                  Error = 12
	ErrMalformedRequest         Error = 13
	ErrMalformedResponse        Error = 14
	ErrNotAuthorised            Error = 15
	ErrUnrecognizedRequest      Error = 16
	ErrFileNotFound             Error = 17
	ErrDirectoryNotFound        Error = 18
	ErrNameNotFound             Error = 19
	ErrEdgeNotFound             Error = 20
	ErrEdgeIsLocked             Error = 21
	ErrTypeIsDirectory          Error = 22
	ErrTypeIsNotDirectory       Error = 23
	ErrBadCookie                Error = 24
	ErrLastSpanStateNotClean    Error = 26
	ErrCouldNotPickBlockService Error = 27
	ErrBadSpanBody              Error = 28
	ErrSpanNotFound             Error = 29
	ErrCannotOverrideName       Error = 34
	ErrNameIsLocked             Error = 35
	ErrMismatchingTarget        Error = 37
	ErrMismatchingCreationTime  Error = 39
	ErrDirectoryNotEmpty        Error = 40
	ErrFileIsTransient          Error = 41
	ErrOldDirectoryNotFound     Error = 42
	ErrNewDirectoryNotFound     Error = 43
	ErrFileIsNotTransient       Error = 46
	ErrFileEmpty                Error = 49
	ErrBadName                  Error = 52
	ErrMoreRecentCurrentEdge    Error = 54
	ErrDeadlineNotPassed        Error = 56
	ErrBadCertificate           Error = 61
	ErrBadBlockCrc              Error = 64
	ErrBlockNotFound            Error = 66
	ErrBlockTooOldForWrite      Error = 69
	ErrEdgeNotOwned             Error = 91
)

// errorNames holds the protocol's names for codes 10..103, by code-10.
var errorNames = [...]string{
	"INTERNAL_ERROR",                          // 10
	"FATAL_ERROR",                             // 11
	"TIMEOUT",                                 // 12
	"MALFORMED_REQUEST",                       // 13
	"MALFORMED_RESPONSE",                      // 14
	"NOT_AUTHORISED",                          // 15
	"UNRECOGNIZED_REQUEST",                    // 16
	"FILE_NOT_FOUND",                          // 17
	"DIRECTORY_NOT_FOUND",                     // 18
	"NAME_NOT_FOUND",                          // 19
	"EDGE_NOT_FOUND",                          // 20
	"EDGE_IS_LOCKED",                          // 21
	"TYPE_IS_DIRECTORY",                       // 22
	"TYPE_IS_NOT_DIRECTORY",                   // 23
	"BAD_COOKIE",                              // 24
	"INCONSISTENT_STORAGE_CLASS_PARITY",       // 25
	"LAST_SPAN_STATE_NOT_CLEAN",               // 26
	"COULD_NOT_PICK_BLOCK_SERVICES",           // 27
	"BAD_SPAN_BODY",                           // 28
	"SPAN_NOT_FOUND",                          // 29
	"BLOCK_SERVICE_NOT_FOUND",                 // 30
	"CANNOT_CERTIFY_BLOCKLESS_SPAN",           // 31
	"BAD_NUMBER_OF_BLOCKS_PROOFS",             // 32
	"BAD_BLOCK_PROOF",                         // 33
	"CANNOT_OVERRIDE_NAME",                    // 34
	"NAME_IS_LOCKED",                          // 35
	"MTIME_IS_TOO_RECENT",                     // 36
	"MISMATCHING_TARGET",                      // 37
	"MISMATCHING_OWNER",                       // 38
	"MISMATCHING_CREATION_TIME",               // 39
	"DIRECTORY_NOT_EMPTY",                     // 40
	"FILE_IS_TRANSIENT",                       // 41
	"OLD_DIRECTORY_NOT_FOUND",                 // 42
	"NEW_DIRECTORY_NOT_FOUND",                 // 43
	"LOOP_IN_DIRECTORY_RENAME",                // 44
	"DIRECTORY_HAS_OWNER",                     // 45
	"FILE_IS_NOT_TRANSIENT",                   // 46
	"FILE_NOT_EMPTY",                          // 47
	"CANNOT_REMOVE_ROOT_DIRECTORY",            // 48
	"FILE_EMPTY",                              // 49
	"CANNOT_REMOVE_DIRTY_SPAN",                // 50
	"BAD_SHARD",                               // 51
	"BAD_NAME",                                // 52
	"MORE_RECENT_SNAPSHOT_EDGE",               // 53
	"MORE_RECENT_CURRENT_EDGE",                // 54
	"BAD_DIRECTORY_INFO",                      // 55
	"DEADLINE_NOT_PASSED",                     // 56
	"SAME_SOURCE_AND_DESTINATION",             // 57
	"SAME_DIRECTORIES",                        // 58
	"SAME_SHARD",                              // 59
	"BAD_PROTOCOL_VERSION",                    // 60
	"BAD_CERTIFICATE",                         // 61
	"BLOCK_TOO_RECENT_FOR_DELETION",           // 62
	"BLOCK_FETCH_OUT_OF_BOUNDS",               // 63
	"BAD_BLOCK_CRC",                           // 64
	"BLOCK_TOO_BIG",                           // 65
	"BLOCK_NOT_FOUND",                         // 66
	"CANNOT_UNSET_DECOMMISSIONED",             // 67
	"CANNOT_REGISTER_DECOMMISSIONED_OR_STALE", // 68
	"BLOCK_TOO_OLD_FOR_WRITE",                 // 69
	"BLOCK_IO_ERROR_DEVICE",                   // 70
	"BLOCK_IO_ERROR_FILE",                     // 71
	"INVALID_REPLICA",                         // 72
	"DIFFERENT_ADDRS_INFO",                    // 73
	"LEADER_PREEMPTED",                        // 74
	"LOG_ENTRY_MISSING",                       // 75
	"LOG_ENTRY_TRIMMED",                       // 76
	"LOG_ENTRY_UNRELEASED",                    // 77
	"LOG_ENTRY_RELEASED",                      // 78
	"AUTO_DECOMMISSION_FORBIDDEN",             // 79
	"INCONSISTENT_BLOCK_SERVICE_REGISTRATION", // 80
	"SWAP_BLOCKS_INLINE_STORAGE",              // 81
	"SWAP_BLOCKS_MISMATCHING_SIZE",            // 82
	"SWAP_BLOCKS_MISMATCHING_STATE",           // 83
	"SWAP_BLOCKS_MISMATCHING_CRC",             // 84
	"SWAP_BLOCKS_DUPLICATE_BLOCK_SERVICE",     // 85
	"SWAP_SPANS_INLINE_STORAGE",               // 86
	"SWAP_SPANS_MISMATCHING_SIZE",             // 87
	"SWAP_SPANS_NOT_CLEAN",                    // 88
	"SWAP_SPANS_MISMATCHING_CRC",              // 89
	"SWAP_SPANS_MISMATCHING_BLOCKS",           // 90
	"EDGE_NOT_OWNED",                          // 91
	"CANNOT_CREATE_DB_SNAPSHOT",               // 92
	"BLOCK_SIZE_NOT_MULTIPLE_OF_PAGE_SIZE",    // 93
	"SWAP_BLOCKS_DUPLICATE_FAILURE_DOMAIN",    // 94
	"TRANSIENT_LOCATION_COUNT",                // 95
	"ADD_SPAN_LOCATION_INLINE_STORAGE",        // 96
	"ADD_SPAN_LOCATION_MISMATCHING_SIZE",      // 97
	"ADD_SPAN_LOCATION_NOT_CLEAN",             // 98
	"ADD_SPAN_LOCATION_MISMATCHING_CRC",       // 99
	"ADD_SPAN_LOCATION_EXISTS",                // 100
	"SWAP_BLOCKS_MISMATCHING_LOCATION",        // 101
	"LOCATION_EXISTS",                         // 102
	"LOCATION_NOT_FOUND",                      // 103
}

const firstErrorCode = 10

// Name is the protocol's name for the code, e.g. "NAME_NOT_FOUND".
func (e Error) Name() string {
	if i := int(e) - firstErrorCode; i >= 0 && i < len(errorNames) {
		return errorNames[i]
	}
	return fmt.Sprintf("UNKNOWN_ERROR_%d", uint16(e))
}

func (e Error) Error() string { return fmt.Sprintf("ternfs: %s (%d)", e.Name(), uint16(e)) }

// Sentinel is the store error this code means, or nil. Some codes change
// meaning with the operation (CANNOT_OVERRIDE_NAME is ErrExists for
// MakeDirectory but ErrIsDirectory for LinkFile); callers that know better
// translate those themselves.
func (e Error) Sentinel() error {
	switch e {
	case ErrFileNotFound, ErrDirectoryNotFound, ErrNameNotFound, ErrEdgeNotFound,
		ErrOldDirectoryNotFound, ErrNewDirectoryNotFound:
		return store.ErrNotFound
	case ErrTypeIsDirectory:
		return store.ErrIsDirectory
	case ErrTypeIsNotDirectory:
		return store.ErrNotDirectory
	case ErrCannotOverrideName:
		return store.ErrExists
	case ErrDirectoryNotEmpty:
		return store.ErrNotEmpty
	case ErrBadName:
		return store.ErrInvalidName
	case ErrMismatchingTarget, ErrMismatchingCreationTime:
		return store.ErrStale
	}
	return nil
}

// Is makes errors.Is(err, store.ErrNotFound) hold for NAME_NOT_FOUND etc.,
// and errors.Is(err, store.ErrDirectoryGone) for the codes that say the
// directory itself is gone: a shard answers DIRECTORY_NOT_FOUND to a
// request in a removed directory, NAME_NOT_FOUND to a missing name in a
// live one.
func (e Error) Is(target error) bool {
	if target == store.ErrDirectoryGone {
		return e.DirectoryGone()
	}
	s := e.Sentinel()
	return s != nil && s == target
}

// DirectoryGone reports the codes that mean the directory a request names
// does not exist (any more).
func (e Error) DirectoryGone() bool {
	switch e {
	case ErrDirectoryNotFound, ErrOldDirectoryNotFound, ErrNewDirectoryNotFound:
		return true
	}
	return false
}

// Retryable reports codes that describe a transient condition: retrying
// the same request later may succeed.
func (e Error) Retryable() bool {
	switch e {
	case ErrTimeout, ErrEdgeIsLocked, ErrNameIsLocked, ErrMoreRecentCurrentEdge:
		return true
	}
	return false
}

// AsError extracts a TernFS error code from err.
func AsError(err error) (Error, bool) {
	var e Error
	ok := errors.As(err, &e)
	return e, ok
}

func fmtMalformed(what string) error { return fmt.Errorf("%w: %s", ErrMalformed, what) }
