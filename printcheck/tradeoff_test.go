package printcheck

import (
	"testing"

	"passport/layout"
)

// sweep is a grid of poor scans, from a webcam-like 100 dpi to 150 dpi, with
// rotation, noise, a crease and stains varied.
func sweep() []Scan {
	var out []Scan
	for _, dpi := range []float64{100, 150} {
		for _, noise := range []int{24, 48} {
			for _, rot := range []float64{2, 7} {
				for _, fold := range []bool{false, true} {
					for _, stains := range []int{0, 4} {
						out = append(out, Scan{DPI: dpi, RotateDeg: rot, Blur: 2, Low: 70, High: 205, Noise: noise,
							JPEGQuality: 40, Fold: fold, Stains: stains})
					}
				}
			}
		}
	}
	return out
}

func readRate(txt, ecc string, width float64) int {
	n := 0
	for _, s := range sweep() {
		if Check(txt, ecc, width, s) == nil {
			n++
		}
	}
	return n
}

// TestPrintTradeoff measures how many simulated poor scans a 700-character
// passport code survives by error-correction level and printed width, and
// pins two findings the layout's defaults rest on (table in README):
// at a fixed printed width a higher level means more, smaller modules, which
// costs more than its redundancy gains (H reads worse than M); and printing
// the code larger always helps.
func TestPrintTradeoff(t *testing.T) {
	if testing.Short() {
		t.Skip("slow sweep")
	}
	txt := text(700)
	n := len(sweep())
	at := func(ecc string, w float64) int {
		r := readRate(txt, ecc, w)
		v, _ := layout.QRVersion(txt, ecc)
		t.Logf("ECC %s, %2.0f mm: version %d, %.2f mm/module: read %2d/%d", ecc, w, v, w/float64(17+4*v), r, n)
		return r
	}
	m := at(layout.DefaultECC, layout.DefaultCodeWidthMM)
	h := at("H", layout.DefaultCodeWidthMM)
	small := at(layout.DefaultECC, layout.MinCodeWidthMM)
	at("L", layout.DefaultCodeWidthMM)
	if h > m {
		t.Errorf("H read %d scans, more than the default %s (%d): revisit the default level", h, layout.DefaultECC, m)
	}
	if small > m {
		t.Errorf("a %v mm code read %d scans, more than the default %v mm (%d)", layout.MinCodeWidthMM, small, layout.DefaultCodeWidthMM, m)
	}
	if m == 0 {
		t.Error("the default print read no scan at all: the sweep is broken")
	}
}
