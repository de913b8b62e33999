package dockerfile

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// repoRoot is the build context: the repository, one level up.
const repoRoot = ".."

// Minimal final-stage bases: no shell, no package manager, static binaries.
var minimalBases = []string{
	"gcr.io/distroless/static-debian12:nonroot",
	"gcr.io/distroless/static-debian12",
	"scratch",
}

// dockerfile is the parsed Dockerfile.
type dockerfile struct {
	stages   []instructions.Stage
	metaArgs []instructions.ArgCommand
	warnings []string // parser and linter warnings
}

func parseDockerfile(t *testing.T) *dockerfile {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("parse Dockerfile: %v", err)
	}
	d := &dockerfile{}
	for _, w := range res.Warnings {
		d.warnings = append(d.warnings, w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		d.warnings = append(d.warnings, fmt.Sprintf("line %d: %s: %s", line, rule, msg))
	}})
	d.stages, d.metaArgs, err = instructions.Parse(res.AST, lint)
	if err != nil {
		t.Fatalf("Dockerfile instructions: %v", err)
	}
	if len(d.stages) == 0 {
		t.Fatal("Dockerfile has no stages")
	}
	return d
}

// commands returns the commands of type T in stage s, in order.
func commands[T instructions.Command](s instructions.Stage) []T {
	var out []T
	for _, c := range s.Commands {
		if v, ok := c.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// stageArgs maps the ARGs declared in stage s (before command index end) to
// their defaults ("" when none).
func stageArgs(s instructions.Stage, end int) map[string]string {
	args := map[string]string{}
	for _, c := range s.Commands[:end] {
		if a, ok := c.(*instructions.ArgCommand); ok {
			for _, kv := range a.Args {
				args[kv.Key] = kv.ValueString()
			}
		}
	}
	return args
}

func (d *dockerfile) final() instructions.Stage { return d.stages[len(d.stages)-1] }

func (d *dockerfile) stage(name string) (instructions.Stage, bool) {
	for _, s := range d.stages {
		if s.Name == name {
			return s, true
		}
	}
	return instructions.Stage{}, false
}

func TestDockerfileParsesWithoutWarnings(t *testing.T) {
	d := parseDockerfile(t)
	if len(d.warnings) > 0 {
		t.Errorf("Dockerfile warnings:\n%s", strings.Join(d.warnings, "\n"))
	}
}

func TestDockerfileIsMultiStageWithMinimalNonRootFinalStage(t *testing.T) {
	d := parseDockerfile(t)
	if len(d.stages) < 2 {
		t.Fatalf("want a multi-stage build, got %d stage(s)", len(d.stages))
	}
	final := d.final()
	if !slices.Contains(minimalBases, final.BaseName) {
		t.Errorf("final stage is FROM %q, want one of %q", final.BaseName, minimalBases)
	}
	users := commands[*instructions.UserCommand](final)
	if len(users) == 0 {
		t.Fatal("final stage sets no USER: the image would run as root (scratch) or depend on the base's default")
	}
	user := users[len(users)-1].User
	for i, part := range strings.Split(user, ":") {
		id, err := strconv.Atoi(part)
		if err != nil {
			t.Errorf("USER %q: part %d is not numeric (Kubernetes runAsNonRoot can only verify numeric ids)", user, i)
			continue
		}
		if id == 0 {
			t.Errorf("USER %q runs as root", user)
		}
	}

	eps := commands[*instructions.EntrypointCommand](final)
	if len(eps) != 1 {
		t.Fatalf("final stage has %d ENTRYPOINTs, want 1", len(eps))
	}
	if eps[0].PrependShell || !slices.Equal(eps[0].CmdLine, []string{"/terngate"}) {
		t.Errorf("ENTRYPOINT = %q (shell form %v), want exec form [\"/terngate\"]: there is no shell in the image and signals must reach the gateway", eps[0].CmdLine, eps[0].PrependShell)
	}

	var ports []string
	for _, e := range commands[*instructions.ExposeCommand](final) {
		ports = append(ports, e.Ports...)
	}
	for _, p := range []string{"9000", "9001"} {
		if !slices.Contains(ports, p) && !slices.Contains(ports, p+"/tcp") {
			t.Errorf("EXPOSE lacks %s (have %q)", p, ports)
		}
	}

	env := map[string]string{}
	for _, e := range commands[*instructions.EnvCommand](final) {
		for _, kv := range e.Env {
			env[kv.Key] = kv.Value
		}
	}
	for k, want := range map[string]string{
		"TERNGATE_DATA_DIR": "/data",
		"TERNGATE_LISTEN":   "0.0.0.0:9000",
	} {
		if env[k] != want {
			t.Errorf("ENV %s = %q, want %q", k, env[k], want)
		}
	}
	var volumes []string
	for _, v := range commands[*instructions.VolumeCommand](final) {
		volumes = append(volumes, v.Volumes...)
	}
	if !slices.Contains(volumes, "/data") {
		t.Errorf("VOLUME lacks the data dir /data (have %q)", volumes)
	}

	labels := map[string]string{}
	for _, l := range commands[*instructions.LabelCommand](final) {
		for _, kv := range l.Labels {
			labels[kv.Key] = kv.Value
		}
	}
	for _, k := range []string{"title", "description", "source", "version"} {
		if labels["org.opencontainers.image."+k] == "" {
			t.Errorf("LABEL org.opencontainers.image.%s missing", k)
		}
	}
	// The version label must follow the build argument, and the argument
	// must be declared in the final stage for the label to see it.
	args := stageArgs(final, len(final.Commands))
	if def, ok := args["VERSION"]; !ok || def != "dev" {
		t.Errorf("final stage: ARG VERSION default = %q (declared %v), want dev", def, ok)
	}
	args["VERSION"] = "v1.2.3"
	v, _, err := shell.NewLex('\\').ProcessWord(labels["org.opencontainers.image.version"], mapEnv(args))
	if err != nil || v != "v1.2.3" {
		t.Errorf("version label %q with --build-arg VERSION=v1.2.3 is %q (%v), want v1.2.3", labels["org.opencontainers.image.version"], v, err)
	}

	// The data dir must exist in the image and belong to the user, or the
	// embedded store cannot create its database there without a volume.
	ownsData := false
	for _, c := range commands[*instructions.CopyCommand](final) {
		if path.Clean(c.DestPath) == "/data" && c.Chown != "" && strings.Split(c.Chown, ":")[0] == strings.Split(user, ":")[0] {
			ownsData = true
		}
	}
	if !ownsData {
		t.Errorf("final stage does not create /data owned by %s", user)
	}
}

func TestDockerfileGoVersionMatchesGoMod(t *testing.T) {
	d := parseDockerfile(t)
	mod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	want := string(m[1])

	meta := map[string]string{}
	for _, a := range d.metaArgs {
		for _, kv := range a.Args {
			meta[kv.Key] = kv.ValueString()
		}
	}
	build := d.stages[0]
	img, _, err := shell.NewLex('\\').ProcessWord(build.BaseName, mapEnv(meta))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(img, "golang:"+want+"-") && img != "golang:"+want {
		t.Errorf("build stage is FROM %q, want golang:%s (go.mod says go %s; the image sets GOTOOLCHAIN=local)", img, want, want)
	}
}

// mapEnv adapts a map to BuildKit's shell.EnvGetter.
type mapEnv map[string]string

func (m mapEnv) Get(k string) (string, bool) { v, ok := m[k]; return v, ok }
func (m mapEnv) Keys() []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// goBuild is the `go build` RUN of the Dockerfile, split into words the way
// the shell in the build stage would, with the build arguments substituted.
type goBuild struct {
	stage  instructions.Stage
	run    *instructions.RunCommand
	assign map[string]string // leading NAME=value words
	argv   []string          // "go", "build", ...
	refs   []string          // variables the command line refers to
}

func findGoBuild(t *testing.T, d *dockerfile, buildArgs map[string]string) goBuild {
	t.Helper()
	var found []goBuild
	for _, s := range d.stages {
		for i, c := range s.Commands {
			run, ok := c.(*instructions.RunCommand)
			if !ok || !strings.Contains(strings.Join(run.CmdLine, " "), "go build") {
				continue
			}
			if !run.PrependShell || len(run.CmdLine) != 1 {
				t.Fatalf("the go build RUN must be in shell form: %q", run.CmdLine)
			}
			env := map[string]string{}
			for k, def := range stageArgs(s, i) {
				env[k] = def
				if v, ok := buildArgs[k]; ok {
					env[k] = v
				}
			}
			res, err := shell.NewLex('\\').ProcessWordWithMatches(run.CmdLine[0], mapEnv(env))
			if err != nil {
				t.Fatalf("expand %q: %v", run.CmdLine[0], err)
			}
			if len(res.Unmatched) > 0 {
				t.Fatalf("go build refers to variables no ARG of stage %q declares: %v", s.Name, res.Unmatched)
			}
			words, err := shell.NewLex('\\').ProcessWords(run.CmdLine[0], mapEnv(env))
			if err != nil {
				t.Fatal(err)
			}
			// Expanding the command resolves its --mount flags.
			if err := run.Expand(func(w string) (string, error) {
				r, _, err := shell.NewLex('\\').ProcessWord(w, mapEnv(env))
				return r, err
			}); err != nil {
				t.Fatalf("RUN flags: %v", err)
			}
			g := goBuild{stage: s, run: run, assign: map[string]string{}}
			for k := range res.Matched {
				g.refs = append(g.refs, k)
			}
			for len(words) > 0 {
				k, v, ok := strings.Cut(words[0], "=")
				if !ok || !regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`).MatchString(k) {
					break
				}
				g.assign[k] = v
				words = words[1:]
			}
			g.argv = words
			found = append(found, g)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want exactly one RUN with go build, found %d", len(found))
	}
	return found[0]
}

// flagValue returns the word after flag in argv.
func flagValue(argv []string, flag string) (string, bool) {
	i := slices.Index(argv, flag)
	if i < 0 || i+1 >= len(argv) {
		return "", false
	}
	return argv[i+1], true
}

func TestDockerfileGoBuildCommand(t *testing.T) {
	d := parseDockerfile(t)
	g := findGoBuild(t, d, map[string]string{"VERSION": "v9.9.9-test", "TARGETOS": "linux", "TARGETARCH": "arm64"})

	if g.stage.Name == "" || g.stage.Name == d.final().Name {
		t.Errorf("go build runs in stage %q, want a named build stage before the final one", g.stage.Name)
	}
	if g.stage.Platform != "$BUILDPLATFORM" && g.stage.Platform != "${BUILDPLATFORM}" {
		t.Errorf("build stage platform = %q, want $BUILDPLATFORM (cross-compile natively, no emulation)", g.stage.Platform)
	}
	for k, want := range map[string]string{"CGO_ENABLED": "0", "GOOS": "linux", "GOARCH": "arm64"} {
		if g.assign[k] != want {
			t.Errorf("go build runs with %s=%q, want %q", k, g.assign[k], want)
		}
	}
	if len(g.argv) < 2 || g.argv[0] != "go" || g.argv[1] != "build" {
		t.Fatalf("command is %q, want go build ...", g.argv)
	}
	if !slices.Contains(g.argv, "-trimpath") {
		t.Errorf("go build lacks -trimpath: %q", g.argv)
	}
	ld, _ := flagValue(g.argv, "-ldflags")
	for _, want := range []string{"-s", "-w", "-X", "main.version=v9.9.9-test"} {
		if !slices.Contains(strings.Fields(ld), want) {
			t.Errorf("-ldflags %q lacks %q", ld, want)
		}
	}
	if out, _ := flagValue(g.argv, "-o"); out != "/out/terngate" {
		t.Errorf("go build -o %q, want /out/terngate", out)
	}
	if last := g.argv[len(g.argv)-1]; last != "./gateway" {
		t.Errorf("go build builds %q, want ./gateway", last)
	}

	var caches []string
	for _, m := range instructions.GetMounts(g.run) {
		if m.Type == instructions.MountTypeCache {
			caches = append(caches, m.Target)
		}
	}
	for _, want := range []string{"/go/pkg/mod", "/root/.cache/go-build"} {
		if !slices.Contains(caches, want) {
			t.Errorf("go build RUN has no cache mount on %s (has %q)", want, caches)
		}
	}

	// The final stage must take exactly the binary the build wrote.
	var copied bool
	for _, c := range commands[*instructions.CopyCommand](d.final()) {
		if c.From == g.stage.Name && slices.Equal(c.SourcePaths, []string{"/out/terngate"}) && c.DestPath == "/terngate" {
			copied = true
		}
	}
	if !copied {
		t.Errorf("final stage does not COPY --from=%s /out/terngate /terngate", g.stage.Name)
	}
}

// hostBuild runs the Dockerfile's go build command line on this machine
// once; the binary is shared by the tests that need it.
var hostBuild struct {
	once    sync.Once
	dir     string
	binary  string
	version string
	commit  string
	err     error
}

func buildOnHost(t *testing.T) (binary, version string) {
	t.Helper()
	hostBuild.once.Do(func() {
		hostBuild.version = "v0.0.0-dockerfile-test"
		hostBuild.commit = "0123456789abcdef-dockerfile-test"
		g := findGoBuild(t, parseDockerfile(t), map[string]string{
			"VERSION":    hostBuild.version,
			"COMMIT":     hostBuild.commit,
			"TARGETOS":   runtime.GOOS,
			"TARGETARCH": runtime.GOARCH,
		})
		hostBuild.dir, hostBuild.err = os.MkdirTemp("", "terngate-dockerfile-")
		if hostBuild.err != nil {
			return
		}
		hostBuild.binary = filepath.Join(hostBuild.dir, "terngate")
		argv := slices.Clone(g.argv)
		argv[slices.Index(argv, "-o")+1] = hostBuild.binary
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = repoRoot
		// The image's build context has no .git (.dockerignore), so Go
		// stamps no commit there; the host build must not either.
		cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
		for k, v := range g.assign {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			hostBuild.err = fmt.Errorf("%q with %v: %v\n%s", argv, g.assign, err, out)
		}
	})
	if hostBuild.err != nil {
		t.Fatalf("the Dockerfile's go build fails on the host: %v", hostBuild.err)
	}
	return hostBuild.binary, hostBuild.version
}

func TestMain(m *testing.M) {
	code := m.Run()
	if hostBuild.dir != "" {
		os.RemoveAll(hostBuild.dir)
	}
	os.Exit(code)
}

func TestDockerfileGoBuildRunsOnHost(t *testing.T) {
	bin, version := buildOnHost(t)

	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("terngate version: %v\n%s", err, out)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	if want := "terngate " + version; first != want {
		t.Errorf("terngate version printed %q, want a first line %q (is -X main.version still the version variable?)", out, want)
	}
	if want := "commit: " + hostBuild.commit + "\n"; !strings.Contains(string(out), want) {
		t.Errorf("terngate version printed %q, want %q: the image is built without .git, so the commit comes from -X main.commit", out, want)
	}

	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if info.Path != "github.com/terngate/terngate/gateway" {
		t.Errorf("binary's main package is %q", info.Path)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" {
		t.Errorf("build settings CGO_ENABLED=%q -trimpath=%q, want 0 and true", settings["CGO_ENABLED"], settings["-trimpath"])
	}

	// A distroless static or scratch image has no dynamic loader.
	if runtime.GOOS == "linux" {
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("binary is dynamically linked (has PT_INTERP): it will not start in a static image")
			}
		}
	}
}

// knownEnv returns the environment variables the built program reads, from
// its own --help.
func knownEnv(t *testing.T, bin string) map[string]bool {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "--help")
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("terngate --help: %v\n%s", err, stderr.Bytes())
	}
	known := map[string]bool{"TERNGATE_CONFIG": true} // --config's own variable (README, Configuration)
	for _, name := range regexp.MustCompile(`\(env (TERNGATE_[A-Z0-9_]+)\)`).FindAllStringSubmatch(stderr.String(), -1) {
		known[name[1]] = true
	}
	if !known["TERNGATE_DATA_DIR"] || !known["TERNGATE_LISTEN"] {
		t.Fatalf("--help names no TERNGATE_DATA_DIR/TERNGATE_LISTEN; output:\n%s", stderr.Bytes())
	}
	return known
}

func TestDockerfileEnvIsReadByTheProgram(t *testing.T) {
	bin, _ := buildOnHost(t)
	known := knownEnv(t, bin)
	for _, s := range parseDockerfile(t).stages {
		for _, e := range commands[*instructions.EnvCommand](s) {
			for _, kv := range e.Env {
				if strings.HasPrefix(kv.Key, "TERNGATE_") && !known[kv.Key] {
					t.Errorf("ENV %s: terngate --help lists no such variable", kv.Key)
				}
			}
		}
	}
}

// goListPackage is the part of `go list -json` the ignore check needs.
type goListPackage struct {
	ImportPath string
	Dir        string
	Module     *struct{ Main bool }
	GoFiles    []string
	CgoFiles   []string
	SFiles     []string
	EmbedFiles []string
}

func TestDockerignoreKeepsEverythingTheBuildReads(t *testing.T) {
	f, err := os.Open(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	patterns, err := ignorefile.ReadAll(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatalf(".dockerignore: %v", err)
	}
	excluded := func(rel string) bool {
		ok, err := pm.MatchesOrParentMatches(filepath.ToSlash(rel))
		if err != nil {
			t.Fatalf("match %s: %v", rel, err)
		}
		return ok
	}

	// Things that must stay out: history and local state.
	for _, p := range []string{".git/HEAD", "data/objects.db", "terngate"} {
		if !excluded(p) {
			t.Errorf(".dockerignore lets %s into the build context", p)
		}
	}

	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", "-json", "./gateway")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	needed := []string{"go.mod", "go.sum"}
	dec := json.NewDecoder(bytes.NewReader(out))
	packages := 0
	for {
		var p goListPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Module == nil || !p.Module.Main {
			continue
		}
		packages++
		for _, files := range [][]string{p.GoFiles, p.CgoFiles, p.SFiles, p.EmbedFiles} {
			for _, name := range files {
				rel, err := filepath.Rel(root, filepath.Join(p.Dir, name))
				if err != nil {
					t.Fatal(err)
				}
				needed = append(needed, rel)
			}
		}
	}
	if packages < 2 {
		t.Fatalf("go list found %d packages of this module in ./gateway's dependencies", packages)
	}
	for _, rel := range needed {
		if excluded(rel) {
			t.Errorf(".dockerignore excludes %s, which go build ./gateway reads", rel)
		}
	}
}
