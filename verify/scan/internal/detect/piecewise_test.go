package detect

import (
	"image"
	"testing"

	"passport/verify/scan/internal/raster"
)

// kinked renders text with px pixels a module and bends the paper at module row
// kink: below it every row is shifted right by slope modules per module further down,
// as the lower half of a folded sheet tilted against the upper half. One perspective
// transform fits the two halves badly in the middle; the alignment grid's cells each
// see a nearly straight piece.
func kinked(t *testing.T, text string, px int, kink, slope float64) *image.Gray {
	t.Helper()
	mods := qrModules(t, text)
	n := len(mods)
	side := (n + 8 + int(slope*float64(n)) + 2) * px
	img := whiteGray(side, (n+8)*px)
	ox, oy := 4.0, 4.0 // quiet zone in modules
	for y := 0; y < img.Rect.Dy(); y++ {
		for x := 0; x < side; x++ {
			v := (float64(y)+0.5)/float64(px) - oy
			u := (float64(x)+0.5)/float64(px) - ox
			if v > kink {
				u -= slope * (v - kink)
			}
			if u < 0 || v < 0 || u >= float64(n) || v >= float64(n) {
				continue
			}
			if mods[int(v)][int(u)] {
				img.Pix[y*img.Stride+x] = 0
			}
		}
	}
	return img
}

func TestReadPiecewiseKink(t *testing.T) {
	text := payload(670, 11) // a passport-sized payload: version 17, 85 modules
	if n := len(qrModules(t, text)); n != 85 {
		t.Fatalf("test payload gives %d modules, want 85 (version 17)", n)
	}
	img := kinked(t, text, 6, 42, 0.09)
	g := toGray(img)
	if codes, _ := Read(g, false, unlimited()); len(codes) != 0 {
		t.Log("gozxing's own reader now reads the kinked code; the test no longer shows the piecewise gain")
	}
	if codes, _ := ReadFinders(g, false, unlimited()); len(codes) != 0 {
		t.Log("ReadFinders now reads the kinked code; the test no longer shows the piecewise gain")
	}
	codes, err := ReadPiecewise(g, false, unlimited())
	if err != nil || len(codes) != 1 || codes[0] != text {
		t.Fatalf("ReadPiecewise on a kinked code: %d codes, %v", len(codes), err)
	}
	// The same code straight reads too (the cells then agree with one transform).
	codes, _ = ReadPiecewise(toGray(renderQR(t, text, 5)), false, unlimited())
	if len(codes) != 1 || codes[0] != text {
		t.Errorf("ReadPiecewise on a clean code: %v", codes)
	}
	// Nothing from noise, nothing from a code whose data is scrambled: the decoder's
	// Reed-Solomon check stands.
	if codes, _ := ReadPiecewise(toGray(gaussNoise(whiteGray(800, 800), 120, 5)), false, unlimited()); len(codes) != 0 {
		t.Errorf("ReadPiecewise read %v from noise", codes)
	}
	ruined := toGray(img)
	w := ruined.Width
	for y := 150; y < 450; y++ {
		for x := 150; x < 450; x++ {
			if (x/7+y/5)%3 == 0 {
				ruined.Pix[y*w+x] = 255 - ruined.Pix[y*w+x]
			}
		}
	}
	if codes, _ := ReadPiecewise(ruined, false, unlimited()); len(codes) != 0 {
		t.Errorf("ReadPiecewise read %d codes from a code with its middle scrambled", len(codes))
	}
}

// FuzzPiecewise feeds arbitrary luminance planes to the piecewise reader: it must
// not panic, and anything it returns has passed the decoder's Reed-Solomon check.
func FuzzPiecewise(f *testing.F) {
	f.Add(uint8(60), []byte{0, 255, 0, 255, 128})
	f.Fuzz(func(t *testing.T, side uint8, data []byte) {
		n := max(int(side), 21)
		g := raster.New(n, n)
		for i := range g.Pix {
			if len(data) > 0 {
				g.Pix[i] = data[i%len(data)]
			}
		}
		for _, global := range []bool{false, true} {
			if _, err := ReadPiecewise(g, global, unlimited()); err != nil {
				t.Fatalf("ReadPiecewise: %v", err)
			}
		}
	})
}
