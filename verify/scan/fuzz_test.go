package scan

import (
	"errors"
	"testing"
)

// checkResult fails when a decoder returns both codes and an error, or neither.
func checkResult(t *testing.T, codes []Code, err error) {
	t.Helper()
	if (err == nil) == (len(codes) == 0) {
		t.Fatalf("got %d codes and error %v; want exactly one of them", len(codes), err)
	}
	if err != nil && !errors.Is(err, ErrNotImage) && !errors.Is(err, ErrNoBarcode) && !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v wraps none of the package's sentinel errors", err)
	}
}

func FuzzImage(f *testing.F) {
	f.Add(encodePNG(f, renderQR(f, "SP1:HELLO", 2)))
	f.Add(encodeGIF(f, paletted(renderQR(f, "SP1:HELLO", 1))))
	f.Add(encodeJPEG(f, renderQR(f, "SP1:HELLO", 3), 50))
	f.Add(pngHeader(100000, 100000))
	f.Add([]byte("BM\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		codes, err := Image(data)
		checkResult(t, codes, err)
	})
}

func FuzzPDF(f *testing.F) {
	f.Add(makePDF(f, pdfPage{data: encodePNG(f, renderQR(f, "SP1:HELLO", 1)), typ: "PNG", x: 20, y: 40, w: 60, h: 60}))
	f.Add(handPDF("/Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Decode [1 0]", []byte{0, 255, 255, 0}))
	f.Add([]byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj trailer << /Root 1 0 R >>"))
	// Image dictionaries whose sizes the reader checks before inflating (the one
	// too large to decode is in TestHostileMemory: its stream is 261 KB): 16-bit
	// RGB, indexed and four-component images.
	f.Add(zeroPDF(64, 64, "/DeviceRGB", 3, 16))
	f.Add(zeroPDF(64, 64, "[/Indexed /DeviceRGB 1 <000000ffffff>]", 1, 8))
	f.Add(zeroPDF(64, 64, "/DeviceCMYK", 4, 8))
	f.Fuzz(func(t *testing.T, data []byte) {
		codes, err := PDF(data)
		checkResult(t, codes, err)
	})
}
