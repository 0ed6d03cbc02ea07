package layers

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// allowed is each project package's allowed direct imports among the
// project's packages (non-test code), as in docs/architecture.md. A package
// may import only packages of lower layers. Adding a package or an edge
// means changing this table and the document together.
var allowed = map[string][]string{
	"internal/wire":       {},
	"internal/strictcbor": {},
	"credential":          {"internal/wire", "internal/strictcbor", "internal/textsafe"},
	"internal/regdoc":     {"credential"},
	"internal/regdoc/cmd": {"internal/regdoc"},
	"credential/sign":     {"credential"},
	"credential/dcc":      {"credential", "internal/strictcbor"},
	"trust":               {"credential", "internal/strictcbor"},
	"keys":                {"credential", "trust"},
	"internal/sqlitedb":   {},
	"internal/csvout":     {},
	"internal/browser":    {},
	"internal/textsafe":   {},
	"sitedb":              {"trust", "internal/sqlitedb", "internal/csvout"},
	"verify/scan":         {"verify/scan/imagedec", "verify/scan/internal/guard", "verify/scan/internal/work", "verify/scan/internal/raster", "verify/scan/internal/detect"},
	"verify":              {"credential", "credential/dcc", "trust", "internal/textsafe"},
	"read":                {"verify", "verify/scan"},
	"internal/strictjson": {},
	"policy":              {"credential", "verify", "internal/strictjson"},
	"trustsync":           {"credential", "trust", "sitedb", "internal/strictjson"},
	"station":             {"credential", "trust", "verify", "read", "verify/scan", "policy", "sitedb", "trustsync", "internal/textsafe"},
	"layout":              {"credential"},
	"printcheck":          {"layout", "verify/scan"},
	"issue":               {"credential", "credential/sign", "trust", "keys", "layout", "internal/sqlitedb", "internal/csvout", "internal/strictjson"},
	"internal/layers":     {},

	// The reader's stages below verify/scan.
	"verify/scan/internal/guard":  {},
	"verify/scan/imagedec":        {"verify/scan/internal/guard"},
	"verify/scan/internal/work":   {},
	"verify/scan/internal/raster": {},
	"verify/scan/internal/qrtest": {"verify/scan/internal/raster"},
	"verify/scan/internal/detect": {"verify/scan/internal/guard", "verify/scan/internal/raster", "verify/scan/internal/work"},

	// The CLI wires everything; fixtures are test material and tools.
	"cmd/passport":                    {"*"},
	"fixtures/degrade":                {"*"},
	"fixtures/degrade/cmd/scanbench":  {"*"},
	"fixtures/degrade/cmd/gatecorpus": {"*"},
	"fixtures/population":             {"*"},
	"fixtures/population/genpop":      {"*"},
	"fixtures/vectorgen":              {"*"},
	"tools/dist":                      {"*"},
	"tools/siteshots":                 {"*"},
	"tools/guidesteps":                {"*"},
	"fixtures/budget":                 {"*"},
	"fixtures/sampleclaims":           {"credential"},
}

// verifySide are the packages a verifying site runs. They must never link
// the issuer's private-key code (keys: age, scrypt), any signing code
// (credential/sign), the issuing pipeline or the PDF writer.
var verifySide = []string{"trust", "verify", "read", "verify/scan", "policy", "sitedb", "trustsync", "station", "internal/sqlitedb"}

var forbiddenOnVerifySide = []string{
	"filippo.io/age",
	"golang.org/x/crypto/scrypt",
	"passport/keys",
	"passport/credential/sign",
	"passport/issue",
	"passport/layout",
}

const module = "passport"

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func goList(t *testing.T, args ...string) []pkg {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-json"}, args...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func rel(path string) (string, bool) {
	if path == module {
		return "", true
	}
	return strings.CutPrefix(path, module+"/")
}

func TestImportTable(t *testing.T) {
	for _, p := range goList(t, "./...") {
		name, _ := rel(p.ImportPath)
		ok, known := allowed[name]
		if !known {
			t.Errorf("package %s is not in the layering table: add it to internal/layers and docs/architecture.md with the imports it may use", name)
			continue
		}
		if slices.Contains(ok, "*") {
			continue
		}
		for _, imp := range p.Imports {
			dep, ours := rel(imp)
			if !ours {
				continue
			}
			if !slices.Contains(ok, dep) {
				t.Errorf("%s imports %s, which the layering does not allow (allowed: %v); see docs/architecture.md", name, dep, ok)
			}
		}
	}
	for name := range allowed {
		if strings.HasPrefix(name, "cmd/") || strings.HasPrefix(name, "fixtures/") {
			continue
		}
		for _, p := range goList(t, "./"+name) {
			for _, imp := range p.Imports {
				if dep, ours := rel(imp); ours && (strings.HasPrefix(dep, "cmd/") || strings.HasPrefix(dep, "fixtures/")) {
					t.Errorf("%s imports %s: libraries never import the CLI or fixtures", name, dep)
				}
			}
		}
	}
}

// TestVerifySideDeps: what a verifying site links has no private-key,
// issuing or PDF-writing code, for the verify-side packages and for the
// packages the serve and verify commands are built from.
func TestVerifySideDeps(t *testing.T) {
	var roots []string
	for _, name := range verifySide {
		roots = append(roots, "./"+name)
	}
	for _, p := range goList(t, append([]string{"-deps"}, roots...)...) {
		if slices.Contains(forbiddenOnVerifySide, p.ImportPath) {
			t.Errorf("the verify side links %s (go list -deps %s)", p.ImportPath, strings.Join(roots, " "))
		}
	}
	for _, file := range []string{"servecmd.go", "verifycmd.go"} {
		imports := fileImports(t, filepath.Join("../../cmd/passport", file))
		if len(imports) == 0 {
			t.Fatalf("%s imports nothing of the project: the test is looking at the wrong file", file)
		}
		for _, p := range goList(t, append([]string{"-deps"}, imports...)...) {
			if slices.Contains(forbiddenOnVerifySide, p.ImportPath) {
				t.Errorf("cmd/passport/%s's code path links %s", file, p.ImportPath)
			}
		}
	}
}

// fileImports lists the project packages one Go file imports.
func fileImports(t *testing.T, path string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, spec := range f.Imports {
		p, _ := strconv.Unquote(spec.Path.Value)
		if _, ours := rel(p); ours {
			out = append(out, p)
		}
	}
	return out
}

// TestForbiddenListIsReal: the names the dependency test looks for are
// really linked by the issuer side, so a typo cannot make it pass vacuously.
func TestForbiddenListIsReal(t *testing.T) {
	deps := map[string]bool{}
	for _, p := range goList(t, "-deps", "./keys", "./issue") {
		deps[p.ImportPath] = true
	}
	for _, f := range forbiddenOnVerifySide {
		if !deps[f] {
			t.Errorf("%s is not linked by keys or issue: the verify-side test would not notice it", f)
		}
	}
}

// judges are the packages that decide on credential texts. They link no
// image, PDF or barcode code: reading is the layer above them (read,
// verify/scan), so a rule evaluator cannot pull in a PDF library.
var judges = []string{"credential", "trust", "verify", "policy"}

// readingLibraries are module-path prefixes of the image, PDF and barcode
// code the reader links.
var readingLibraries = []string{
	"passport/verify/scan",
	"passport/read",
	"github.com/pdfcpu/",
	"github.com/makiuchi-d/gozxing/",
	"golang.org/x/image/",
	"image/png",
	"image/jpeg",
	"image/gif",
}

// TestJudgingLinksNoReading pins the rule that judging never links reading:
// go list -deps of each judge holds none of the reading libraries.
func TestJudgingLinksNoReading(t *testing.T) {
	for _, name := range judges {
		for _, p := range goList(t, "-deps", "./"+name) {
			for _, lib := range readingLibraries {
				if p.ImportPath == lib || strings.HasPrefix(p.ImportPath, lib) && strings.HasSuffix(lib, "/") {
					t.Errorf("%s links %s (go list -deps ./%s): judging must not link image, PDF or barcode code; read inputs in package read", name, p.ImportPath, name)
				}
			}
		}
	}
}

// TestReadingLibrariesAreReal: the reader really links the libraries the
// judging test looks for, so a renamed module cannot make it pass vacuously.
func TestReadingLibrariesAreReal(t *testing.T) {
	deps := map[string]bool{}
	for _, p := range goList(t, "-deps", "./read") {
		deps[p.ImportPath] = true
	}
	for _, lib := range readingLibraries {
		found := deps[lib]
		for d := range deps {
			found = found || strings.HasSuffix(lib, "/") && strings.HasPrefix(d, lib)
		}
		if !found && lib != "passport/read" {
			t.Errorf("%s is not linked by package read: the judging test would not notice it", lib)
		}
	}
}
