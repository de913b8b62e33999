package objects

import (
	"reflect"
	"strings"
	"testing"

	"github.com/terngate/terngate/sse"
)

// A record read from an attribute is decoded again once the attribute
// changed in place (ReplaceMetadata sets it with SetFileAttribute), and a
// caller changing the record it got changes nothing for the next reader.
func TestAttributeRecordCacheFollowsInPlaceChanges(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx := t.Context()
	_, err := l.Put(ctx, PutInput{Bucket: testBucket, Key: "k", Body: strings.NewReader("body"), Size: 4,
		Metadata: Metadata{ContentType: "text/one", User: map[string]string{"v": "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	stat := func() ObjectInfo {
		t.Helper()
		info, err := l.Stat(ctx, testBucket, "k")
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	first := stat() // decoded and cached
	first.Metadata.User["v"] = "changed by a caller"
	if again := stat(); again.Metadata.User["v"] != "1" {
		t.Fatalf("a caller's change reached the cache: %q", again.Metadata.User["v"])
	}
	if _, err := l.ReplaceMetadata(ctx, testBucket, "k", "", Metadata{ContentType: "text/two", User: map[string]string{"v": "2"}}); err != nil {
		t.Fatal(err)
	}
	if got := stat(); got.Metadata.ContentType != "text/two" || got.Metadata.User["v"] != "2" {
		t.Fatalf("after the metadata was replaced in place: %+v", got.Metadata)
	}
	mustGet(t, l, "k", "body")
}

// clone must copy every map, slice and pointer of a record: a field added
// to the record (or its Metadata) without a copy in clone would let one
// reader's change reach the cache and every later reader.
func TestRecordCloneCoversEveryField(t *testing.T) {
	cloned := map[string]bool{"Meta.User": true, "Meta.Checksums": true, "Meta.Tags": true, "Parts": true, "PartSums": true, "SSE": true, "SealedParts": true}
	var check func(prefix string, typ reflect.Type)
	check = func(prefix string, typ reflect.Type) {
		for f := range typ.Fields() {
			name := prefix + f.Name
			switch f.Type.Kind() {
			case reflect.Struct:
				check(name+".", f.Type)
			case reflect.Map, reflect.Slice, reflect.Pointer, reflect.Interface:
				if !cloned[name] {
					t.Errorf("record field %s (%v) is shared by record.clone: copy it there and list it here", name, f.Type)
				}
			}
		}
	}
	check("", reflect.TypeFor[record]())

	orig := record{Meta: Metadata{User: map[string]string{"a": "1"}, Checksums: map[string]string{"CRC32": "x"}, Tags: []Tag{{Key: "k", Value: "v"}}}, Parts: []int64{1}, PartSums: []string{"s"}}
	c := orig.clone()
	c.Meta.User["a"], c.Meta.Checksums["CRC32"], c.Parts[0], c.PartSums[0] = "2", "y", 2, "t"
	c.Meta.Tags[0].Value = "w"
	orig.SSE = &sse.Info{KeyID: "k1", Sealed: []byte{1}}
	orig.SealedParts = []SealedPart{{Number: 1, StoredSize: 33}}
	c2 := orig.clone()
	c2.SSE.KeyID, c2.SSE.Sealed[0] = "k2", 2
	c2.SealedParts[0].StoredSize = 34
	if orig.SSE.KeyID != "k1" || orig.SSE.Sealed[0] != 1 || orig.SealedParts[0].StoredSize != 33 {
		t.Fatalf("a change to the clone's encryption reached the original: %+v %+v", orig.SSE, orig.SealedParts)
	}
	if orig.Meta.User["a"] != "1" || orig.Meta.Checksums["CRC32"] != "x" || orig.Parts[0] != 1 || orig.PartSums[0] != "s" || orig.Meta.Tags[0].Value != "v" {
		t.Fatalf("a change to the clone reached the original: %+v", orig)
	}
}
