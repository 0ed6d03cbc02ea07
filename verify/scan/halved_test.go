package scan

import (
	"testing"
)

// TestReadHalved checks the first read of a large page: a 300-dpi A4 scan with
// a 60 mm code reads on the page halved, a 200-dpi one (under
// halfFirstMinPixels) is not halved, and a code too small to read halved is
// still read by ImageContext, which falls back to the full page.
func TestReadHalved(t *testing.T) {
	text := payload(500, 7)
	page300 := toGray(gaussNoise(blur(scannedPage(t, text, 300, 60)), 6, 1))
	if codes := readHalved(page300, newBudget(t.Context(), Options{})); len(codes) != 1 || codes[0].Text != text {
		t.Errorf("300-dpi page: the halved read gave %d codes, want the page's code", len(codes))
	}
	page200 := toGray(gaussNoise(blur(scannedPage(t, text, 200, 60)), 6, 1))
	b := newBudget(t.Context(), Options{})
	if codes := readHalved(page200, b); len(codes) != 0 || b.Work() != 0 {
		t.Errorf("200-dpi page (%d pixels): halved read gave %d codes with %d work, want none and no work", len(page200.Pix), len(codes), b.Work())
	}
	// A 16 mm code at 300 dpi: 2 pixels a module, 1 on the halved page.
	small := scannedPage(t, text, 300, 16)
	if codes := readHalved(toGray(small), newBudget(t.Context(), Options{})); len(codes) != 0 {
		t.Fatalf("the halved read gave %d codes for a code of 1 pixel a module; the test needs one it cannot read", len(codes))
	}
	codes, err := ImageContext(t.Context(), encodePNG(t, small), Options{})
	if err != nil || len(codes) != 1 || codes[0].Text != text {
		t.Errorf("small code on a 300-dpi page: %d codes, %v; the full page was not read after the halved one", len(codes), err)
	}
}
