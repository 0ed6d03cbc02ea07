package imagedec

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"
	"testing"

	"rsc.io/qr"

	"passport/verify/scan/internal/qrtest"
)

// The shared generators (package qrtest), under the names these tests use.
var (
	encodePNG = qrtest.EncodePNG
)

// renderQR renders text as a QR code with px pixels a module and a 4-module
// quiet zone, black on white.
func renderQR(t testing.TB, text string, px int) *image.Gray {
	t.Helper()
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		t.Fatalf("encode QR: %v", err)
	}
	side := (c.Size + 8) * px
	img := image.NewGray(image.Rect(0, 0, side, side))
	for y := range side {
		for x := range side {
			mx, my := x/px-4, y/px-4
			if mx >= 0 && my >= 0 && mx < c.Size && my < c.Size && c.Black(mx, my) {
				continue
			}
			img.Pix[y*img.Stride+x] = 255
		}
	}
	return img
}

// toNRGBA converts to a colour image, so the colour paths are exercised.
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

// pngHeader is a PNG signature and an IHDR chunk of an 8-bit grey w×h image,
// nothing more: enough for a size check.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString(pngSignature)
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit grayscale
	b.Write(pngChunk("IHDR", ihdr))
	return b.Bytes()
}

// zeroPNG is a valid w×h PNG of colour type ct and bit depth of all-zero rows,
// its zlib stream built without holding the raw rows, so a file of a few
// hundred kilobytes declares hundreds of megabytes of pixels.
func zeroPNG(t testing.TB, w, h int, ct, depth byte) []byte {
	channels := map[byte]int{0: 1, 2: 3, 4: 2, 6: 4}[ct]
	raw := int64(h) * int64(1+w*channels*int(depth)/8)
	data := zlibZeros(raw)
	var b bytes.Buffer
	b.WriteString(pngSignature)
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = depth, ct
	b.Write(pngChunk("IHDR", ihdr))
	for len(data) > 0 {
		n := min(len(data), 1<<16)
		b.Write(pngChunk("IDAT", data[:n]))
		data = data[n:]
	}
	b.Write(pngChunk("IEND", nil))
	return b.Bytes()
}

// zlibZeros is a zlib stream of raw zero bytes, built by repeating one deflate
// block that is valid after any run of zeros.
func zlibZeros(raw int64) []byte {
	const chunk = 1 << 20
	var z bytes.Buffer
	z.Write([]byte{0x78, 0x01}) // zlib header: deflate, 32 KB window
	fw, _ := flate.NewWriter(&z, flate.BestSpeed)
	zeros := make([]byte, chunk)
	left := raw
	fw.Write(zeros)
	fw.Flush()
	left -= chunk
	mark := z.Len()
	fw.Write(zeros)
	fw.Flush()
	left -= chunk
	block := append([]byte(nil), z.Bytes()[mark:]...)
	for left > 2*chunk {
		z.Write(block)
		left -= chunk
	}
	for left > 0 {
		n := min(left, chunk)
		fw.Write(zeros[:n])
		left -= n
	}
	fw.Close()
	// Adler-32 of raw zero bytes: a = 1, b = raw mod 65521.
	binary.Write(&z, binary.BigEndian, uint32(raw%65521)<<16|1)
	return z.Bytes()
}
