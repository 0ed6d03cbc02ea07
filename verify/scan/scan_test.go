package scan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"testing"
	"time"
)

func TestImageFormatsAndDegradations(t *testing.T) {
	text := payload(500, 1)
	base := renderQR(t, text, 6)
	small := renderQR(t, text, 10)
	tests := []struct {
		name string
		data func(t *testing.T) []byte
	}{
		{"png 6px", func(t *testing.T) []byte { return encodePNG(t, base) }},
		{"png 2px", func(t *testing.T) []byte { return encodePNG(t, renderQR(t, text, 2)) }},
		{"png 1px", func(t *testing.T) []byte { return encodePNG(t, renderQR(t, text, 1)) }},
		{"png nrgba", func(t *testing.T) []byte { return encodePNG(t, toNRGBA(base)) }},
		{"jpeg q50", func(t *testing.T) []byte { return encodeJPEG(t, base, 50) }},
		{"gif", func(t *testing.T) []byte { return encodeGIF(t, paletted(base)) }},
		{"rotated 90", func(t *testing.T) []byte { return encodePNG(t, rotate90(base)) }},
		{"inverted", func(t *testing.T) []byte { return encodePNG(t, invert(base)) }},
		{"noise ±40", func(t *testing.T) []byte { return encodePNG(t, gaussNoise(base, 40, 3)) }},
		{"specks 2%", func(t *testing.T) []byte { return encodePNG(t, speckle(base, 0.02, 4)) }},
		{"blurred", func(t *testing.T) []byte { return encodePNG(t, blur(base)) }},
		{"3.1 px/module", func(t *testing.T) []byte { return encodePNG(t, scaleTo(small, 0.31)) }},
		{"3.1 px/module jpeg q50", func(t *testing.T) []byte { return encodeJPEG(t, scaleTo(small, 0.31), 50) }},
		{"blurred jpeg rotated", func(t *testing.T) []byte { return encodeJPEG(t, rotate90(blur(scaleTo(small, 0.45))), 50) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data(t)
			if k := Sniff(data); k != KindImage {
				t.Fatalf("Sniff = %v, want image", k)
			}
			codes, err := Read(data)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(codes) != 1 {
				t.Fatalf("got %d codes, want 1", len(codes))
			}
			c := codes[0]
			if c.Text != text {
				t.Fatalf("text differs:\n got %q\nwant %q", c.Text, text)
			}
			if c.Format != "QR_CODE" || c.Page != 0 {
				t.Errorf("got format %q page %d, want QR_CODE page 0", c.Format, c.Page)
			}
		})
	}
}

// TestStrategiesEarnTheirPlace checks that the degraded inputs really need a fallback:
// if the first strategy read them all, the fallback tests above would prove nothing.
func TestStrategiesEarnTheirPlace(t *testing.T) {
	text := payload(500, 1)
	tests := []struct {
		name string
		img  image.Image
	}{
		{"inverted", invert(renderQR(t, text, 6))},
		{"specks 5%", speckle(renderQR(t, text, 6), 0.05, 4)},
		{"2.5 px/module on a page", onPage(scaleTo(renderQR(t, text, 10), 0.25), 1200, 1200)},
	}
	for _, tc := range tests {
		codes, used, err := decodeWithDefaults(tc.img, defaultStrategies())
		if err != nil || len(codes) != 1 || codes[0].Text != text {
			t.Fatalf("%s: decodeWithDefaults = %v, %v", tc.name, codes, err)
		}
		if used == defaultStrategies()[0].Name {
			t.Errorf("%s: read by the first strategy %q; the test no longer exercises a fallback", tc.name, used)
		}
		t.Logf("%s: read by %s", tc.name, used)
	}
}

// onPage places img at (100, 100) on a white w×h page.
func onPage(img *image.Gray, w, h int) *image.Gray {
	page := whiteGray(w, h)
	b := img.Bounds()
	for y := 0; y < b.Dy(); y++ {
		copy(page.Pix[(y+100)*page.Stride+100:], img.Pix[y*img.Stride:y*img.Stride+b.Dx()])
	}
	return page
}

func TestTwoCodesInOneImage(t *testing.T) {
	a, b := payload(300, 10), payload(300, 11)
	ma, mb := qrModules(t, a), qrModules(t, b)
	const px = 5
	side := (len(ma) + 8) * px
	img := whiteGray(2*side+10*px, side)
	drawQR(img, ma, 4*px, 4*px, px)
	drawQR(img, mb, side+10*px+4*px, 4*px, px)
	codes, err := Image(encodePNG(t, img))
	if err != nil {
		t.Fatalf("Image: %v", err)
	}
	got := map[string]bool{}
	for _, c := range codes {
		got[c.Text] = true
	}
	if len(codes) != 2 || !got[a] || !got[b] {
		t.Fatalf("got %d codes %v, want both texts", len(codes), got)
	}
}

func TestBlankImage(t *testing.T) {
	for _, img := range []image.Image{whiteGray(800, 600), image.NewGray(image.Rect(0, 0, 300, 300))} {
		codes, err := Image(encodePNG(t, img))
		if !errors.Is(err, ErrNoBarcode) {
			t.Errorf("Image(blank %v) = %v, %v; want ErrNoBarcode", img.Bounds(), codes, err)
		}
	}
}

// pngHeader returns a PNG signature and a valid IHDR chunk claiming w×h pixels,
// with no image data.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit grayscale
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], 13)
	b.Write(l[:])
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.BigEndian.PutUint32(l[:], crc32.ChecksumIEEE(chunk))
	b.Write(l[:])
	return b.Bytes()
}

func TestTooLarge(t *testing.T) {
	data := pngHeader(100000, 100000)
	start := time.Now()
	_, err := Image(data)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Image(100000×100000 header) = %v, want ErrTooLarge", err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("refusal took %v; it must not decode pixels", d)
	}
	// Boundary: exactly MaxPixels passes the size check (and then fails on the
	// missing pixel data, not on size); one row more is refused.
	w := uint32(8000)
	h := uint32(MaxPixels / 8000)
	if _, err := Image(pngHeader(w, h)); errors.Is(err, ErrTooLarge) {
		t.Errorf("%d×%d (= MaxPixels) refused as too large", w, h)
	}
	if _, err := Image(pngHeader(w, h+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("%d×%d (> MaxPixels) = %v, want ErrTooLarge", w, h+1, err)
	}
	big := make([]byte, MaxInputBytes+1)
	copy(big, data)
	if _, err := Image(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized file = %v, want ErrTooLarge", err)
	}
	if _, err := Decode(image.NewGray(image.Rect(0, 0, 10000, 5000))); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Decode(50 MP) = %v, want ErrTooLarge", err)
	}
}

func TestGarbage(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		kind Kind
	}{
		{"empty", nil, KindUnknown},
		{"binary", []byte{0, 1, 2, 3, 0xff, 0xfe}, KindUnknown},
		{"text", []byte("SP1:NCFOXN%TS3DH\n"), KindText},
		{"truncated png", encodePNG(t, renderQR(t, "HELLO", 4))[:60], KindImage},
		{"png signature only", []byte("\x89PNG\r\n\x1a\n"), KindImage},
		{"jpeg soi only", []byte("\xff\xd8\xff\xe0garbage"), KindImage},
		{"gif header only", []byte("GIF89a\x01"), KindImage},
		{"pdf header only", []byte("%PDF-1.7\n%garbage"), KindPDF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if k := Sniff(tc.data); k != tc.kind {
				t.Errorf("Sniff = %v, want %v", k, tc.kind)
			}
			codes, err := Read(tc.data)
			if err == nil || codes != nil {
				t.Fatalf("Read = %v, %v; want an error", codes, err)
			}
			if !errors.Is(err, ErrNotImage) {
				t.Errorf("Read error %v does not wrap ErrNotImage", err)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		data string
		want Kind
	}{
		{"junk before %PDF-1.4", KindPDF},
		{"\xff\xd8\xff\xdb", KindImage},
		{"II*\x00rest", KindImage},
		{"MM\x00*rest", KindImage},
		{"RIFF\x00\x00\x00\x00WEBPVP8 ", KindImage},
		{"SP1:ABC $%*+-./:\r\n", KindText},
		{"caf\xc3\xa9", KindText},
		{"caf\xc3", KindUnknown},
		{"a\x00b", KindUnknown},
	}
	for _, tc := range tests {
		if got := Sniff([]byte(tc.data)); got != tc.want {
			t.Errorf("Sniff(%q) = %v, want %v", tc.data, got, tc.want)
		}
	}
}
