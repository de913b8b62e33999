package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// printVersion writes the release version, the Go version and, when the
// binary was built from a git checkout, the commit it was built from.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "terngate %s\n", version)
	fmt.Fprintf(w, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		if settings["vcs.modified"] == "true" {
			rev += " (modified)"
		}
		fmt.Fprintf(w, "commit: %s\n", rev)
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(w, "commit time: %s\n", t)
		}
	}
}
