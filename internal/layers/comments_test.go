package layers

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// outsideReference matches what a reader of the repository cannot open: a
// tracker issue (the word issue and its number) or a path that climbs out
// of the repository into the notes folder beside it.
var outsideReference = regexp.MustCompile(`(?i)\bissue\s+#?\d+|\.\./shared/|\bshared/[A-Z]+\.md`)

// TestCommentsStandAlone: no Go comment cites a tracker issue or a path
// outside the repository; a comment says the thing itself.
func TestCommentsStandAlone(t *testing.T) {
	root := "../.."
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && path != root || d.Name() == "testdata" || d.Name() == "bin" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, g := range f.Comments {
			for _, c := range g.List {
				if m := outsideReference.FindString(c.Text); m != "" {
					rel, _ := filepath.Rel(root, path)
					t.Errorf("%s:%d: comment cites %q, which a reader of the repository cannot open: say the thing itself", rel, fset.Position(c.Pos()).Line, m)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
