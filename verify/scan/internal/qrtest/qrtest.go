// Package qrtest makes the QR test images the reader's packages share: codes
// from an encoder other than the one the project prints with (rsc.io/qr),
// drawn at whole pixels a module, turned, keystoned, blurred and noised, and a
// hand-written one-image PDF to hold them. It is imported only by tests.
package qrtest

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing/common"
	"golang.org/x/image/draw"
	"golang.org/x/image/math/f64"
	"rsc.io/qr"

	"passport/verify/scan/internal/raster"
)

// base45Alphabet is the QR alphanumeric set, which base45 text uses.
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// Payload returns "SP1:" and n pseudo-random base45 characters, different per seed.
func Payload(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 45))
	b := []byte("SP1:")
	for range n {
		b = append(b, base45Alphabet[r.IntN(len(base45Alphabet))])
	}
	return string(b)
}

// Modules encodes text at ECC M and returns its module grid (true = dark).
func Modules(t testing.TB, text string) [][]bool {
	t.Helper()
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		t.Fatalf("encode QR: %v", err)
	}
	m := make([][]bool, c.Size)
	for y := range m {
		m[y] = make([]bool, c.Size)
		for x := range m[y] {
			m[y][x] = c.Black(x, y)
		}
	}
	return m
}

// Draw paints a module grid onto img at (ox, oy) with px pixels a module; the
// caller leaves the quiet zone white.
func Draw(img *image.Gray, mods [][]bool, ox, oy, px int) {
	for y, row := range mods {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := 0; dy < px; dy++ {
				off := img.PixOffset(ox+x*px, oy+y*px+dy)
				for dx := 0; dx < px; dx++ {
					img.Pix[off+dx] = 0
				}
			}
		}
	}
}

// White returns a white w×h image.
func White(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	return img
}

// Render renders text as a QR code with px pixels a module and a 4-module quiet zone.
func Render(t testing.TB, text string, px int) *image.Gray {
	mods := Modules(t, text)
	side := (len(mods) + 8) * px
	img := White(side, side)
	Draw(img, mods, 4*px, 4*px, px)
	return img
}

func EncodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// GaussNoise adds uniform noise of ±amp to every pixel.
func GaussNoise(img *image.Gray, amp int, seed uint64) *image.Gray {
	r := rand.New(rand.NewPCG(seed, 2))
	o := image.NewGray(img.Bounds())
	for i, v := range img.Pix {
		n := int(v) + r.IntN(2*amp+1) - amp
		o.Pix[i] = byte(min(255, max(0, n)))
	}
	return o
}

// KeystonedModules is keystoned for a symbol's modules (true is dark), whatever
// encoder made them.
func KeystonedModules(mods [][]bool, w, h int, quad [8]float64) *image.Gray {
	n := float64(len(mods))
	toMod := common.PerspectiveTransform_QuadrilateralToQuadrilateral(
		quad[0], quad[1], quad[2], quad[3], quad[4], quad[5], quad[6], quad[7],
		0, 0, n, 0, n, n, 0, n)
	img := White(w, h)
	pt := make([]float64, 18)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for s := 0; s < 9; s++ {
				pt[2*s] = float64(x) + (float64(s%3)+0.5)/3
				pt[2*s+1] = float64(y) + (float64(s/3)+0.5)/3
			}
			toMod.TransformPoints(pt)
			dark := 0
			for s := 0; s < 9; s++ {
				u, v := pt[2*s], pt[2*s+1]
				if u >= 0 && v >= 0 && u < n && v < n && mods[int(v)][int(u)] {
					dark++
				}
			}
			img.Pix[y*img.Stride+x] = byte(255 - 255*dark/9)
		}
	}
	return img
}

// PSFBlur convolves img with p's point-spread function, sampled independently of
// the package's transfer functions: a disc as the share of each pixel (on an 8×8
// subgrid) inside the radius, a line as 256 points spread bilinearly over the
// pixels they fall between. Edges are clamped.
func PSFBlur(img *image.Gray, p raster.PSF) *image.Gray {
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

// CameraView draws img scaled by scale and turned by deg degrees about its centre
// onto the middle of a white side×side frame, resampled bilinearly as a camera's
// sensor grid would: module edges fall between pixels.
func CameraView(img *image.Gray, scale, deg float64, side int) *image.Gray {
	o := White(side, side)
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

// OneImagePDF writes a minimal one-page A4 PDF around one image XObject whose
// dictionary entries are given verbatim (a scan-to-PDF's JPEG, or scanner
// quirks PDF libraries never write).
func OneImagePDF(imageDict string, stream []byte) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(body string, data []byte) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s", len(offs), body)
		if data != nil {
			b.WriteString("\nstream\n")
			b.Write(data)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate 90 /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>", nil)
	obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image %s /Length %d >>", imageDict, len(stream)), stream)
	content := []byte("q 595 0 0 842 0 0 cm /Im0 Do Q")
	obj(fmt.Sprintf("<< /Length %d >>", len(content)), content)
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}
