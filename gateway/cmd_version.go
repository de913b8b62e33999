package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// commit is the git commit the binary was built from when the build says
// so with -ldflags "-X main.commit=<sha>" (the Dockerfile does: its build
// context has no .git for Go to stamp from).
var commit = ""

// printVersion writes the release version, the Go version and the commit
// the binary was built from: Go's VCS stamp (go build in a git checkout),
// else the one given at link time, else a line saying why it is unknown.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "terngate %s\n", version)
	fmt.Fprintf(w, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	settings := map[string]string{}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
	}
	switch rev := settings["vcs.revision"]; {
	case rev != "":
		if settings["vcs.modified"] == "true" {
			rev += " (modified)"
		}
		fmt.Fprintf(w, "commit: %s\n", rev)
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(w, "commit time: %s\n", t)
		}
	case commit != "":
		fmt.Fprintf(w, "commit: %s\n", commit)
	default:
		fmt.Fprintln(w, "commit: unknown (not stamped: go run and builds outside a git checkout carry none; build with `go build ./gateway` in a checkout, or add -ldflags \"-X main.commit=<sha>\")")
	}
}
