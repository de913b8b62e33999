package conformance

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// moduleRoot is the repository root, relative to this package's directory
// (go test runs a test in its package's directory).
const moduleRoot = "../.."

// TestConformanceIndex fails when docs/conformance.md names a test that
// does not exist, a subtest its test does not run, a rule without a test
// or a source, or a test that does not cite its rule's source.
func TestConformanceIndex(t *testing.T) {
	f, err := os.Open(filepath.Join(moduleRoot, "docs", "conformance.md"))
	if err != nil {
		t.Fatalf("opening the conformance index: %v", err)
	}
	defer f.Close()
	for _, problem := range checkIndex(f, moduleRoot) {
		t.Error(problem)
	}
}

// row is one rule of the index.
type row struct {
	line    int
	id      string
	tests   []testRef
	sources []string // the references each test must cite
}

// testRef names a test as `dir.TestName` or `dir.TestName/subtest/...`,
// dir relative to the module root.
type testRef struct {
	dir, name string
	subtest   []string
}

var (
	backticked = regexp.MustCompile("`([^`]+)`")
	testName   = regexp.MustCompile(`^([a-z0-9_/]+)\.((?:Test|Fuzz)[A-Za-z0-9_]+)(?:/(.+))?$`)
	rowID      = regexp.MustCompile(`^[A-Z]+[0-9]+$`)
)

// checkIndex reads an index and returns what is wrong with it, the tests
// it names being looked up under root.
func checkIndex(index io.Reader, root string) []string {
	rows, problems := readIndex(index)
	if len(rows) == 0 {
		problems = append(problems, "the conformance index lists no rule")
	}
	packages := map[string]map[string]testFunc{}
	seen := map[string]int{}
	for _, r := range rows {
		report := func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("line %d: rule %s: ", r.line, r.id)+fmt.Sprintf(format, args...))
		}
		if prev, dup := seen[r.id]; dup {
			report("already listed at line %d", prev)
		}
		seen[r.id] = r.line
		if len(r.tests) == 0 {
			report("names no test")
		}
		if len(r.sources) == 0 {
			report("has no source reference (a `quoted` string its tests cite)")
		}
		for _, ref := range r.tests {
			funcs, ok := packages[ref.dir]
			if !ok {
				var err error
				if funcs, err = packageTests(root, ref.dir); err != nil {
					report("%v", err)
				}
				packages[ref.dir] = funcs
			}
			fn, ok := funcs[ref.name]
			if !ok {
				report("%s has no function %s", ref.dir, ref.name)
				continue
			}
			fn = withHelpers(fn, funcs)
			for _, seg := range ref.subtest {
				if !anyContains(fn.literals, seg) {
					report("%s.%s runs no subtest %q", ref.dir, ref.name, seg)
				}
			}
			for _, src := range r.sources {
				if !strings.Contains(fn.text, normalise(src)) {
					report("%s.%s does not cite %q in its comment or body", ref.dir, ref.name, src)
				}
			}
		}
	}
	return problems
}

// readIndex returns the rows of every table whose first cell is a rule ID
// such as MC1.
func readIndex(index io.Reader) ([]row, []string) {
	var rows []row
	var problems []string
	sc := bufio.NewScanner(index)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		id := strings.TrimSpace(cells[0])
		if !rowID.MatchString(id) {
			continue
		}
		if len(cells) != 4 {
			problems = append(problems, fmt.Sprintf("line %d: rule %s: %d cells, want 4 (ID, rule, tests, source)", n, id, len(cells)))
			continue
		}
		r := row{line: n, id: id}
		for _, m := range backticked.FindAllStringSubmatch(cells[2], -1) {
			p := testName.FindStringSubmatch(m[1])
			if p == nil {
				problems = append(problems, fmt.Sprintf("line %d: rule %s: %q is not dir.TestName[/subtest]", n, id, m[1]))
				continue
			}
			ref := testRef{dir: p[1], name: p[2]}
			if p[3] != "" {
				ref.subtest = strings.Split(p[3], "/")
			}
			r.tests = append(r.tests, ref)
		}
		for _, m := range backticked.FindAllStringSubmatch(cells[3], -1) {
			r.sources = append(r.sources, m[1])
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, fmt.Sprintf("reading the conformance index: %v", err))
	}
	return rows, problems
}

// testFunc is a function as its package's files give it.
type testFunc struct {
	text     string   // doc comment and body, comment markers dropped, spaces collapsed
	literals []string // string literals in the body (subtest names)
	calls    []string // the package-level functions it calls by name
}

// packageTests parses every _test.go file of root/dir and returns its
// package-level functions by name.
func packageTests(root, dir string) (map[string]testFunc, error) {
	files, err := filepath.Glob(filepath.Join(root, dir, "*_test.go"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no test files in %s (%v)", dir, err)
	}
	funcs := map[string]testFunc{}
	fset := token.NewFileSet()
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		file, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", name, err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil {
				continue
			}
			start := fn.Pos()
			if fn.Doc != nil {
				start = fn.Doc.Pos()
			}
			text := string(src[fset.Position(start).Offset:fset.Position(fn.End()).Offset])
			f := testFunc{text: normalise(text)}
			ast.Inspect(fn, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.BasicLit:
					if s, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING {
						f.literals = append(f.literals, s)
					}
				case *ast.CallExpr:
					if id, ok := n.Fun.(*ast.Ident); ok {
						f.calls = append(f.calls, id.Name)
					}
				}
				return true
			})
			funcs[fn.Name.Name] = f
		}
	}
	return funcs, nil
}

// withHelpers reads a test together with the package functions it calls
// directly: a test that runs its cases through a helper (TestXOverHTTP
// calling checkX) names its subtests and cites its sources there.
func withHelpers(fn testFunc, funcs map[string]testFunc) testFunc {
	out := testFunc{text: fn.text, literals: fn.literals}
	for _, name := range fn.calls {
		if h, ok := funcs[name]; ok {
			out.text += " " + h.text
			out.literals = append(out.literals, h.literals...)
		}
	}
	return out
}

// normalise drops comment markers and collapses white space, so that a
// reference wrapped over two comment lines still matches.
func normalise(s string) string {
	s = strings.ReplaceAll(s, "//", " ")
	return strings.Join(strings.Fields(s), " ")
}

func anyContains(lits []string, s string) bool {
	for _, l := range lits {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}
