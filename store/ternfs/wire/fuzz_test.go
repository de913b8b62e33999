package wire

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzUnmarshal feeds arbitrary bytes to every message decoder: decoding
// must never panic, and whatever decodes must re-encode to the same bytes
// (the encoding is canonical).
func FuzzUnmarshal(f *testing.F) {
	vectors := allVectors()
	for i, v := range vectors {
		f.Add(uint8(i), wire(f, v.wire))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		v := vectors[int(which)%len(vectors)]
		m := reflect.New(reflect.TypeOf(v.msg).Elem()).Interface().(Message)
		if err := Unmarshal(data, m); err != nil {
			return
		}
		out, err := Marshal(m)
		if err != nil {
			t.Fatalf("%s decoded but does not re-encode: %v", v.name, err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("%s: re-encoded %x from %x", v.name, out, data)
		}
	})
}

// FuzzDatagram parses arbitrary datagrams as shard responses.
func FuzzDatagram(f *testing.F) {
	f.Add(AppendErrorDatagram(nil, ShardResponseMagic, 1, ErrNameNotFound))
	ok, _ := AppendShardResponse(nil, 2, &ReadDirResp{NextHash: 1, Results: []CurrentEdge{{Name: "x"}}})
	f.Add(ok)
	f.Fuzz(func(t *testing.T, pkt []byte) {
		d, err := ParseDatagram(pkt, ShardResponseMagic)
		if err != nil {
			return
		}
		_ = d.DecodeShard(&ReadDirResp{})
		_ = d.DecodeShard(&LocalFileSpansResp{})
	})
}

// FuzzRegistryFrame reads arbitrary streams as registry frames.
func FuzzRegistryFrame(f *testing.F) {
	f.Add(AppendRegistryError(nil, ErrTimeout))
	ok, _ := AppendRegistryResponse(nil, &LocalShardsResp{Shards: make([]ShardInfo, 3)})
	f.Add(ok)
	f.Fuzz(func(t *testing.T, stream []byte) {
		fr, err := ReadRegistryFrame(bytes.NewReader(stream), RegistryResponseMagic)
		if err != nil {
			return
		}
		_ = fr.Decode(&LocalShardsResp{})
	})
}
