package compat

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"

	"github.com/terngate/terngate/internal/syncbuf"
)

// command is a client program with the environment it runs in.
type command struct {
	path string
	env  []string
	dir  string
}

// run executes the program and returns its stdout; a non-zero exit is an
// error carrying both streams.
func (c command) run(args ...string) (string, error) {
	cmd := exec.Command(c.path, args...)
	cmd.Env, cmd.Dir = c.env, c.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %v\nstdout: %s\nstderr: %s", c.path, strings.Join(args, " "), err, syncbuf.Tail(stdout.String(), 4000), syncbuf.Tail(stderr.String(), 4000))
	}
	return stdout.String(), nil
}

// combined is run with stdout and stderr together, for tools that log
// what they did on stderr.
func (c command) combined(args ...string) (string, error) {
	cmd := exec.Command(c.path, args...)
	cmd.Env, cmd.Dir = c.env, c.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", c.path, strings.Join(args, " "), err, syncbuf.Tail(string(out), 6000))
	}
	return string(out), nil
}

// lookTool finds a client program on PATH, or says how to install it.
func lookTool(name, install string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s is not on PATH; install it with `%s` (bash .ci/run does)", name, install)
	}
	return path, nil
}

// firstLine is the first line of a version banner.
func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

// scriptSteps runs a scenario script once, when its first step runs, and
// maps the script's report lines — "ok <step>", or "FAIL <step>: <why>"
// before it exits non-zero — to steps. One process for the whole scenario
// spares a runtime and SDK start per step.
func scriptSteps(c command, args []string, names []string) []step {
	var (
		ran     bool
		outcome = map[string]error{}
		runErr  error
	)
	run := func() {
		ran = true
		cmd := exec.Command(c.path, args...)
		cmd.Env, cmd.Dir = c.env, c.dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			runErr = fmt.Errorf("%s %s: %v\nstderr: %s", c.path, strings.Join(args, " "), err, syncbuf.Tail(stderr.String(), 4000))
		}
		for _, line := range strings.Split(stdout.String(), "\n") {
			if name, ok := strings.CutPrefix(line, "ok "); ok {
				outcome[name] = nil
			} else if rest, ok := strings.CutPrefix(line, "FAIL "); ok {
				name, why, _ := strings.Cut(rest, ": ")
				outcome[name] = fmt.Errorf("%s\n%v", why, runErr)
			}
		}
	}
	steps := make([]step, len(names))
	for i, name := range names {
		steps[i] = step{name, func() error {
			if !ran {
				run()
			}
			err, reported := outcome[name]
			if !reported {
				return fmt.Errorf("the script ended before this step: %v", runErr)
			}
			return err
		}}
	}
	return steps
}
