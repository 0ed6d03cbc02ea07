package scan

import (
	"testing"
)

// BenchmarkDecodeA4_300dpi reads a 2480×3508 grey A4 page holding a 55 mm QR code of
// about 700 characters, the common case at a verifier station.
func BenchmarkDecodeA4_300dpi(b *testing.B) {
	text := payload(700, 50)
	page := scannedPage(b, text, 300, 55)
	if r := page.Bounds(); r.Dx() != 2480 || r.Dy() != 3508 {
		b.Fatalf("page is %v, want 2480×3508", r)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		codes, err := Decode(page)
		if err != nil || len(codes) != 1 || codes[0].Text != text {
			b.Fatalf("Decode = %v, %v", codes, err)
		}
	}
}

// BenchmarkBlankA4_300dpi measures the worst case: a page with no code, on which every
// strategy runs before ErrNoBarcode.
func BenchmarkBlankA4_300dpi(b *testing.B) {
	page := whiteGray(2480, 3508)
	for b.Loop() {
		if _, err := Decode(page); err == nil {
			b.Fatal("decoded a blank page")
		}
	}
}
