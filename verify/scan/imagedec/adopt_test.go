package imagedec

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"
)

// TestAdopt checks that a decoder's grey or Y plane without row padding
// becomes the grey plane without a copy, and that any other layout is copied
// into a plane with the same pixels.
func TestAdopt(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 16, 8))
	for i := range g.Pix {
		g.Pix[i] = byte(i)
	}
	y := image.NewYCbCr(image.Rect(0, 0, 16, 8), image.YCbCrSubsampleRatio420)
	copy(y.Y, g.Pix)
	padded := image.NewGray(image.Rect(0, 0, 20, 8)).SubImage(image.Rect(0, 0, 16, 8)).(*image.Gray)
	offset := image.NewGray(image.Rect(0, 0, 16, 9)).SubImage(image.Rect(0, 1, 16, 9)).(*image.Gray)
	for row := range 8 {
		copy(padded.Pix[row*padded.Stride:], g.Pix[row*16:(row+1)*16])
		copy(offset.Pix[offset.PixOffset(0, row+1):], g.Pix[row*16:(row+1)*16])
	}
	for _, tc := range []struct {
		name  string
		img   image.Image
		plane []byte // the decoder's plane
		share bool   // whether the result must be that plane
	}{
		{"grey", g, g.Pix, true},
		{"YCbCr", y, y.Y, true},
		{"grey with padded rows", padded, padded.Pix, false},
		{"grey not at the origin", offset, offset.Pix, false},
	} {
		a := adopt(tc.img)
		if a.Width != 16 || a.Height != 8 || !bytes.Equal(a.Pix, g.Pix) {
			t.Errorf("%s: %d×%d, pixels differ", tc.name, a.Width, a.Height)
			continue
		}
		if shared := &a.Pix[0] == &tc.plane[0]; shared != tc.share {
			t.Errorf("%s: plane shared = %v, want %v", tc.name, shared, tc.share)
		}
		if len(a.Pix) != cap(a.Pix) {
			t.Errorf("%s: plane has %d bytes of capacity past its pixels", tc.name, cap(a.Pix)-len(a.Pix))
		}
	}
}

// TestDecodeJPEGAdopts checks that the fallback for JPEGs decodeJPEG leaves
// (decodeImageStd) hands over image/jpeg's plane of a grey JPEG whose width is
// a whole number of 8-pixel blocks (A4 at 150 and 300 dpi, 1240 and 2480
// pixels, is), and copies the pixels of one whose rows the decoder pads.
func TestDecodeJPEGAdopts(t *testing.T) {
	for _, w := range []int{64, 61} {
		src := image.NewGray(image.Rect(0, 0, w, 37))
		for i := range src.Pix {
			src.Pix[i] = byte(i * 7)
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, src, &jpeg.Options{Quality: 75}); err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		want := img.(*image.Gray)
		g, err := decodeImageStd(b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if g.Width != w || g.Height != 37 {
			t.Fatalf("width %d: decodeImageStd gave %d×%d", w, g.Width, g.Height)
		}
		for y := range 37 {
			if !bytes.Equal(g.Pix[y*w:(y+1)*w], want.Pix[want.PixOffset(0, y):][:w]) {
				t.Fatalf("width %d: row %d differs from image/jpeg's", w, y)
			}
		}
	}
}
