package scan

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestCandidateRegions puts a code among text-like bars on a page and checks the first
// candidate square contains it.
func TestCandidateRegions(t *testing.T) {
	text := payload(600, 3)
	mods := qrModules(t, text)
	page := whiteGray(1240, 1754)    // A4 at 150 dpi
	for y := 60; y < 1700; y += 28 { // lines of "words" on the left
		for x := 60; x < 600; x += 47 {
			for yy := y; yy < y+8; yy++ {
				for xx := x; xx < x+35; xx++ {
					page.Pix[yy*page.Stride+xx] = 30
				}
			}
		}
	}
	const ox, oy, px = 760, 120, 3
	drawQR(page, mods, ox, oy, px)
	side := len(mods) * px
	rs := candidateRegions(toGray(page))
	if len(rs) == 0 {
		t.Fatal("no candidate region")
	}
	r := rs[0]
	if r.x0 > ox || r.y0 > oy || r.x1 < ox+side || r.y1 < oy+side {
		t.Errorf("first region %+v does not contain the code at (%d,%d)+%d", r, ox, oy, side)
	}
	if (r.x1-r.x0)*(r.y1-r.y0) > 4*side*side {
		t.Errorf("first region %+v is much larger than the %d-pixel code", r, side)
	}
	if rs := candidateRegions(toGray(whiteGray(1240, 1754))); len(rs) != 0 {
		t.Errorf("blank page has regions %v", rs)
	}
	if rs := candidateRegions(toGray(whiteGray(30, 30))); len(rs) != 0 {
		t.Errorf("tiny image has regions %v", rs)
	}
}

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
