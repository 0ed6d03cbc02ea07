package scan

import (
	"fmt"
	"syscall"
	"testing"
	"time"
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

// cpuTime is the process's user and system CPU time so far: on a shared
// machine it varies far less between runs than the wall clock.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// scanPageFile is an A4 page as a flatbed scanner saves it: a 60 mm code of
// 500 characters printed and scanned at dpi (the optics soften it, the sensor
// adds noise), in the format the scanner writes: a grey JPEG of quality 75, a
// PNG, or a PDF wrapping that JPEG as scan-to-PDF does.
func scanPageFile(t testing.TB, format string, dpi int) (data []byte, text string) {
	text = payload(500, uint64(dpi))
	page := gaussNoise(blur(scannedPage(t, text, float64(dpi), 60)), 6, uint64(dpi))
	switch format {
	case "jpeg":
		return encodeJPEG(t, page, 75), text
	case "png":
		return encodePNG(t, page), text
	case "pdf":
		return makePDF(t, pdfPage{data: encodeJPEG(t, page, 75), typ: "JPG", w: 210, h: 297}), text
	}
	t.Fatalf("no page format %q", format)
	return nil, ""
}

// BenchmarkScanPage reads scanned A4 pages from the file's bytes, as Read does
// for `passport scan`: decoding the file is part of the cost. cpu-ms/op is the
// CPU time a read, steadier than ns/op on a shared machine; scanbench's page
// table measures the same pages as whole processes against the peer readers.
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
