package regdoc

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"passport/credential"
)

// TestDocsMatchRegistry fails when docs/format.md or the README no longer
// say what the registry says: run go generate ./credential.
func TestDocsMatchRegistry(t *testing.T) {
	want := map[string][]string{
		"docs/format.md": {"checks", "levels", "outcomes", "reasons", "revocation", "subjects", "warnings"},
		"README.md":      {"csv"},
	}
	for _, name := range Documents {
		data, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		out, names, err := Apply(string(data), Tables())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(names, want[name]) {
			t.Errorf("%s holds the tables %v, want %v", name, names, want[name])
		}
		if out != string(data) {
			t.Errorf("%s differs from the registry: run go generate ./credential", name)
		}
	}
}

// TestTablesFollowRegistry: a new registry entry shows up in the tables.
func TestTablesFollowRegistry(t *testing.T) {
	tb := Tables()
	for _, d := range credential.SubjectDefs() {
		if !strings.Contains(tb["subjects"], "| "+d.Code+" |") || !strings.Contains(tb["csv"], "`"+d.Code+"_date`") {
			t.Errorf("subject %s missing from the tables", d.Code)
		}
	}
	for _, r := range credential.ReasonDefs() {
		table := tb["reasons"]
		if r.Warning {
			table = tb["warnings"]
		}
		if !strings.Contains(table, "| "+string(r.Code)+" |") {
			t.Errorf("reason %s missing", r.Code)
		}
	}
	for _, d := range credential.RevocationReasonDefs() {
		if !strings.Contains(tb["revocation"], "| "+d.Code+" |") {
			t.Errorf("revocation reason %s missing", d.Code)
		}
	}
	if !strings.Contains(tb["csv"], "`safeguarding_children_level`") || !strings.Contains(tb["csv"], "`dbs_level`") {
		t.Errorf("CSV table lacks the level columns:\n%s", tb["csv"])
	}
}

func TestApplyRefusesBrokenMarkers(t *testing.T) {
	for _, doc := range []string{
		"<!-- registry:checks -->\nx\n",
		"<!-- registry:nope -->\nx\n<!-- /registry:nope -->",
		"<!-- registry:checks -->\nx\n<!-- /registry:levels -->",
	} {
		if _, _, err := Apply(doc, Tables()); err == nil {
			t.Errorf("accepted %q", doc)
		}
	}
}
