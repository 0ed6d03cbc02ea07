package layers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneCSVWriter: every CSV the project writes goes through
// internal/csvout: its Writer escapes cells a spreadsheet would run as
// formulas (files for people), its DataWriter writes machine data exactly
// (the authority's issuers list, where an apostrophe before "-DASH" would
// become part of an org code). No other non-test code makes an
// encoding/csv writer (reading CSV, as HR and issuer lists are read, is
// fine). Fixtures write only synthetic test data and are exempt.
func TestOneCSVWriter(t *testing.T) {
	forEachSource(t, filepath.Join("internal", "csvout"), func(rel string, src []byte) {
		if strings.Contains(string(src), "csv.NewWriter(") {
			t.Errorf("%s writes CSV with encoding/csv: use internal/csvout, the one writer that escapes formulas", rel)
		}
	})
}

// TestOneCBORConfiguration: every CBOR decoder the project configures is
// made by internal/strictcbor, so duplicate keys, indefinite lengths,
// invalid UTF-8 and unbounded sizes are refused everywhere alike and no
// decoder can be set up looser by accident. Fixtures are exempt.
func TestOneCBORConfiguration(t *testing.T) {
	forEachSource(t, filepath.Join("internal", "strictcbor"), func(rel string, src []byte) {
		if strings.Contains(string(src), "cbor.DecOptions{") {
			t.Errorf("%s configures its own CBOR decoder: use internal/strictcbor with the document's limits", rel)
		}
	})
}

// forEachSource calls f with every non-test Go file of the project, by its
// path from the root, skipping fixtures (synthetic test data), hidden
// folders and except, the one package allowed what the caller looks for.
func forEachSource(t *testing.T, except string, f func(rel string, src []byte)) {
	t.Helper()
	root := "../.."
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if r == "fixtures" || r == except || strings.HasPrefix(d.Name(), ".") && r != "." {
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
		f(r, src)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
