package scan

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"math"
	"testing"

	"golang.org/x/image/draw"
	"golang.org/x/image/math/f64"

	"passport/verify/scan/internal/raster"
)

// psfBlur convolves img with p's point-spread function, sampled independently of
// the package's transfer functions: a disc as the share of each pixel (on an 8×8
// subgrid) inside the radius, a line as 256 points spread bilinearly over the
// pixels they fall between. Edges are clamped.
func psfBlur(img *image.Gray, p raster.PSF) *image.Gray {
	rad := int(math.Ceil(max(p.Radius, p.Length/2))) + 1
	side := 2*rad + 1
	k := make([]float64, side*side)
	if p.Radius > 0 {
		for dy := -rad; dy <= rad; dy++ {
			for dx := -rad; dx <= rad; dx++ {
				for sy := 0; sy < 8; sy++ {
					for sx := 0; sx < 8; sx++ {
						x, y := float64(dx)+(float64(sx)+0.5)/8-0.5, float64(dy)+(float64(sy)+0.5)/8-0.5
						if x*x+y*y <= p.Radius*p.Radius {
							k[(dy+rad)*side+dx+rad]++
						}
					}
				}
			}
		}
	} else {
		c, s := math.Cos(p.Angle), math.Sin(p.Angle)
		for i := 0; i < 256; i++ {
			t := (float64(i)+0.5)/256 - 0.5
			x, y := t*p.Length*c+float64(rad), t*p.Length*s+float64(rad)
			x0, y0 := math.Floor(x), math.Floor(y)
			fx, fy := x-x0, y-y0
			for _, q := range []struct{ dx, dy, w float64 }{{0, 0, (1 - fx) * (1 - fy)}, {1, 0, fx * (1 - fy)}, {0, 1, (1 - fx) * fy}, {1, 1, fx * fy}} {
				k[int(y0+q.dy)*side+int(x0+q.dx)] += q.w
			}
		}
	}
	var sum float64
	for _, v := range k {
		sum += v
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	o := image.NewGray(b)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var acc float64
			for dy := -rad; dy <= rad; dy++ {
				yy := min(max(y+dy, 0), h-1)
				for dx := -rad; dx <= rad; dx++ {
					if kv := k[(dy+rad)*side+dx+rad]; kv != 0 {
						acc += kv * float64(img.Pix[yy*img.Stride+min(max(x+dx, 0), w-1)])
					}
				}
			}
			o.Pix[y*o.Stride+x] = byte(math.Round(acc / sum))
		}
	}
	return o
}

// withoutDeblur returns DefaultStrategies without the deconvolution, the reader as
// it was before it.
func withoutDeblur() []Strategy {
	var out []Strategy
	for _, s := range DefaultStrategies() {
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
			if codes, name, err := DecodeWith(img, withoutDeblur()); !errors.Is(err, ErrNoBarcode) {
				t.Fatalf("without deblur: read %d codes with %q (err %v); the blur is too weak to test the deconvolution", len(codes), name, err)
			}
			codes, name, err := DecodeWith(img, DefaultStrategies())
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

// cameraView draws img scaled by scale and turned by deg degrees about its centre
// onto the middle of a white side×side frame, resampled bilinearly as a camera's
// sensor grid would: module edges fall between pixels.
func cameraView(img *image.Gray, scale, deg float64, side int) *image.Gray {
	o := whiteGray(side, side)
	s, c := math.Sincos(deg * math.Pi / 180)
	b := img.Bounds()
	cx, cy := float64(b.Dx())/2, float64(b.Dy())/2
	h := float64(side) / 2
	// Source to destination: translate the centre to the origin, rotate and scale,
	// translate to the frame's centre.
	m := f64.Aff3{
		scale * c, -scale * s, h - scale*(c*cx-s*cy),
		scale * s, scale * c, h - scale*(s*cx+c*cy),
	}
	draw.BiLinear.Transform(o, m, img, b, draw.Over, nil)
	return o
}

// asImage shares g's pixels as an image.Gray.
func asImage(g *gray) *image.Gray {
	return &image.Gray{Pix: g.Pix, Stride: g.Width, Rect: image.Rect(0, 0, g.Width, g.Height)}
}
