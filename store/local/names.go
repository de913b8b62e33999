package local

import (
	"fmt"
	"strings"

	"github.com/terngate/terngate/store"
)

// validateName enforces the edge-name rules of store.ErrInvalidName.
func validateName(name string) error {
	switch {
	case name == "", name == ".", name == "..",
		len(name) > store.MaxNameLen,
		strings.ContainsAny(name, "/\x00"):
		return fmt.Errorf("%q: %w", name, store.ErrInvalidName)
	}
	return nil
}
