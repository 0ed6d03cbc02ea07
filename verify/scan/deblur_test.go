package scan

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"math"
	"testing"

	"golang.org/x/image/draw"

	"passport/verify/scan/internal/qrtest"
	"passport/verify/scan/internal/raster"
)

// The shared generators (package qrtest), under the names these tests use.
var (
	psfBlur    = qrtest.PSFBlur
	cameraView = qrtest.CameraView
)

// withoutDeblur returns defaultStrategies without the deconvolution, the reader as
// it was before it.
func withoutDeblur() []strategy {
	var out []strategy
	for _, s := range defaultStrategies() {
		if s.sampler != deblurred {
			out = append(out, s)
		}
	}
	return out
}

// TestDeblurReadsWhatSharpeningCannot blurs a code with a known disc or line, as a
// defocused or shaken webcam does, beyond what the other strategies read (checked:
// each case fails without the deconvolution), and checks that the deconvolution
// reads it, with the right text. The code is seen as a camera sees it: turned,
// resampled at a fractional module size, dimmed, noisy and JPEG-compressed.
func TestDeblurReadsWhatSharpeningCannot(t *testing.T) {
	text := payload(200, 7)
	for _, c := range []struct {
		name      string
		ppm, turn float64 // pixels a module, degrees
		p         raster.PSF
		strategy  string
	}{
		{"disc 0.9 module, turned 12°", 4.6, 12, raster.PSF{Radius: 0.9 * 4.6}, "crop+deblur+finders+hybrid"},
		{"disc 0.9 module, square", 5.5, 0, raster.PSF{Radius: 0.9 * 5.5}, "crop+deblur+finders+hybrid"},
		{"line 2 modules at 29°, turned 12°", 4.6, 12, raster.PSF{Length: 2 * 4.6, Angle: 0.5}, "crop+deblur+finders+hybrid"},
		{"line 2 modules at 29°, larger", 5.5, 12, raster.PSF{Length: 2 * 5.5, Angle: 0.5}, "crop+deblur+finders+hybrid"},
		// Small and blurred along 100°: detect.Regions finds only parts of the
		// code, so the whole image is deconvolved.
		{"line 2 modules at 100°, small image", 5, 0, raster.PSF{Length: 10, Angle: 100 * math.Pi / 180}, "deblur+finders+hybrid"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var img *image.Gray
			if c.turn == 0 && c.ppm == 5 {
				img = renderQR(t, text, 5)
			} else {
				img = cameraView(renderQR(t, text, 10), c.ppm/10, c.turn, 480)
			}
			img = jpegRoundTrip(t, gaussNoise(dimmed(psfBlur(img, c.p), 40, 210), 3, 3), 75)
			if codes, name, err := decodeWithDefaults(img, withoutDeblur()); !errors.Is(err, ErrNoBarcode) {
				t.Fatalf("without deblur: read %d codes with %q (err %v); the blur is too weak to test the deconvolution", len(codes), name, err)
			}
			codes, name, err := decodeWithDefaults(img, defaultStrategies())
			if err != nil {
				t.Fatalf("with deblur: %v", err)
			}
			if len(codes) != 1 || codes[0].Text != text {
				t.Fatalf("with deblur: read %v, want the one code %q", codes, text)
			}
			if name != c.strategy {
				t.Errorf("read by %q, want %q", name, c.strategy)
			}
		})
	}
}

// dimmed maps black to lo and white to hi, as a webcam's exposure does.
func dimmed(img *image.Gray, lo, hi float64) *image.Gray {
	o := image.NewGray(img.Bounds())
	for i, v := range img.Pix {
		o.Pix[i] = byte(lo + (hi-lo)*float64(v)/255)
	}
	return o
}

// jpegRoundTrip encodes img as a JPEG of quality q and decodes it again.
func jpegRoundTrip(t testing.TB, img *image.Gray, q int) *image.Gray {
	t.Helper()
	d, err := jpeg.Decode(bytes.NewReader(encodeJPEG(t, img, q)))
	if err != nil {
		t.Fatal(err)
	}
	o := image.NewGray(d.Bounds())
	draw.Draw(o, o.Bounds(), d, d.Bounds().Min, draw.Src)
	return o
}

// asImage shares g's pixels as an image.Gray.
func asImage(g *gray) *image.Gray {
	return &image.Gray{Pix: g.Pix, Stride: g.Width, Rect: image.Rect(0, 0, g.Width, g.Height)}
}
