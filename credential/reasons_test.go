package credential_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"passport/credential"
)

// TestEveryReasonInRegistry reads the whole module's source and collects
// every constant of type Reason (credential.Reason outside this package)
// with a string value: each must be in the registry (and so in the docs
// generated from it, which internal/regdoc checks), as a warning exactly
// when its name starts with Warn; and the registry must name no code that
// no package declares. A reason code added anywhere without its registry
// entry fails here, with no list to keep by hand.
func TestEveryReasonInRegistry(t *testing.T) {
	type decl struct{ name, where string }
	found := map[string]decl{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != ".." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "dist" || n == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		inCredential := f.Name.Name == "credential" && filepath.Base(filepath.Dir(path)) == "credential"
		for _, dl := range f.Decls {
			gd, ok := dl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if !isReasonType(vs.Type, inCredential) {
					continue
				}
				for i, name := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					code, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
					}
					where := fset.Position(name.Pos()).String()
					if prev, dup := found[code]; dup {
						t.Errorf("reason %q is declared twice: %s (%s) and %s (%s)", code, prev.name, prev.where, name.Name, where)
					}
					found[code] = decl{name.Name, where}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) < 30 {
		t.Fatalf("found only %d reason constants: is the walk reading the module?", len(found))
	}
	for code, d := range found {
		def, ok := credential.LookupReason(credential.Reason(code))
		switch {
		case !ok:
			t.Errorf("%s (%s, %s) is not in the registry (credential/registry.go): add it, then go generate ./credential", code, d.name, d.where)
		case def.Warning != strings.HasPrefix(d.name, "Warn"):
			t.Errorf("%s (%s): the registry says warning=%v, the constant's name says otherwise", code, d.name, def.Warning)
		}
	}
	for _, def := range credential.ReasonDefs() {
		if _, ok := found[string(def.Code)]; !ok {
			t.Errorf("the registry documents %s, which no package declares", def.Code)
		}
	}
}

// isReasonType: the type Reason in package credential, credential.Reason elsewhere.
func isReasonType(e ast.Expr, inCredential bool) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return inCredential && x.Name == "Reason"
	case *ast.SelectorExpr:
		pkg, ok := x.X.(*ast.Ident)
		return ok && pkg.Name == "credential" && x.Sel.Name == "Reason"
	}
	return false
}
