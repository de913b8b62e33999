package conformance

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// indexPath is the index, relative to this package's directory (go test
// runs a test in its package's directory).
const indexPath = "../../docs/conformance.md"

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

// readIndex returns the rows of every table whose first cell is a rule ID
// such as MC1.
func readIndex(t *testing.T) []row {
	t.Helper()
	f, err := os.Open(indexPath)
	if err != nil {
		t.Fatalf("opening the conformance index: %v", err)
	}
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
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
			t.Errorf("line %d (%s): %d cells, want 4 (ID, rule, tests, source)", n, id, len(cells))
			continue
		}
		r := row{line: n, id: id}
		for _, m := range backticked.FindAllStringSubmatch(cells[2], -1) {
			p := testName.FindStringSubmatch(m[1])
			if p == nil {
				t.Errorf("line %d (%s): %q is not dir.TestName[/subtest]", n, id, m[1])
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
		t.Fatalf("reading the conformance index: %v", err)
	}
	return rows
}

// testFunc is a function as its package's files give it.
type testFunc struct {
	text     string   // doc comment and body, comment markers dropped, spaces collapsed
	literals []string // string literals in the body (subtest names)
	calls    []string // the package-level functions it calls by name
}

// packageTests parses every _test.go file of dir and returns its test and
// fuzz functions by name.
func packageTests(dir string) (map[string]testFunc, error) {
	files, err := filepath.Glob(filepath.Join("../..", dir, "*_test.go"))
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

// normalise drops comment markers and collapses white space, so that a
// reference wrapped over two comment lines still matches.
func normalise(s string) string {
	s = strings.ReplaceAll(s, "//", " ")
	return strings.Join(strings.Fields(s), " ")
}

// TestConformanceIndex fails when the index names a test that does not
// exist, a subtest its test does not run, a rule without a source, or a
// test that does not cite its rule's source.
func TestConformanceIndex(t *testing.T) {
	rows := readIndex(t)
	if len(rows) == 0 {
		t.Fatal("the conformance index lists no rule")
	}
	packages := map[string]map[string]testFunc{}
	seen := map[string]int{}
	for _, r := range rows {
		if prev, dup := seen[r.id]; dup {
			t.Errorf("line %d: rule %s already listed at line %d", r.line, r.id, prev)
		}
		seen[r.id] = r.line
		if len(r.tests) == 0 {
			t.Errorf("line %d: rule %s names no test", r.line, r.id)
		}
		if len(r.sources) == 0 {
			t.Errorf("line %d: rule %s has no source reference (a `quoted` string its tests cite)", r.line, r.id)
		}
		for _, ref := range r.tests {
			funcs, ok := packages[ref.dir]
			if !ok {
				var err error
				if funcs, err = packageTests(ref.dir); err != nil {
					t.Errorf("line %d: rule %s: %v", r.line, r.id, err)
				}
				packages[ref.dir] = funcs
			}
			fn, ok := funcs[ref.name]
			if !ok {
				t.Errorf("line %d: rule %s: %s has no function %s", r.line, r.id, ref.dir, ref.name)
				continue
			}
			fn = withHelpers(fn, funcs)
			for _, seg := range ref.subtest {
				if !anyContains(fn.literals, seg) {
					t.Errorf("line %d: rule %s: %s.%s runs no subtest %q", r.line, r.id, ref.dir, ref.name, seg)
				}
			}
			for _, src := range r.sources {
				if !strings.Contains(fn.text, normalise(src)) {
					t.Errorf("line %d: rule %s: %s.%s does not cite %q in its comment or body", r.line, r.id, ref.dir, ref.name, src)
				}
			}
		}
	}
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

func anyContains(lits []string, s string) bool {
	for _, l := range lits {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}
