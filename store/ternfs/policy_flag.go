package ternfs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"
)

// ParseSpanPolicy reads the SPAN policy of a configuration string,
// "MAXSIZE:D+P[,MAXSIZE:D+P...]": spans of up to MAXSIZE bytes are written
// with D data and P parity blocks (D 1 with P copies mirrors), sizes
// ascending. The result keeps DefaultSpanPolicies' BLOCK and STRIPE
// policies. An empty string is DefaultSpanPolicies.
func ParseSpanPolicy(s string) (*span.SpanPolicies, error) {
	p := DefaultSpanPolicies()
	if strings.TrimSpace(s) == "" {
		return p, nil
	}
	p.Span.Entries = nil
	for _, entry := range strings.Split(s, ",") {
		size, parity, ok := strings.Cut(strings.TrimSpace(entry), ":")
		if !ok {
			return nil, fmt.Errorf("span policy entry %q: want MAXSIZE:D+P", entry)
		}
		maxSize, err := strconv.ParseUint(size, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("span policy entry %q: size: %w", entry, err)
		}
		d, pp, ok := strings.Cut(parity, "+")
		data, derr := strconv.Atoi(d)
		par, perr := strconv.Atoi(pp)
		if !ok || derr != nil || perr != nil {
			return nil, fmt.Errorf("span policy entry %q: parity: want D+P", entry)
		}
		made, err := wire.MakeParity(data, par)
		if err != nil {
			return nil, fmt.Errorf("span policy entry %q: %w", entry, err)
		}
		if n := len(p.Span.Entries); n > 0 && uint32(maxSize) <= p.Span.Entries[n-1].MaxSize {
			return nil, fmt.Errorf("span policy entry %q: sizes must ascend", entry)
		}
		p.Span.Entries = append(p.Span.Entries, wire.SpanPolicyEntry{MaxSize: uint32(maxSize), Parity: made})
	}
	if _, err := appendSpanSize(p); err != nil {
		return nil, err
	}
	return p, nil
}
