package main

import "testing"

func TestParseWorkloads(t *testing.T) {
	ws, err := parseWorkloads("1GiB, 64MiBx8,3KiB")
	if err != nil {
		t.Fatal(err)
	}
	want := []workload{{1 << 30, 1}, {64 << 20, 8}, {3 << 10, 1}}
	if len(ws) != len(want) {
		t.Fatalf("got %v", ws)
	}
	for i := range want {
		if ws[i] != want[i] {
			t.Fatalf("workload %d: got %+v, want %+v", i, ws[i], want[i])
		}
	}
	if ws[1].String() != "64MiBx8" || ws[0].String() != "1GiB" {
		t.Fatalf("names %q %q", ws[0], ws[1])
	}
	for _, bad := range []string{"", "1GB", "0MiB", "1GiBx0", "x8"} {
		if _, err := parseWorkloads(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
