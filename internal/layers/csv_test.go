package layers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// machineCSV are the files that write CSV meant for a program, not a
// spreadsheet, where formula escaping would corrupt the data: the trust
// authority's issuers list is signed into bundles as it is read back, and
// an apostrophe before an org code such as "-DASH" would become part of it.
var machineCSV = map[string]bool{
	filepath.Join("trust", "bundle_input.go"): true,
}

// TestOneCSVWriter: every CSV the project writes for people goes through
// internal/csvout, which escapes cells a spreadsheet would run as formulas.
// No other non-test code makes an encoding/csv writer (reading CSV, as HR
// and issuer lists are read, is fine) except the machine-data files above.
// Fixtures write only synthetic test data and are exempt.
func TestOneCSVWriter(t *testing.T) {
	root := "../.."
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if r == "fixtures" || r == filepath.Join("internal", "csvout") || strings.HasPrefix(d.Name(), ".") && r != "." {
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
		if strings.Contains(string(src), "csv.NewWriter(") && !machineCSV[r] {
			t.Errorf("%s writes CSV with encoding/csv: use internal/csvout, the one writer that escapes formulas", r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
