// Command terngate-bench measures terngate against a minimal reference S3
// server on the same machine, in the same run, with the same client: PUT and
// GET throughput, server CPU-seconds per GiB and peak RSS, reported as
// terngate / reference ratios because absolute figures on a shared machine
// mean little.
//
//	go build -o /tmp/tg ./gateway
//	go run ./bench/cmd/terngate-bench --terngate-bin /tmp/tg
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/terngate/terngate/bench/refserver"
)

// refserverCommand is the hidden subcommand under which this binary serves
// the reference server.
const refserverCommand = "refserver"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintf(os.Stderr, "terngate-bench: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	// The reference server runs as this same binary re-executed, so that
	// its CPU time and RSS are its own process's.
	if len(args) > 0 && args[0] == refserverCommand {
		return refserver.RunCommand(ctx, refserverCommand, args[1:], stderr)
	}
	opts, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	return benchmark(ctx, opts, stdout)
}
