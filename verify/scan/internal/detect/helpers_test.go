package detect

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"math/rand/v2"
	"testing"

	"rsc.io/qr"

	"passport/verify/scan/imagedec"
	"passport/verify/scan/internal/raster"
	"passport/verify/scan/internal/work"
)

// The test images are made as verify/scan's tests make them (its helpers_test.go):
// these are copies of the generators the detector's tests need.

// base45Alphabet is the QR alphanumeric set, which base45 text uses.
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// payload returns "SP1:" and n pseudo-random base45 characters, different per seed.
func payload(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 45))
	b := []byte("SP1:")
	for range n {
		b = append(b, base45Alphabet[r.IntN(len(base45Alphabet))])
	}
	return string(b)
}

// qrModules encodes text at ECC M and returns its module grid (true = dark).
func qrModules(t testing.TB, text string) [][]bool {
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

// drawQR paints a module grid onto img at (ox, oy) with px pixels a module; the
// caller leaves the quiet zone white.
func drawQR(img *image.Gray, mods [][]bool, ox, oy, px int) {
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

// whiteGray returns a white w×h image.
func whiteGray(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	return img
}

// renderQR renders text as a QR code with px pixels a module and a 4-module quiet zone.
func renderQR(t testing.TB, text string, px int) *image.Gray {
	mods := qrModules(t, text)
	side := (len(mods) + 8) * px
	img := whiteGray(side, side)
	drawQR(img, mods, 4*px, 4*px, px)
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gaussNoise adds uniform noise of ±amp to every pixel.
func gaussNoise(img *image.Gray, amp int, seed uint64) *image.Gray {
	r := rand.New(rand.NewPCG(seed, 2))
	o := image.NewGray(img.Bounds())
	for i, v := range img.Pix {
		n := int(v) + r.IntN(2*amp+1) - amp
		o.Pix[i] = byte(min(255, max(0, n)))
	}
	return o
}

// toGray converts an image to a plane.
func toGray(img image.Image) *raster.Gray {
	d := imagedec.FromImage(img)
	return raster.Wrap(d.Pix, d.Width, d.Height)
}

// unlimited is a budget for tests that must not stop early.
func unlimited() *work.Budget { return work.New(context.Background(), 1<<62, 1<<62) }
