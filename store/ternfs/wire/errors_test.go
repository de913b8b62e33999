package wire

import (
	"errors"
	"fmt"
	"testing"

	"github.com/terngate/terngate/store"
)

func TestErrorNames(t *testing.T) {
	if len(errorNames) != 103-10+1 {
		t.Fatalf("%d names for codes 10..103", len(errorNames))
	}
	for code, name := range map[Error]string{
		10: "INTERNAL_ERROR", 12: "TIMEOUT", 17: "FILE_NOT_FOUND", 19: "NAME_NOT_FOUND",
		20: "EDGE_NOT_FOUND", 24: "BAD_COOKIE", 26: "LAST_SPAN_STATE_NOT_CLEAN", 34: "CANNOT_OVERRIDE_NAME",
		40: "DIRECTORY_NOT_EMPTY", 49: "FILE_EMPTY", 61: "BAD_CERTIFICATE", 66: "BLOCK_NOT_FOUND",
		69: "BLOCK_TOO_OLD_FOR_WRITE", 93: "BLOCK_SIZE_NOT_MULTIPLE_OF_PAGE_SIZE", 103: "LOCATION_NOT_FOUND",
	} {
		if code.Name() != name {
			t.Errorf("code %d: %s, want %s", code, code.Name(), name)
		}
	}
	// The named constants agree with the table.
	for code, name := range map[Error]string{
		ErrInternal: "INTERNAL_ERROR", ErrMalformedRequest: "MALFORMED_REQUEST", ErrFileNotFound: "FILE_NOT_FOUND",
		ErrDirectoryNotFound: "DIRECTORY_NOT_FOUND", ErrTypeIsDirectory: "TYPE_IS_DIRECTORY",
		ErrTypeIsNotDirectory: "TYPE_IS_NOT_DIRECTORY", ErrSpanNotFound: "SPAN_NOT_FOUND",
		ErrNameIsLocked: "NAME_IS_LOCKED", ErrMismatchingTarget: "MISMATCHING_TARGET",
		ErrMismatchingCreationTime: "MISMATCHING_CREATION_TIME", ErrFileIsNotTransient: "FILE_IS_NOT_TRANSIENT",
		ErrBadName: "BAD_NAME", ErrMoreRecentCurrentEdge: "MORE_RECENT_CURRENT_EDGE",
		ErrDeadlineNotPassed: "DEADLINE_NOT_PASSED", ErrBadBlockCrc: "BAD_BLOCK_CRC",
		ErrCouldNotPickBlockService: "COULD_NOT_PICK_BLOCK_SERVICES", ErrOldDirectoryNotFound: "OLD_DIRECTORY_NOT_FOUND",
	} {
		if code.Name() != name {
			t.Errorf("constant %d: %s, want %s", code, code.Name(), name)
		}
	}
	if got := Error(9).Name(); got != "UNKNOWN_ERROR_9" {
		t.Errorf("code 9: %s", got)
	}
	if got := ErrNameNotFound.Error(); got != "ternfs: NAME_NOT_FOUND (19)" {
		t.Errorf("Error(): %s", got)
	}
}

func TestErrorSentinels(t *testing.T) {
	cases := map[Error]error{
		ErrNameNotFound:            store.ErrNotFound,
		ErrFileNotFound:            store.ErrNotFound,
		ErrDirectoryNotFound:       store.ErrNotFound,
		ErrEdgeNotFound:            store.ErrNotFound,
		ErrTypeIsDirectory:         store.ErrIsDirectory,
		ErrTypeIsNotDirectory:      store.ErrNotDirectory,
		ErrCannotOverrideName:      store.ErrExists,
		ErrDirectoryNotEmpty:       store.ErrNotEmpty,
		ErrBadName:                 store.ErrInvalidName,
		ErrMismatchingTarget:       store.ErrStale,
		ErrMismatchingCreationTime: store.ErrStale,
		ErrBadCookie:               nil,
		ErrTimeout:                 nil,
	}
	all := []error{store.ErrNotFound, store.ErrIsDirectory, store.ErrNotDirectory, store.ErrExists,
		store.ErrNotEmpty, store.ErrInvalidName, store.ErrStale}
	for code, want := range cases {
		wrapped := fmt.Errorf("lookup: %w", code)
		for _, s := range all {
			if got := errors.Is(wrapped, s); got != (s == want) {
				t.Errorf("errors.Is(%v, %v) = %v", code, s, got)
			}
		}
		if back, ok := AsError(wrapped); !ok || back != code {
			t.Errorf("AsError(%v) = %v %v", wrapped, back, ok)
		}
	}
	if !ErrTimeout.Retryable() || ErrNameNotFound.Retryable() {
		t.Error("Retryable")
	}
}
