package scan

import (
	"bytes"
	"fmt"
	"image"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user and system CPU time so far: on a shared
// machine it varies far less than the wall clock between runs.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// scanPageFile is an A4 page as a flatbed scanner saves it: a 60 mm code of
// 500 characters printed and scanned at dpi (the scanner's optics soften it,
// its sensor adds noise), in the format a scanner writes: a grey JPEG at
// quality 75, a PNG, or a PDF wrapping the JPEG.
func scanPageFile(t testing.TB, format string, dpi int) ([]byte, string) {
	text := payload(500, uint64(dpi))
	page := gaussNoise(blur(scannedPage(t, text, float64(dpi), 60)), 6, uint64(dpi))
	switch format {
	case "jpeg":
		return encodeJPEG(t, page, 75), text
	case "png":
		return encodePNG(t, page), text
	case "pdf":
		return makePDF(t, pdfPage{data: encodeJPEG(t, page, 75), typ: "JPG", w: 210, h: 297}), text
	}
	t.Fatalf("no format %s", format)
	return nil, ""
}

// BenchmarkScanPage reads scanned A4 pages as Read does, from the file's bytes:
// the decoding of the file is part of the cost.
func BenchmarkScanPage(b *testing.B) {
	for _, format := range []string{"jpeg", "png", "pdf"} {
		for _, dpi := range []int{150, 300} {
			b.Run(fmt.Sprintf("%s%d", format, dpi), func(b *testing.B) {
				data, text := scanPageFile(b, format, dpi)
				b.ReportAllocs()
				start, n := cpuTime(), 0
				for b.Loop() {
					n++
					codes, err := Read(data)
					if err != nil || len(codes) != 1 || codes[0].Text != text {
						b.Fatalf("Read = %d codes, %v", len(codes), err)
					}
				}
				b.ReportMetric(float64(cpuTime()-start)/1e6/float64(n), "cpu-ms/op")
			})
		}
	}
}

// TestAdoptGray checks that a decoder's grey or Y plane without row padding
// becomes the luminance plane without a copy, and that any other layout is
// copied into one with the same pixels.
func TestAdoptGray(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 16, 8))
	for i := range g.Pix {
		g.Pix[i] = byte(i)
	}
	y := image.NewYCbCr(image.Rect(0, 0, 16, 8), image.YCbCrSubsampleRatio420)
	copy(y.Y, g.Pix)
	padded := image.NewGray(image.Rect(0, 0, 20, 8)).SubImage(image.Rect(0, 0, 16, 8)).(*image.Gray)
	offset := image.NewGray(image.Rect(0, 0, 16, 9)).SubImage(image.Rect(0, 1, 16, 9)).(*image.Gray)
	for yy := range 8 {
		copy(padded.Pix[yy*padded.Stride:], g.Pix[yy*16:(yy+1)*16])
		copy(offset.Pix[yy*offset.Stride:], g.Pix[yy*16:(yy+1)*16])
	}
	for _, tc := range []struct {
		name   string
		img    image.Image
		shared []byte // the plane the result must share, or nil for a copy
	}{
		{"grey", g, g.Pix},
		{"YCbCr", y, y.Y},
		{"grey with padded rows", padded, nil},
		{"grey not at the origin", offset, nil},
	} {
		a := adoptGray(tc.img)
		if a.Width != 16 || a.Height != 8 || !bytes.Equal(a.pix, g.Pix) {
			t.Errorf("%s: %d×%d, pixels differ", tc.name, a.Width, a.Height)
		}
		if tc.shared != nil && &a.pix[0] != &tc.shared[0] {
			t.Errorf("%s: copied", tc.name)
		}
		if tc.shared == nil && &a.pix[0] == &tc.img.(*image.Gray).Pix[0] {
			t.Errorf("%s: shares a plane with padding or an offset", tc.name)
		}
	}
}
