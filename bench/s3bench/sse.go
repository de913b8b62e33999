package s3bench

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// sseKinds are the encryption workloads; they must be asked for by name.
var sseKinds = []Kind{SSEPut, SSEGet}

// sseModes are the encryptions sse-put and sse-get measure, each beside
// plaintext: SSE-S3, and SSE-KMS with the gateway's static key ring.
var sseModes = []types.ServerSideEncryption{types.ServerSideEncryptionAes256, types.ServerSideEncryptionAwsKms}

// goalSSERatio is issue #17's target: encrypted PUT and GET throughput at
// least 0.8 of plaintext's on the same server (with AES-NI).
const goalSSERatio = 0.8

func (k Kind) encrypted() bool { return k == SSEPut || k == SSEGet }

func sseModeName(m types.ServerSideEncryption) string {
	switch m {
	case types.ServerSideEncryptionAes256:
		return "SSE-S3"
	case types.ServerSideEncryptionAwsKms:
		return "SSE-KMS"
	case "":
		return "plaintext"
	}
	return string(m)
}

// primaryOps is what a workload runs on the measured endpoint: its op, and
// for the encryption workloads the same op in each mode, so that every
// round measures encrypted and plaintext side by side.
func (k Kind) primaryOps(s Settings) []op {
	plain := k.s3Op(s)
	ops := []op{plain}
	if k.encrypted() {
		for _, m := range sseModes {
			enc := plain
			enc.sse = m
			ops = append(ops, enc)
		}
	}
	return ops
}

// sseServerArgs gives a started terngate an SSE-S3 master key and a static
// SSE-KMS key ring of one fresh random key each: throwaway keys of a
// throwaway data directory.
func sseServerArgs() ([]string, error) {
	var args []string
	for _, flag := range []string{"--sse-master-key", "--kms-key"} {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("bench key: %w", err)
		}
		args = append(args, flag, "bench:"+base64.StdEncoding.EncodeToString(key))
	}
	// The bench speaks plain HTTP on loopback, where S3 would refuse
	// SSE-KMS.
	return append(args, "--sse-kms-over-http"), nil
}

// SSEFigures is one encryption mode of sse-put or sse-get over the run,
// against the plaintext op of the same server (the comparison's Target).
type SSEFigures struct {
	Mode string `json:"mode"`
	Figures
	VsPlaintext *Ratios `json:"vs_plaintext,omitempty"`
}

// compareSSE builds an encryption workload's comparison: the plaintext op
// as its target (whichever workload ran it), each mode beside it.
func compareSSE(s Settings, k Kind, target string, phases []Phase) (*Comparison, error) {
	ops := k.primaryOps(s)
	byOp := map[string][]Phase{}
	for _, p := range phases {
		if p.Target == target {
			byOp[p.Op] = append(byOp[p.Op], p)
		}
	}
	plain, err := figures(target, byOp[ops[0].String()], headlineMiB)
	if err != nil || plain == nil {
		return nil, err
	}
	c := &Comparison{Workload: k, Size: k.size(s), Concurrency: s.Concurrency, Headline: headlineMiB, Target: *plain}
	for _, o := range ops[1:] {
		f, err := figures(target, byOp[o.String()], headlineMiB)
		if err != nil {
			return nil, err
		}
		if f == nil {
			continue
		}
		c.SSE = append(c.SSE, SSEFigures{Mode: sseModeName(o.sse), Figures: *f, VsPlaintext: ratios(f, plain, headlineMiB)})
	}
	return c, nil
}

// sseGoals checks each mode's throughput against plaintext's.
func sseGoals(comps []Comparison) []Goal {
	var goals []Goal
	for _, c := range comps {
		for _, m := range c.SSE {
			goals = append(goals, Goal{
				Name:     fmt.Sprintf("%s %s %s vs plaintext", c.Workload, FormatSize(c.Size), m.Mode),
				Measured: m.VsPlaintext.Throughput,
				Goal:     fmt.Sprintf(">= %.2f", goalSSERatio),
				Met:      m.VsPlaintext.Throughput >= goalSSERatio,
			})
		}
	}
	return goals
}
