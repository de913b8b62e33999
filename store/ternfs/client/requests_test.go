package client

import (
	"slices"
	"testing"

	"github.com/terngate/terngate/store/ternfs/wire"
)

func TestRequestCounterNamesKindsByMessage(t *testing.T) {
	var rc RequestCounter
	rc.add(ServiceShard, &wire.LookupReq{})
	rc.add(ServiceShard, &wire.LookupReq{})
	rc.add(ServiceCDC, &wire.MakeDirectoryReq{})
	rc.add(ServiceBlock, (*wire.WriteBlockReq)(nil))
	want := []RequestCount{
		{RequestKind{ServiceBlock, "WriteBlock"}, 1},
		{RequestKind{ServiceCDC, "MakeDirectory"}, 1},
		{RequestKind{ServiceShard, "Lookup"}, 2},
	}
	if got := rc.Counts(); !slices.Equal(got, want) {
		t.Errorf("counts %v, want %v", got, want)
	}
	var nilCounter *RequestCounter
	nilCounter.add(ServiceShard, &wire.LookupReq{}) // a Client built without one must not panic
}
