package layers

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/terngate/terngate/"

// layerOf gives a package (relative to the module) its layer, by the longest
// matching prefix; doc.go explains the layers. A package that matches no
// entry fails the test, so that a new package is placed deliberately.
var layerOf = []struct {
	prefix string
	layer  int
}{
	{"s3err", 0},
	{"internal/", 0},
	{"checksum", 1},
	{"sse", 1},
	{"kms", 1},
	{"store", 1},
	{"auth/users", 1},
	{"store/ternfs/", 2},
	{"store/local", 3},
	{"store/objects", 3},
	{"store/ternfs", 3},
	{"lease", 3},
	{"auth", 3},
	{"auth/", 3},
	{"multipart", 4},
	{"metrics", 5},
	{"bench/", 5},
	{"s3api", 6},
	{"gateway", 7},
	{"e2e", 8},
	{"compat", 8},
	{"charts", 8},
	{"dockerfile", 8},
}

func layer(pkg string) (int, bool) {
	best, found, bestLen := 0, false, -1
	for _, e := range layerOf {
		exact := !strings.HasSuffix(e.prefix, "/")
		if (exact && pkg == e.prefix) || (!exact && strings.HasPrefix(pkg, e.prefix)) {
			if len(e.prefix) > bestLen {
				best, found, bestLen = e.layer, true, len(e.prefix)
			}
		}
	}
	return best, found
}

// TestNoUpwardImports reads every package's non-test imports (tests may
// reach up to drive a real gateway) and fails on one that imports a package
// of a higher layer.
func TestNoUpwardImports(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	pkgs := modulePackages(t, root)
	if len(pkgs) < 20 {
		t.Fatalf("found only %d packages under %s: is the walk broken?", len(pkgs), root)
	}
	for _, pkg := range pkgs {
		own, ok := layer(pkg.rel)
		if !ok {
			t.Errorf("%s has no layer: add it to layerOf and doc.go", pkg.rel)
			continue
		}
		for _, imp := range pkg.imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			dep := strings.TrimPrefix(imp, module)
			theirs, ok := layer(dep)
			if !ok {
				t.Errorf("%s imports %s, which has no layer", pkg.rel, dep)
				continue
			}
			if theirs > own {
				t.Errorf("%s (layer %d) imports %s (layer %d): an upward import", pkg.rel, own, dep, theirs)
			}
		}
	}
}

// TestLayerTable checks the table itself on a few known answers, so that a
// broken prefix match cannot pass every package.
func TestLayerTable(t *testing.T) {
	for pkg, want := range map[string]int{
		"s3err": 0, "store": 1, "store/ternfs": 3, "store/ternfs/wire": 2,
		"store/ternfs/internal/ternfstest": 2,
		"auth":                             3, "auth/users": 1, "auth/policy": 3, "s3api": 6, "gateway": 7,
	} {
		if got, ok := layer(pkg); !ok || got != want {
			t.Errorf("layer(%q) = %d, %v; want %d", pkg, got, ok, want)
		}
	}
	if _, ok := layer("storex"); ok {
		t.Error(`layer("storex") matched a prefix meant for "store"`)
	}
}

type modulePackage struct {
	rel     string
	imports []string
}

func modulePackages(t *testing.T, root string) []modulePackage {
	t.Helper()
	var pkgs []modulePackage
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		bp, err := build.ImportDir(path, 0)
		if err != nil {
			if _, none := err.(*build.NoGoError); none {
				return nil
			}
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		imports := append([]string(nil), bp.Imports...)
		sort.Strings(imports)
		pkgs = append(pkgs, modulePackage{rel: filepath.ToSlash(rel), imports: imports})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("%s is not the module root: %v", root, err)
	}
	return pkgs
}
