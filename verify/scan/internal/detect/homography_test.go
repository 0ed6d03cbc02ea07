package detect

import (
	"image"
	"math"
	"testing"

	"github.com/makiuchi-d/gozxing/common"

	"passport/verify/scan/internal/qrtest"
)

// The shared generators (package qrtest), under the names these tests use.
var (
	keystonedModules = qrtest.KeystonedModules
)

// keystoned renders text with its symbol's corners (top left, top right, bottom
// right, bottom left, in pixels) at quad on a w×h white page, each pixel the mean of
// 3×3 samples, as a camera held at an angle to the page sees it.
func keystoned(t *testing.T, text string, w, h int, quad [8]float64) *image.Gray {
	t.Helper()
	return keystonedModules(qrModules(t, text), w, h, quad)
}

// A code photographed at a steep angle (the geometry of a 12 MP phone photo that
// ZXingReader read and we did not, scaled to 0.4): its far corner is modules away
// from where the three finder patterns' parallelogram, or a guess from their module
// sizes, puts it. The piecewise reader finds the alignment patterns near the
// finders, fits the perspective to them and so finds the far ones.
func TestReadPiecewiseKeystone(t *testing.T) {
	text := payload(670, 15) // version 17, 85 modules, a 4×4 alignment grid
	if n := len(qrModules(t, text)); n != 85 {
		t.Fatalf("test payload gives %d modules, want 85 (version 17)", n)
	}
	quad := [8]float64{254, 90, 833, 291, 668, 814, 122, 775}
	g := toGray(keystoned(t, text, 950, 950, quad))
	codes, err := ReadPiecewise(g, false, unlimited())
	if err != nil || len(codes) != 1 || codes[0] != text {
		t.Fatalf("ReadPiecewise on a steeply keystoned code: %d codes, %v", len(codes), err)
	}
}

// fitPerspective recovers a known perspective from exact grid points, and refuses
// point sets that cannot determine one.
func TestFitPerspective(t *testing.T) {
	const dim = 85
	truth := common.PerspectiveTransform_QuadrilateralToQuadrilateral(
		0, 0, dim, 0, dim, dim, 0, dim, 254, 90, 833, 291, 668, 814, 122, 775)
	grid := func(found func(i, j int) bool) [][]pwPoint {
		cs := []float64{3.5, 30.5, 54.5, 81.5}
		g := make([][]pwPoint, 4)
		for j := range g {
			g[j] = make([]pwPoint, 4)
			for i := range g[j] {
				p := []float64{cs[i], cs[j]}
				truth.TransformPoints(p)
				g[j][i] = pwPoint{mx: cs[i], my: cs[j], x: p[0], y: p[1], found: found(i, j)}
			}
		}
		return g
	}
	finders := func(i, j int) bool { return (i == 0 || j == 0) && (i+j == 0 || i+j == 3) }
	tests := []struct {
		name  string
		found func(i, j int) bool
		ok    bool
	}{
		{"finders and the patterns next to the top left", func(i, j int) bool { return finders(i, j) || i+j <= 2 }, true},
		{"finders and one interior pattern", func(i, j int) bool { return finders(i, j) || (i == 1 && j == 1) || (i == 1 && j == 0) }, true},
		{"finders only", finders, false},
		{"top row and left column only", func(i, j int) bool { return i == 0 || j == 0 }, false},
		{"interior points only on the anti-diagonal", func(i, j int) bool { return finders(i, j) || i+j == 3 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fit, ok := fitPerspective(grid(tc.found), dim)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			// The far corner, which no point pinned, lands where the truth has it.
			for _, m := range [][2]float64{{dim - 6.5, dim - 6.5}, {dim, dim}, {42.5, 42.5}} {
				want, got := []float64{m[0], m[1]}, []float64{m[0], m[1]}
				truth.TransformPoints(want)
				fit.TransformPoints(got)
				if d := math.Hypot(got[0]-want[0], got[1]-want[1]); d > 0.01 {
					t.Errorf("module %v maps %.3f px from the true point", m, d)
				}
			}
		})
	}
}
