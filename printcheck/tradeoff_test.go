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
// the code larger helps: 10 mm more than the default reads more scans.
//
// It does not compare the default with the minimum width, 5 mm apart: with
// the reader's filters for noisy, low-resolution scans (crop+box1+up4), the
// 150-dpi half of the sweep reads 11 to 15 of 16 anywhere from 52.5 to 65 mm,
// not in order of width (55 mm read 15, 60 mm 12, 65 mm 11), which is this
// 32-scan sweep's noise; the 100-dpi half reads nothing below 65 mm.
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
	at(layout.DefaultECC, layout.MinCodeWidthMM)
	at("L", layout.DefaultCodeWidthMM)
	large := at(layout.DefaultECC, layout.DefaultCodeWidthMM+10)
	if h > m {
		t.Errorf("H read %d scans, more than the default %s (%d): revisit the default level", h, layout.DefaultECC, m)
	}
	if large <= m {
		t.Errorf("a %v mm code read %d scans, no more than the default %v mm (%d): printing larger should help", layout.DefaultCodeWidthMM+10, large, layout.DefaultCodeWidthMM, m)
	}
	if m == 0 {
		t.Error("the default print read no scan at all: the sweep is broken")
	}
}
