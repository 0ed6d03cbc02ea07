package scan

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"math"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"
)

// pdfPage is one page of a test PDF: an image file and its placement in millimetres.
type pdfPage struct {
	data       []byte
	typ        string // "PNG" or "JPG"
	x, y, w, h float64
}

// makePDF writes an A4 PDF with gofpdf, as the layout package does.
func makePDF(t testing.TB, pages ...pdfPage) []byte {
	t.Helper()
	f := gofpdf.New("P", "mm", "A4", "")
	for i, p := range pages {
		f.AddPage()
		f.SetFont("Helvetica", "", 12)
		f.Text(20, 20, "Staff passport test page")
		if p.data == nil {
			continue
		}
		name := fmt.Sprintf("img%d", i)
		opts := gofpdf.ImageOptions{ImageType: p.typ}
		f.RegisterImageOptionsReader(name, opts, bytes.NewReader(p.data))
		f.ImageOptions(name, p.x, p.y, p.w, p.h, false, opts, 0, "")
	}
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		t.Fatalf("gofpdf: %v", err)
	}
	return b.Bytes()
}

func TestPDFFromLayout(t *testing.T) {
	text := payload(700, 20)
	for _, px := range []int{1, 4} {
		t.Run(fmt.Sprintf("%dpx", px), func(t *testing.T) {
			data := makePDF(t, pdfPage{data: encodePNG(t, renderQR(t, text, px)), typ: "PNG", x: 77, y: 60, w: 62, h: 62})
			if !bytes.Contains(data, []byte("/FlateDecode")) || !bytes.Contains(data, []byte("/DeviceGray")) {
				t.Fatal("gofpdf did not embed a FlateDecode DeviceGray image; the test no longer matches layout's PDFs")
			}
			codes, err := Read(data)
			if err != nil {
				t.Fatalf("PDF: %v", err)
			}
			if len(codes) != 1 || codes[0].Text != text || codes[0].Page != 1 || codes[0].Format != "QR_CODE" {
				t.Fatalf("got %+v, want one QR_CODE on page 1 with the text", codes)
			}
		})
	}
}

// scannedPage draws a QR code on an A4 page image at dpi, as a flatbed scan would hold it.
func scannedPage(t testing.TB, text string, dpi float64, qrMM float64) *image.Gray {
	w, h := int(math.Round(210/25.4*dpi)), int(math.Round(297/25.4*dpi))
	page := whiteGray(w, h)
	mods := qrModules(t, text)
	px := int(qrMM / 25.4 * dpi / float64(len(mods)))
	drawQR(page, mods, w/2-len(mods)*px/2, h/4, px)
	return page
}

func TestPDFScannedJPEGPages(t *testing.T) {
	a, b := payload(400, 30), payload(400, 31)
	pageA := encodeJPEG(t, blur(scannedPage(t, a, 150, 62)), 60)
	pageB := encodeJPEG(t, rotate90(scannedPage(t, b, 150, 62)), 60)
	data := makePDF(t,
		pdfPage{data: pageA, typ: "JPG", w: 210, h: 297},
		pdfPage{}, // a page without images
		pdfPage{data: pageB, typ: "JPG", w: 210, h: 297},
	)
	if !bytes.Contains(data, []byte("/DCTDecode")) {
		t.Fatal("gofpdf did not embed a DCTDecode image")
	}
	codes, err := PDF(data)
	if err != nil {
		t.Fatalf("PDF: %v", err)
	}
	if len(codes) != 2 || codes[0].Text != a || codes[0].Page != 1 || codes[1].Text != b || codes[1].Page != 3 {
		t.Fatalf("got %d codes %+v, want text A on page 1 and text B on page 3", len(codes), pages(codes))
	}
}

func pages(cs []Code) []int {
	var p []int
	for _, c := range cs {
		p = append(p, c.Page)
	}
	return p
}

func TestPDFJPEGWithInvertingDecodeArray(t *testing.T) {
	text := payload(300, 40)
	// The JPEG holds a negative; the /Decode [1 0] array tells readers to invert it.
	page := invert(scannedPage(t, text, 100, 62))
	dict := fmt.Sprintf("/Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Decode [1 0]",
		page.Bounds().Dx(), page.Bounds().Dy())
	data := handPDF(dict, encodeJPEG(t, page, 75))
	codes, err := PDF(data)
	if err != nil {
		t.Fatalf("PDF: %v", err)
	}
	if len(codes) != 1 || codes[0].Text != text || codes[0].Page != 1 {
		t.Fatalf("got %+v", codes)
	}
}

func TestPDFErrors(t *testing.T) {
	noImage := makePDF(t, pdfPage{})
	if _, err := PDF(noImage); !errors.Is(err, ErrNoBarcode) || !strings.Contains(err.Error(), "no images") {
		t.Errorf("PDF without images = %v, want ErrNoBarcode saying there are no images", err)
	}
	blank := makePDF(t, pdfPage{data: encodePNG(t, whiteGray(300, 300)), typ: "PNG", x: 20, y: 40, w: 60, h: 60})
	if _, err := PDF(blank); !errors.Is(err, ErrNoBarcode) {
		t.Errorf("PDF with a blank image = %v, want ErrNoBarcode", err)
	}
	good := makePDF(t, pdfPage{data: encodePNG(t, renderQR(t, "HELLO", 4)), typ: "PNG", x: 20, y: 40, w: 60, h: 60})
	for name, data := range map[string][]byte{
		"truncated":   good[:len(good)/2],
		"header only": []byte("%PDF-1.7\n"),
		"not a pdf":   []byte("hello"),
		"random body": append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0x8f, 0x13, '<', '(', '/'}, 500)...),
	} {
		if codes, err := PDF(data); err == nil {
			t.Errorf("%s: PDF = %v, want an error", name, codes)
		}
	}
	// A damaged cross-reference table is rebuilt by scanning the file, as viewers do.
	damaged := bytes.Replace(good, []byte("xref"), []byte("xxxx"), 1)
	if codes, err := PDF(damaged); err != nil || len(codes) != 1 || codes[0].Text != "HELLO" {
		t.Errorf("PDF with damaged xref = %v, %v; want HELLO", codes, err)
	}
}
