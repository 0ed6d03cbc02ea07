package detect

import "testing"

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
	rs := Regions(toGray(page))
	if len(rs) == 0 {
		t.Fatal("no candidate region")
	}
	r := rs[0]
	if r.Min.X > ox || r.Min.Y > oy || r.Max.X < ox+side || r.Max.Y < oy+side {
		t.Errorf("first region %+v does not contain the code at (%d,%d)+%d", r, ox, oy, side)
	}
	if (r.Max.X-r.Min.X)*(r.Max.Y-r.Min.Y) > 4*side*side {
		t.Errorf("first region %+v is much larger than the %d-pixel code", r, side)
	}
	if rs := Regions(toGray(whiteGray(1240, 1754))); len(rs) != 0 {
		t.Errorf("blank page has regions %v", rs)
	}
	if rs := Regions(toGray(whiteGray(30, 30))); len(rs) != 0 {
		t.Errorf("tiny image has regions %v", rs)
	}
}
