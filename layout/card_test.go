package layout

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"passport/verify/scan"
)

// renderPage renders page n of pdf at dpi with pdftoppm, or skips.
func renderPage(t *testing.T, pdf []byte, n, dpi int) image.Image {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm not installed (apt-get install poppler-utils)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "p.pdf")
	os.WriteFile(in, pdf, 0o644)
	pg := strconv.Itoa(n)
	if out, err := exec.Command("pdftoppm", "-r", strconv.Itoa(dpi), "-png", "-f", pg, "-l", pg, "-singlefile", in, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "p.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func testPhoto(t *testing.T) *Photo {
	img := image.NewRGBA(image.Rect(0, 0, 600, 800))
	for y := 0; y < 800; y++ {
		for x := 0; x < 600; x++ {
			img.Set(x, y, color.RGBA{uint8(80 + x/6), uint8(100 + y/8), 160, 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, nil)
	p, err := PreparePhoto(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if p.W > photoMaxW || p.H > photoMaxH {
		t.Fatalf("photo not scaled: %dx%d", p.W, p.H)
	}
	return p
}

// TestCardDecodes renders the card's back at 150 dpi, as a flatbed scan
// would see it, and reads the code; with -sample it writes
// ../docs/sample-card.png (front and back).
func TestCardDecodes(t *testing.T) {
	r, err := NewRenderer(Options{Layout: LayoutCard, Created: issued})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{650, 1000} {
		text := fakeCredential(int64(n), n)
		p, err := r.Render(sampleClaims("Siân O'Brien-Smith"), text, testPhoto(t))
		if err != nil {
			t.Fatal(err)
		}
		if p.Pages() != 2 {
			t.Fatalf("card has %d pages, want 2", p.Pages())
		}
		var buf bytes.Buffer
		if err := WritePDF(&buf, issued, p); err != nil {
			t.Fatal(err)
		}
		if n == 650 && *writeSample {
			front := renderPage(t, buf.Bytes(), 1, 200)
			back := renderPage(t, buf.Bytes(), 2, 200)
			fb, bb := front.Bounds(), back.Bounds()
			out := image.NewRGBA(image.Rect(0, 0, fb.Dx()+bb.Dx()+60, max(fb.Dy(), bb.Dy())+40))
			draw.Draw(out, out.Bounds(), image.NewUniform(color.RGBA{200, 200, 200, 255}), image.Point{}, draw.Src)
			draw.Draw(out, fb.Add(image.Pt(20, 20)), front, fb.Min, draw.Src)
			draw.Draw(out, bb.Add(image.Pt(40+fb.Dx(), 20)), back, bb.Min, draw.Src)
			var b bytes.Buffer
			(&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, out)
			os.WriteFile("../docs/sample-card.png", b.Bytes(), 0o644)
		}
		back := renderPage(t, buf.Bytes(), 2, 150)
		// The verifier's decoder (gozxing with its retry strategies)
		// reads it; zbarimg and ZXingReader read it too when installed.
		codes, err := scan.Decode(back)
		if err != nil || len(codes) != 1 || codes[0].Text != text {
			t.Fatalf("%d chars: the card's code does not read at 150 dpi: %v", n, err)
		}
		for _, tool := range [][]string{{"zbarimg", "-q", "--raw"}, {"ZXingReader", "-format", "QRCode"}} {
			if _, err := exec.LookPath(tool[0]); err != nil {
				continue
			}
			var pb bytes.Buffer
			png.Encode(&pb, back)
			f := filepath.Join(t.TempDir(), "back.png")
			os.WriteFile(f, pb.Bytes(), 0o644)
			out, _ := exec.Command(tool[0], append(tool[1:], f)...).Output()
			if !bytes.Contains(out, []byte(text[:40])) {
				t.Errorf("%s cannot read the card's code at 150 dpi: %.200s", tool[0], out)
			}
		}
	}
}

// TestStreamManyPages writes a combined PDF through Stream and checks
// the page count and that poppler renders its last page.
func TestStreamManyPages(t *testing.T) {
	r, _ := NewRenderer(Options{Created: issued})
	var buf bytes.Buffer
	s, err := NewStream(&buf, issued)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		p, err := r.Render(sampleClaims(sampleNames[i%len(sampleNames)]), fakeCredential(int64(i), 700), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(pageObj.FindAll(buf.Bytes(), -1)); n != 20 {
		t.Fatalf("%d pages, want 20", n)
	}
	img := renderPage(t, buf.Bytes(), 20, 150)
	if _, _, err := decodeQR(t, img); err != nil {
		t.Fatalf("last page: %v", err)
	}
}
