package s3api

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/terngate/terngate/checksum"
)

// TestChecksumFieldsCoverEveryAlgorithm: every algorithm the gateway
// accepts has its Checksum<ALG> element (CompleteMultipartUpload, ListParts,
// GetObjectAttributes, CopyObjectResult, CopyPartResult), so a value is
// never stored but left out of a reply, and a Complete's part values are
// read back.
func TestChecksumFieldsCoverEveryAlgorithm(t *testing.T) {
	for _, alg := range checksum.Algorithms() {
		value := checksum.Checksum(alg, []byte("x"))
		var f checksumFields
		f.set(alg, value)
		if got := f.values(); len(got) != 1 || got[alg] != value {
			t.Errorf("%s: set then values = %v", alg, got)
		}
		out, err := xml.Marshal(struct {
			XMLName xml.Name `xml:"Part"`
			checksumFields
		}{checksumFields: f})
		if err != nil {
			t.Fatal(err)
		}
		want := "<Checksum" + string(alg) + ">" + value + "</Checksum" + string(alg) + ">"
		if !strings.Contains(string(out), want) {
			t.Errorf("%s: %s lacks %s", alg, out, want)
		}
		if c := xmlChecksum(map[string]string{string(alg): value}, ""); c.values()[alg] != value {
			t.Errorf("%s: xmlChecksum lost the value", alg)
		}
	}
}
