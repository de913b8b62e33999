package span

import (
	"bytes"
	"testing"
)

// On a CPU without AVX2 the table maps everything, to the same bytes.
func TestMapBytesWithoutAVX2(t *testing.T) {
	src := make([]byte, 1000)
	for i := range src {
		src[i] = byte(i * 7)
	}
	vector := make([]byte, len(src))
	mapBytes(vector, src, &toSIMDField.to)

	defer func(had bool) { haveAVX2 = had }(haveAVX2)
	haveAVX2 = false
	table := make([]byte, len(src))
	mapBytes(table, src, &toSIMDField.to)
	if !bytes.Equal(vector, table) {
		t.Fatal("the table and the vector path map bytes differently")
	}
}
