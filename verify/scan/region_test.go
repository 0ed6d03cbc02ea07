package scan

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedScans reads the degraded scans committed in fixtures/scans (made by
// fixtures/degrade) and demands the exact text for each: real files, one per hard class.
func TestCommittedScans(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "scans")
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatalf("reading the committed sample: %v", err)
	}
	var ss []corpusSample
	if err := json.Unmarshal(data, &ss); err != nil {
		t.Fatal(err)
	}
	if len(ss) < 5 {
		t.Fatalf("only %d committed scans", len(ss))
	}
	for _, s := range ss {
		t.Run(s.Name, func(t *testing.T) {
			img, err := os.ReadFile(filepath.Join(dir, s.Name))
			if err != nil {
				t.Fatal(err)
			}
			codes, err := Read(img)
			if err != nil || len(codes) != 1 || codes[0].Text != s.Text {
				t.Fatalf("%s (%s): %d codes, %v", s.Name, s.Class, len(codes), err)
			}
		})
	}
}
