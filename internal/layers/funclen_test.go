package layers

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuncLines is the longest a function in non-test code may be
// (the project's style): past it a function does several things
// that want names of their own.
const maxFuncLines = 100

// longFuncAllowed lists functions over maxFuncLines that are waiting for a
// refactor in an area someone else is changing, as "path/file.go:Func" →
// why. Each entry needs a TODO naming the issue; an entry whose function
// is short again fails the test, so the list only shrinks.
var longFuncAllowed = map[string]string{}

// TestNoLongFunctions fails on any function or method in non-test Go code
// of the module longer than maxFuncLines (from the func line to the closing
// brace).
func TestNoLongFunctions(t *testing.T) {
	long, err := longFunctions("../..", maxFuncLines)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range long {
		seen[f.name] = true
		if _, ok := longFuncAllowed[f.name]; !ok {
			t.Errorf("%s is %d lines, over %d: split it into named parts", f.name, f.lines, maxFuncLines)
		}
	}
	for name := range longFuncAllowed {
		if !seen[name] {
			t.Errorf("%s is allowed to be long but is not (or is gone): remove it from longFuncAllowed", name)
		}
	}
}

// TestLongFunctionsFinds: the checker counts a function's lines the way
// the rule means them, and reports methods with their receiver.
func TestLongFunctionsFinds(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("package p\n\ntype T struct{}\n\nfunc (T) Long() {\n")
	for i := 0; i < 99; i++ {
		fmt.Fprintf(&b, "\t_ = %d\n", i)
	}
	b.WriteString("}\n\nfunc Short() {\n")
	for i := 0; i < 98; i++ {
		fmt.Fprintf(&b, "\t_ = %d\n", i)
	}
	b.WriteString("}\n")
	write := func(name, text string) {
		if err := writeFile(filepath.Join(dir, name), text); err != nil {
			t.Fatal(err)
		}
	}
	write("p.go", b.String())
	write("p_test.go", strings.Replace(b.String(), "Long", "LongTest", 1))
	write("testdata/q.go", strings.Replace(b.String(), "Long", "LongData", 1))
	long, err := longFunctions(dir, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(long) != 1 || long[0].name != "p.go:T.Long" || long[0].lines != 101 {
		t.Errorf("found %+v, want only p.go:T.Long at 101 lines", long)
	}
}

type longFunc struct {
	name  string // path/file.go:Recv.Func, path relative to root
	lines int
}

// longFunctions parses every non-test .go file under root (skipping
// testdata, hidden and underscore directories, as the go tool does) and
// returns the functions longer than max lines.
func longFunctions(root string, max int) ([]longFunc, error) {
	var out []longFunc
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			lines := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
			if lines > max {
				out = append(out, longFunc{filepath.ToSlash(rel) + ":" + funcName(fn), lines})
			}
		}
		return nil
	})
	return out, err
}

func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	t := fn.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if g, ok := t.(*ast.IndexExpr); ok {
		t = g.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}

func writeFile(path, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
