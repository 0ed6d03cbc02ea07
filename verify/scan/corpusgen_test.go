package scan

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"passport/verify/scan/internal/raster"
)

// The generated part of the gating corpus (testdata/corpus): codes made by an
// encoder other than the one the project prints with (libqrencode's
// command-line tool, which picks its own versions and masks), damaged in the
// ways the reader must survive, each class with its own pseudo-random
// parameters, kept small (a code at 2 to 4 pixels a module, JPEG where the
// damage allows). TestWriteCorpus rewrites it; TestGatingCorpus reads it.

// corpusClass is one kind of damage: make turns a code's modules into the
// image to save and says whether to save it as JPEG (quality > 0) or PNG.
type corpusClass struct {
	name string
	n    int // images in the class; 0 means corpusPerClass
	make func(t testing.TB, mods [][]bool, r *rand.Rand) (img *image.Gray, jpegQ int)
}

// drawModules renders modules at px pixels a module with a 4-module quiet zone.
func drawModules(mods [][]bool, px int) *image.Gray {
	side := (len(mods) + 8) * px
	img := whiteGray(side, side)
	drawQR(img, mods, 4*px, 4*px, px)
	return img
}

func between(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

var corpusClasses = []corpusClass{
	// As the encoder wrote it, at a whole number of pixels a module.
	{"encoder", 0, func(t testing.TB, mods [][]bool, r *rand.Rand) (*image.Gray, int) {
		return drawModules(mods, 2+r.IntN(3)), 0
	}},
	// Resampled to 2.2–3.6 pixels a module and slightly turned, as a low-dpi
	// scan puts module edges between pixels; sensor noise; JPEG.
	{"scaled", 0, func(t testing.TB, mods [][]bool, r *rand.Rand) (*image.Gray, int) {
		img := drawModules(mods, 8)
		side := int(float64(img.Bounds().Dx()) * 0.5)
		img = cameraView(img, between(r, 0.28, 0.45), between(r, -3, 3), side)
		return gaussNoise(img, 8+r.IntN(10), r.Uint64()), 60 + r.IntN(25)
	}},
	// Turned anywhere from 5° to 85°.
	{"rotated", 0, func(t testing.TB, mods [][]bool, r *rand.Rand) (*image.Gray, int) {
		img := drawModules(mods, 8)
		side := int(float64(img.Bounds().Dx()) * 0.62)
		deg := between(r, 5, 85)
		if r.IntN(2) == 0 {
			deg = -deg
		}
		return gaussNoise(cameraView(img, between(r, 0.4, 0.45), deg, side), 10, r.Uint64()), 75
	}},
	// A camera tilted to the page: one side of the code shorter than the other.
	{"keystone", 0, func(t testing.TB, mods [][]bool, r *rand.Rand) (*image.Gray, int) {
		n := float64(len(mods))
		w := int(n * 4.2)
		s := n * between(r, 2.8, 3.3) // the near side, in pixels
		far := s * between(r, 0.6, 0.85)
		x0, y0 := float64(w)/2-s/2, float64(w)/2-s/2
		d := (s - far) / 2
		quad := [8]float64{x0, y0 + d, x0 + s, y0, x0 + s, y0 + s, x0, y0 + s - d} // left side far
		if r.IntN(2) == 0 {
			quad = [8]float64{x0, y0, x0 + s, y0 + d, x0 + s, y0 + s - d, x0, y0 + s} // right side far
		}
		return gaussNoise(keystonedModules(mods, w, w, quad), 8, r.Uint64()), 80
	}},
	// Defocus: a disc blur of a third to two thirds of a module.
	{"defocus", 0, func(t testing.TB, mods [][]bool, r *rand.Rand) (*image.Gray, int) {
		px := 4
		img := psfBlur(drawModules(mods, px), raster.PSF{Radius: between(r, 0.35, 0.65) * float64(px)})
		return gaussNoise(img, 4, r.Uint64()), 85
	}},
	// Dim, low-contrast light with noise, as a webcam in a dark room sees paper.
	{"lowlight", 0, func(t testing.TB, mods [][]bool, r *rand.Rand) (*image.Gray, int) {
		lo := between(r, 50, 100)
		img := dimmed(drawModules(mods, 3), lo, lo+between(r, 45, 90))
		return gaussNoise(img, 10+r.IntN(12), r.Uint64()), 70
	}},
	// Light modules on a dark ground (a phone in dark mode), slightly turned.
	{"inverted", 0, func(t testing.TB, mods [][]bool, r *rand.Rand) (*image.Gray, int) {
		img := drawModules(mods, 8)
		side := int(float64(img.Bounds().Dx()) * 0.45)
		img = invert(cameraView(img, between(r, 0.38, 0.44), between(r, -8, 8), side))
		return gaussNoise(img, 6, r.Uint64()), 80
	}},
	// A picture forwarded and saved again: three to five JPEG generations at
	// quality 30–50, resized a little between them.
	{"jpegchain", 0, func(t testing.TB, mods [][]bool, r *rand.Rand) (*image.Gray, int) {
		img := drawModules(mods, 3)
		for range 3 + r.IntN(3) {
			img = jpegRoundTrip(t, scaleTo(img, between(r, 0.93, 1.08)), 30+r.IntN(21))
		}
		return img, 50
	}},
	// A print of a print: blurred, thresholded as a copier does, with toner
	// specks and dropouts.
	{"copycopy", 0, func(t testing.TB, mods [][]bool, r *rand.Rand) (*image.Gray, int) {
		img := drawModules(mods, 3)
		for range 2 {
			img = blur(img)
			cut := byte(between(r, 110, 150))
			for i, v := range img.Pix {
				img.Pix[i] = 255
				if v < cut {
					img.Pix[i] = 0
				}
			}
			img = speckle(img, between(r, 0.01, 0.04), r.Uint64())
		}
		return img, 0
	}},
	// A4 pages as a flatbed saves them at 100 dpi, JPEG: the code 55–65 mm wide
	// (about 3 pixels a module) among lines of text-like marks, up to 2° askew,
	// softened by the scanner's optics, with sensor noise. The only class where
	// the reader must find the code on a page before reading it.
	{"page100", 8, func(t testing.TB, mods [][]bool, r *rand.Rand) (*image.Gray, int) {
		const dpi = 100.0
		mm := func(v float64) int { return int(v * dpi / 25.4) }
		page := whiteGray(mm(210), mm(297))
		for y := 15.0; y < 280; y += 5 {
			for x := 20.0; x < 190; {
				w := between(r, 3, 20)
				if x+w > 190 || (y > 25 && y < 105 && x+w > 120) { // the code's area
					break
				}
				for py := mm(y); py < mm(y+2.5); py++ {
					for px := mm(x); px < mm(x+w); px++ {
						page.Pix[py*page.Stride+px] = byte(20 + r.IntN(60))
					}
				}
				x += w + 1.5
			}
		}
		code := drawModules(mods, 8)
		side := float64(code.Bounds().Dx()) // symbol and quiet zone, at 8 px a module
		want := float64(mm(between(r, 55, 65))) * float64(len(mods)+8) / float64(len(mods))
		tile := cameraView(code, want/side, between(r, -2, 2), int(want*1.05))
		ox, oy := mm(125), mm(25)
		for y := range tile.Bounds().Dy() {
			for x := range tile.Bounds().Dx() {
				if oy+y < page.Bounds().Dy() && ox+x < page.Bounds().Dx() {
					page.Pix[(oy+y)*page.Stride+ox+x] = tile.Pix[y*tile.Stride+x]
				}
			}
		}
		return gaussNoise(blur(page), 3, r.Uint64()), 35 + r.IntN(16)
	}},
	// ImageMagick's own resampling and filters rather than this package's: a
	// perspective distortion (its elliptical weighted averaging), motion blur
	// of up to a module along a random direction, and its Gaussian noise.
	{"magick", 8, func(t testing.TB, mods [][]bool, r *rand.Rand) (*image.Gray, int) {
		img := drawModules(mods, 4)
		w := float64(img.Bounds().Dx())
		j := func() float64 { return between(r, 0, 0.12) * w }
		corners := fmt.Sprintf("0,0 %.0f,%.0f  %.0f,0 %.0f,%.0f  %.0f,%.0f %.0f,%.0f  0,%.0f %.0f,%.0f",
			j(), j(), w, w-j(), j(), w, w, w-j(), w-j(), w, j(), w-j())
		cmd := exec.Command(magickConvert, "png:-", "-virtual-pixel", "white", "-distort", "Perspective", corners,
			"-motion-blur", fmt.Sprintf("0x%.1f+%.0f", between(r, 0.8, 2.5), between(r, 0, 180)),
			"-attenuate", fmt.Sprintf("%.2f", between(r, 0.2, 0.5)), "+noise", "Gaussian",
			"-colorspace", "Gray", "png:-")
		cmd.Stdin = bytes.NewReader(encodePNG(t, img))
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", magickConvert, err)
		}
		dec, err := png.Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		return asImage(toGray(dec)), 75
	}},
}

// magickConvert is ImageMagick's convert (Debian's imagemagick package).
const magickConvert = "/usr/bin/convert"

// qrencodeModules encodes text with qrencode at ECC level ecc (L, M, Q or H),
// one pixel a module and no quiet zone, and returns its modules.
func qrencodeModules(t testing.TB, text, ecc string) [][]bool {
	out, err := exec.Command("qrencode", "-l", ecc, "-s", "1", "-m", "0", "-o", "-", text).Output()
	if err != nil {
		t.Fatalf("qrencode: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	mods := make([][]bool, b.Dy())
	for y := range mods {
		mods[y] = make([]bool, b.Dx())
		for x := range mods[y] {
			r, _, _, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			mods[y][x] = r < 0x8000
		}
	}
	return mods
}

// corpusPerClass is how many images each generated class holds.
const corpusPerClass = 14

// TestWriteCorpus rewrites testdata/corpus: run it with SCAN_WRITE_CORPUS=1
// (it needs qrencode and ImageMagick) after changing a class, then review and commit the
// images and the minimum counts of TestGatingCorpus.
func TestWriteCorpus(t *testing.T) {
	if os.Getenv("SCAN_WRITE_CORPUS") == "" {
		t.Skip("set SCAN_WRITE_CORPUS=1 to rewrite testdata/corpus (needs qrencode)")
	}
	eccs := []string{"L", "M", "Q", "H"}
	for ci, c := range corpusClasses {
		dir := filepath.Join("testdata", "corpus", c.name)
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		n := c.n
		if n == 0 {
			n = corpusPerClass
		}
		for i := range n {
			r := rand.New(rand.NewPCG(uint64(ci)+1, uint64(i)+1))
			// Passport texts run from about 150 to 600 characters.
			text := payload(80+r.IntN(400), r.Uint64())
			img, q := c.make(t, qrencodeModules(t, text, eccs[r.IntN(len(eccs))]), r)
			name := fmt.Sprintf("%s-%02d.png", c.name, i)
			data := []byte(nil)
			if q > 0 {
				name = fmt.Sprintf("%s-%02d.jpg", c.name, i)
				data = encodeJPEG(t, img, q)
			} else {
				data = encodePNG(t, img)
			}
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name+".txt"), []byte(text+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
