package ternfs

import (
	"reflect"
	"testing"

	"github.com/terngate/terngate/store/ternfs/wire"
)

func TestParseSpanPolicy(t *testing.T) {
	if p, err := ParseSpanPolicy(""); err != nil || !reflect.DeepEqual(p, DefaultSpanPolicies()) {
		t.Errorf("empty: %+v, %v; want the default policies", p, err)
	}
	p, err := ParseSpanPolicy("65536:1+2, 27484160:10+4")
	if err != nil {
		t.Fatal(err)
	}
	want := []wire.SpanPolicyEntry{{MaxSize: 65536, Parity: mustParity(1, 2)}, {MaxSize: 27484160, Parity: mustParity(10, 4)}}
	if !reflect.DeepEqual(p.Span.Entries, want) {
		t.Errorf("entries %+v, want %+v", p.Span.Entries, want)
	}
	if def := DefaultSpanPolicies(); !reflect.DeepEqual(p.Block, def.Block) || p.Stripe != def.Stripe {
		t.Error("the BLOCK and STRIPE policies are not the default ones")
	}
	for _, bad := range []string{
		"27484160",              // no parity
		"27484160:10",           // no parity blocks
		"27484160:10+0",         // data blocks need parity
		"27484160:16+4",         // too many data blocks
		"x:10+4",                // not a size
		"9999999:3+4,65536:1+2", // descending
		"200:1+2",               // no span takes blocks
	} {
		if _, err := ParseSpanPolicy(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
