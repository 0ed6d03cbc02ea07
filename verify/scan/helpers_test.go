package scan

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"golang.org/x/image/draw"

	"passport/verify/scan/internal/guard"
	"passport/verify/scan/internal/qrtest"
	"passport/verify/scan/internal/raster"
	"passport/verify/scan/internal/work"
)

// The shared generators (package qrtest), under the names these tests use.
var (
	payload    = qrtest.Payload
	qrModules  = qrtest.Modules
	drawQR     = qrtest.Draw
	whiteGray  = qrtest.White
	renderQR   = qrtest.Render
	encodePNG  = qrtest.EncodePNG
	gaussNoise = qrtest.GaussNoise
	handPDF    = qrtest.OneImagePDF
)

func encodeJPEG(t testing.TB, img image.Image, q int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rotate90 turns img a quarter turn (independently of the package's own rotation).
func rotate90(img *image.Gray) *image.Gray {
	b := img.Bounds()
	o := image.NewGray(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			o.SetGray(b.Dy()-1-y, x, img.GrayAt(x, y))
		}
	}
	return o
}

func invert(img *image.Gray) *image.Gray {
	o := image.NewGray(img.Bounds())
	for i, v := range img.Pix {
		o.Pix[i] = 255 - v
	}
	return o
}

// speckle flips a fraction of pixels to black or white.
func speckle(img *image.Gray, frac float64, seed uint64) *image.Gray {
	r := rand.New(rand.NewPCG(seed, 1))
	o := image.NewGray(img.Bounds())
	copy(o.Pix, img.Pix)
	for i := range o.Pix {
		if r.Float64() < frac {
			o.Pix[i] = byte(255 * r.IntN(2))
		}
	}
	return o
}

// blur applies a 3×3 box blur.
func blur(img *image.Gray) *image.Gray {
	b := img.Bounds()
	o := image.NewGray(b)
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			s, n := 0, 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx >= 0 && yy >= 0 && xx < b.Dx() && yy < b.Dy() {
						s += int(img.Pix[yy*img.Stride+xx])
						n++
					}
				}
			}
			o.Pix[y*o.Stride+x] = byte(s / n)
		}
	}
	return o
}

// scaleTo resamples img bilinearly to factor × its size (a non-integer factor puts
// module edges between pixels, as a scanner does).
func scaleTo(img image.Image, factor float64) *image.Gray {
	b := img.Bounds()
	o := image.NewGray(image.Rect(0, 0, int(float64(b.Dx())*factor), int(float64(b.Dy())*factor)))
	draw.BiLinear.Scale(o, o.Bounds(), img, b, draw.Src, nil)
	return o
}

// toRGBA converts to a colour image, so the NRGBA/RGBA paths are exercised.
func toNRGBA(img image.Image) *image.NRGBA {
	o := image.NewNRGBA(img.Bounds())
	draw.Draw(o, o.Bounds(), img, img.Bounds().Min, draw.Src)
	return o
}

// paletted converts to a 2-colour paletted image.
func paletted(img *image.Gray) *image.Paletted {
	o := image.NewPaletted(img.Bounds(), color.Palette{color.Black, color.White})
	for i, v := range img.Pix {
		if v >= 128 {
			o.Pix[i] = 1
		}
	}
	return o
}

// readsTestdataCode checks that Image reads exactly one code from the testdata
// image at path, with the text stored beside it in path+".txt" (a trailing
// newline there is not part of the text); what names the image in the failure.
func readsTestdataCode(t *testing.T, path, what string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(path + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	codes, err := Image(data)
	if err != nil || len(codes) != 1 || codes[0].Text != strings.TrimSuffix(string(want), "\n") {
		t.Fatalf("Image on %s: %d codes, %v", what, len(codes), err)
	}
}

// noiseGray is a w×h image of uniform random levels.
func noiseGray(w, h int, seed uint64) *gray {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	g := raster.New(w, h)
	for i := range g.Pix {
		g.Pix[i] = byte(rng.IntN(256))
	}
	return g
}

// unlimited is a budget for tests and measurements that must not stop early.
func unlimited() *budget {
	return work.New(context.Background(), 1<<62, 1<<62)
}

// decodeWithDefaults reads img with these strategies within the default
// budgets, as Decode does with defaultStrategies, and also returns the name
// of the strategy that read it.
func decodeWithDefaults(img image.Image, strategies []strategy) (codes []Code, name string, err error) {
	defer guard.Catch(&err, true)
	return decodeWith(img, strategies, newBudget(context.Background(), Options{}))
}
