package ternfsbench

import (
	"context"
	"fmt"
	"time"

	"github.com/terngate/terngate/bench/s3bench"
	"github.com/terngate/terngate/bench/s3object"
	"github.com/terngate/terngate/bench/workload"
)

// Op is what a phase does with an object: PUT it onto the cluster or GET
// it back.
type Op string

const (
	Put Op = "put"
	Get Op = "get"
)

// The targets, by name.
const (
	terngateName = "terngate"
	terns3Name   = "terns3"
	terncliName  = "terncli"
	awsName      = "aws-cli"
	awsLocalName = "aws-cli-local" // the AWS CLI to a terngate on the local store
)

// Buckets, and the directories under Root they are: terngate creates them,
// and terns3 and terncli write into them, so every writer's files get the
// same span policies (those terngate sets on Root).
const (
	terngateBucket = "terngate" // terngate's and the AWS CLI's PUTs, and the objects every GET reads
	terns3Bucket   = "terns3"   // terns3's PUTs
	terncliBucket  = "terncli"  // terncli's copies in
)

// target copies objects onto the cluster and back in one way.
type target interface {
	name() string
	// does describes how it copies, for the report ("terncli cp-into").
	does(o Op) string
	// workload returns the timed operation of o at size, or false if this
	// target does not do o.
	workload(o Op, size int64) (workload.Op, bool)
	// serverPid is the gateway process charged with the target's server
	// CPU (0: none of its own).
	serverPid() int
	// toolCPU is the CPU time of the commands it has run so far.
	toolCPU() time.Duration
}

// Keys of the objects, the same in every bucket: put-<size>-<worker> is
// overwritten by each PUT of a worker, get-<size>-<worker> is written once,
// by terngate before the first round, and read by every target, so all
// readers read the same files.
func putKey(size int64, worker int) string {
	return fmt.Sprintf("put-%s-%d", s3bench.FormatSize(size), worker)
}

func getKey(size int64, worker int) string {
	return fmt.Sprintf("get-%s-%d", s3bench.FormatSize(size), worker)
}

// s3Target copies with the benchmarks' S3 client (aws-sdk-go-v2, signed
// payloads, every GET byte checked): against terngate or terns3.
type s3Target struct {
	label string
	pid   int
	puts  s3object.Bucket // where its PUTs go
	gets  s3object.Bucket // where the shared GET objects are
}

func (t *s3Target) name() string           { return t.label }
func (t *s3Target) serverPid() int         { return t.pid }
func (t *s3Target) toolCPU() time.Duration { return 0 }

func (t *s3Target) does(o Op) string {
	return t.label + " S3 " + opName(o)
}

func (t *s3Target) workload(o Op, size int64) (workload.Op, bool) {
	switch o {
	case Put:
		return func(ctx context.Context, w, seq int) (int64, error) {
			return size, t.puts.Put(ctx, putKey(size, w), int64(w), size)
		}, true
	case Get:
		return func(ctx context.Context, w, seq int) (int64, error) {
			return size, t.gets.Get(ctx, getKey(size, w), int64(w), size)
		}, true
	}
	return nil, false
}
