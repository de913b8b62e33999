package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize"
)

// byteSize is a size setting: a number of bytes, or a number with a unit,
// decimal (5GB = 5·10⁹) or binary (5GiB = 5·2³⁰), as flag, environment
// variable or YAML value.
type byteSize int64

// Set parses s (flag.Value).
func (b *byteSize) Set(s string) error {
	n, err := humanize.ParseBytes(strings.TrimSpace(s))
	if err != nil || n > math.MaxInt64 {
		return fmt.Errorf("%q is not a size: give bytes, or a number with a unit such as 5GiB, 5GB or 256MiB", s)
	}
	*b = byteSize(n)
	return nil
}

// String gives the size in the largest binary unit that holds it exactly,
// so that help shows 5GiB rather than 5368709120.
func (b *byteSize) String() string {
	if b == nil {
		return "0"
	}
	n := int64(*b)
	for _, u := range []struct {
		name  string
		shift uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if n != 0 && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}

// UnmarshalYAML takes a YAML integer or a string with a unit.
func (b *byteSize) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err != nil {
		return err
	}
	return b.Set(s)
}
