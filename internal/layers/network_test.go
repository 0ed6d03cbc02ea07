package layers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// networkClients are the standard library names that open outgoing
// connections. The offline rule (docs/security.md): verify, serve without
// --sync and trust import never connect anywhere, so only trustsync (used by
// 'trust sync' and 'serve --sync') may name them.
var networkClients = map[string][]string{
	"net":        {"Dial", "DialTimeout", "DialTCP", "DialUDP", "DialIP", "DialUnix", "Dialer"},
	"net/http":   {"Get", "Post", "PostForm", "Head", "Client", "DefaultClient", "Transport", "DefaultTransport", "NewRequest", "NewRequestWithContext"},
	"crypto/tls": {"Dial", "DialWithDialer", "Dialer"},
}

var networkAllowed = []string{"trustsync/"}

// TestOnlyTrustSyncConnects: no non-test source outside trustsync names an
// outgoing-connection API of the standard library.
func TestOnlyTrustSyncConnects(t *testing.T) {
	root := "../.."
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && strings.HasPrefix(d.Name(), ".") || rel == "fixtures" || d.Name() == "testdata" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		uses := clientUses(t, path)
		for _, allowed := range networkAllowed {
			if strings.HasPrefix(rel, allowed) {
				found += len(uses)
				return nil
			}
		}
		for _, u := range uses {
			t.Errorf("%s uses %s: only trustsync may open network connections (the offline rule, docs/security.md)", rel, u)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Fatal("trustsync names no network client: the test is looking for the wrong names")
	}
}

// clientUses lists pkg.Name selectors in a file that are network clients.
func clientUses(t *testing.T, path string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	local := map[string]string{} // import name → path
	for _, imp := range f.Imports {
		p := strings.Trim(imp.Path.Value, `"`)
		if _, ok := networkClients[p]; !ok {
			continue
		}
		name := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		local[name] = p
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		p, ok := local[id.Name]
		if !ok {
			return true
		}
		for _, name := range networkClients[p] {
			if sel.Sel.Name == name {
				out = append(out, p+"."+name)
			}
		}
		return true
	})
	return out
}
