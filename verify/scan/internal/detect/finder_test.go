package detect

import (
	"image"
	"math"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// keystone renders the symbol as a camera tilted about the vertical axis sees it: a
// true perspective map of the unit square onto a trapezoid whose left edge is
// shrink times the right edge's height, in a w×h frame.
func keystone(t *testing.T, text string, w, h int, shrink float64) *image.Gray {
	t.Helper()
	mods := qrModules(t, text)
	n := float64(len(mods))
	img := whiteGray(w, h)
	X0, X1, H := 0.2*float64(w), 0.8*float64(w), 0.7*float64(h)
	cy := float64(h) / 2
	// Quad corners TL, TR, BR, BL; Heckbert's square-to-quad, inverted per pixel.
	q := [4][2]float64{{X0, cy - shrink*H/2}, {X1, cy - H/2}, {X1, cy + H/2}, {X0, cy + shrink*H/2}}
	x0, y0, x1, y1, x2, y2, x3, y3 := q[0][0], q[0][1], q[1][0], q[1][1], q[2][0], q[2][1], q[3][0], q[3][1]
	sx, sy := x0-x1+x2-x3, y0-y1+y2-y3
	dx1, dx2, dy1, dy2 := x1-x2, x3-x2, y1-y2, y3-y2
	den := dx1*dy2 - dx2*dy1
	g := (sx*dy2 - dx2*sy) / den
	hh := (dx1*sy - sx*dy1) / den
	m := [9]float64{x1 - x0 + g*x1, x3 - x0 + hh*x3, x0, y1 - y0 + g*y1, y3 - y0 + hh*y3, y0, g, hh, 1}
	inv := [9]float64{
		m[4]*m[8] - m[5]*m[7], m[2]*m[7] - m[1]*m[8], m[1]*m[5] - m[2]*m[4],
		m[5]*m[6] - m[3]*m[8], m[0]*m[8] - m[2]*m[6], m[2]*m[3] - m[0]*m[5],
		m[3]*m[7] - m[4]*m[6], m[1]*m[6] - m[0]*m[7], m[0]*m[4] - m[1]*m[3],
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			z := inv[6]*fx + inv[7]*fy + inv[8]
			u, v := (inv[0]*fx+inv[1]*fy+inv[2])/z, (inv[3]*fx+inv[4]*fy+inv[5])/z
			if u < 0 || v < 0 || u >= 1 || v >= 1 {
				continue
			}
			if mods[int(v*n)][int(u*n)] {
				img.Pix[y*w+x] = 0
			}
		}
	}
	return img
}

func TestReadFindersPerspective(t *testing.T) {
	text := payload(600, 3)
	img := keystone(t, text, 1400, 1000, 0.8)
	g := toGray(img)
	if codes, _ := Read(g, false, unlimited()); len(codes) != 0 {
		t.Log("gozxing's own detector now reads the keystone; the test no longer shows ReadFinders' gain")
	}
	codes, err := ReadFinders(g, false, unlimited())
	if err != nil || len(codes) != 1 || codes[0] != text {
		t.Fatalf("ReadFinders on a steep keystone: %d codes, %v", len(codes), err)
	}
	// Nothing is read from noise or from a code with its data destroyed: the
	// Reed-Solomon check stands.
	noise := gaussNoise(whiteGray(800, 800), 120, 5)
	if codes, _ := ReadFinders(toGray(noise), false, unlimited()); len(codes) != 0 {
		t.Errorf("ReadFinders read %v from noise", codes)
	}
	ruined := toGray(img)
	for y := 300; y < 700; y++ {
		for x := 500; x < 1000; x++ {
			if (x/9+y/7)%3 == 0 {
				ruined.Pix[y*ruined.Width+x] = 255 - ruined.Pix[y*ruined.Width+x]
			}
		}
	}
	if codes, _ := ReadFinders(ruined, false, unlimited()); len(codes) != 0 {
		t.Errorf("ReadFinders read %d codes from a code with half its data scrambled", len(codes))
	}
}

func TestAlignmentEstimate(t *testing.T) {
	// On a parallelogram (equal module sizes) every k gives the parallelogram corner.
	tl := newFP(100, 100, 4)
	tr := newFP(500, 120, 4)
	bl := newFP(80, 500, 4)
	for _, k := range []float64{0, 1, 2} {
		x, y, ms := alignmentEstimate(tl, tr, bl, 1, k)
		if math.Abs(x-480) > 1e-6 || math.Abs(y-520) > 1e-6 || math.Abs(ms-4) > 1e-6 {
			t.Errorf("k=%g: (%g, %g) ms %g, want (480, 520) ms 4", k, x, y, ms)
		}
	}
	// Smaller modules on the right (far side): the corner moves in toward the top left.
	tr = newFP(500, 120, 2.5)
	x, y, _ := alignmentEstimate(tl, tr, bl, 1, 2)
	if d, d0 := math.Hypot(x-100, y-100), math.Hypot(380, 420); d >= d0 {
		t.Errorf("far right side: corner (%g, %g) is %g from the top left, want under the parallelogram's %g", x, y, d, d0)
	}
}

func newFP(x, y, ms float64) *detector.FinderPattern { return detector.NewFinderPattern(x, y, ms, 2) }
