package detect

import (
	"image"
	"math"
	"testing"

	"github.com/makiuchi-d/gozxing/common"
)

// keystoned renders text with its symbol's corners (top left, top right, bottom
// right, bottom left, in pixels) at quad on a w×h white page, each pixel the mean of
// 3×3 samples, as a camera held at an angle to the page sees it.
func keystoned(t *testing.T, text string, w, h int, quad [8]float64) *image.Gray {
	t.Helper()
	return keystonedModules(qrModules(t, text), w, h, quad)
}

// keystonedModules is keystoned for a symbol's modules (true is dark), whatever
// encoder made them.
func keystonedModules(mods [][]bool, w, h int, quad [8]float64) *image.Gray {
	n := float64(len(mods))
	toMod := common.PerspectiveTransform_QuadrilateralToQuadrilateral(
		quad[0], quad[1], quad[2], quad[3], quad[4], quad[5], quad[6], quad[7],
		0, 0, n, 0, n, n, 0, n)
	img := whiteGray(w, h)
	pt := make([]float64, 18)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for s := 0; s < 9; s++ {
				pt[2*s] = float64(x) + (float64(s%3)+0.5)/3
				pt[2*s+1] = float64(y) + (float64(s/3)+0.5)/3
			}
			toMod.TransformPoints(pt)
			dark := 0
			for s := 0; s < 9; s++ {
				u, v := pt[2*s], pt[2*s+1]
				if u >= 0 && v >= 0 && u < n && v < n && mods[int(v)][int(u)] {
					dark++
				}
			}
			img.Pix[y*img.Stride+x] = byte(255 - 255*dark/9)
		}
	}
	return img
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
