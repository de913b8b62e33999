package s3bench

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Kind is a workload.
type Kind string

// The workloads, in the order a run executes them.
const (
	Put       Kind = "put"
	Get       Kind = "get"
	Multipart Kind = "multipart"
	List      Kind = "list"
	SmallPut  Kind = "small-put"
	SmallGet  Kind = "small-get"
	Mixed     Kind = "mixed"
	// ListLarge lists a page from the middle of a bucket of ListLargeKeys
	// keys, ListPrefixes a delimiter page over ListPrefixes common
	// prefixes; both beside List (a page of ListObjects keys) as their
	// yardstick. They seed many keys, so "all" leaves them out.
	ListLarge    Kind = "list-large"
	ListPrefixes Kind = "list-prefixes"
	// SSEPut and SSEGet are put and get of Size objects encrypted with
	// SSE-S3 and with SSE-KMS, beside the same op in plaintext on the same
	// server in the same round as their yardstick (sse.go). They need the
	// server's key rings, so "all" leaves them out.
	SSEPut Kind = "sse-put"
	SSEGet Kind = "sse-get"
)

// AllKinds is every workload in run order.
var AllKinds = []Kind{Put, Get, Multipart, List, SmallPut, SmallGet, Mixed}

// bigListKinds are the workloads that must be asked for by name, with
// sseKinds.
var bigListKinds = []Kind{ListLarge, ListPrefixes}

// ParseKinds reads a comma-separated list of workloads; "all" is every one.
func ParseKinds(s string) ([]Kind, error) {
	if strings.TrimSpace(s) == "all" {
		return AllKinds, nil
	}
	var out []Kind
	seen := map[Kind]bool{}
	for part := range strings.SplitSeq(s, ",") {
		k := Kind(strings.TrimSpace(part))
		if !k.valid() {
			return nil, fmt.Errorf("unknown workload %q (want %s or all)", k, joinKinds(slices.Concat(AllKinds, bigListKinds, sseKinds)))
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}

func (k Kind) valid() bool {
	return slices.Contains(AllKinds, k) || k.bigList() || k.encrypted()
}

// bigList says whether the workload lists a seeded big bucket, with List
// as its yardstick.
func (k Kind) bigList() bool { return slices.Contains(bigListKinds, k) }

func joinKinds(ks []Kind) string {
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// bulk says whether the workload is about bytes (MiB/s is its headline)
// rather than operations (ops/s).
func (k Kind) bulk() bool { return k == Put || k == Get || k == Multipart || k.encrypted() }

// size is the object size a workload uses under s.
func (k Kind) size(s Settings) int64 {
	switch k {
	case Put, Get, Multipart, SSEPut, SSEGet:
		return s.Size
	case SmallPut, SmallGet:
		return s.SmallSize
	case Mixed:
		return s.MixedSize
	default:
		return 0
	}
}

// op is one concrete measurement: an operation at a size, as run on one
// kind of target. The yardsticks of a workload are ops too, so a reference
// PUT of 64 MiB measured for "put" is reused for "multipart" in the same
// round.
type op struct {
	name string // put, get, multipart, list, mixed on S3; write, read on disk
	size int64
	// sse is the encryption a put asks for, or the objects a get reads
	// were put with (sse.go); "" for plaintext.
	sse types.ServerSideEncryption
}

func (o op) String() string {
	if o.size == 0 {
		return o.name
	}
	s := o.name + " " + FormatSize(o.size)
	if o.sse != "" {
		s += " " + sseModeName(o.sse)
	}
	return s
}

// s3Op is what the workload runs against an S3 endpoint.
func (k Kind) s3Op(s Settings) op {
	switch k {
	case SmallPut:
		return op{name: "put", size: s.SmallSize}
	case SmallGet:
		return op{name: "get", size: s.SmallSize}
	case SSEPut:
		return op{name: "put", size: s.Size}
	case SSEGet:
		return op{name: "get", size: s.Size}
	default:
		return op{name: string(k), size: k.size(s)}
	}
}

// referenceOp is what the reference server runs as this workload's
// yardstick; ok is false when it has none (it cannot list, and multipart
// is measured against a single PUT of the same bytes: the least work to
// store them).
func (k Kind) referenceOp(s Settings) (op, bool) {
	switch k {
	case List, ListLarge, ListPrefixes, SSEPut, SSEGet:
		return op{}, false
	case Multipart:
		return op{name: "put", size: s.Size}, true
	default:
		return k.s3Op(s), true
	}
}

// diskOp is the raw-disk yardstick: the same bytes written with fsync or
// read back, in this process.
func (k Kind) diskOp(s Settings) (op, bool) {
	switch k {
	case Put, Multipart, SmallPut:
		return op{name: "write", size: k.size(s)}, true
	case Get, SmallGet:
		return op{name: "read", size: k.size(s)}, true
	default:
		return op{}, false
	}
}

var sizeUnits = []struct {
	suffix string
	bytes  int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// ParseSize reads "64MiB", "4KiB", "1GiB" or "100B".
func ParseSize(s string) (int64, error) {
	for _, u := range sizeUnits {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			var n int64
			if _, err := fmt.Sscanf(num, "%d", &n); err != nil || n < 1 || fmt.Sprint(n) != num {
				return 0, fmt.Errorf("size %q: want a positive integer before %s", s, u.suffix)
			}
			return n * u.bytes, nil
		}
	}
	return 0, fmt.Errorf("size %q: want a unit GiB, MiB, KiB or B", s)
}

// FormatSize writes n in the largest unit that divides it: 64MiB, 1GiB.
func FormatSize(n int64) string {
	for _, u := range sizeUnits {
		if n%u.bytes == 0 {
			return fmt.Sprintf("%d%s", n/u.bytes, u.suffix)
		}
	}
	return fmt.Sprintf("%dB", n)
}
