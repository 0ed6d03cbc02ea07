package imagedec

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"passport/verify/scan/internal/guard"
)

// pngSpec describes a PNG file built sample by sample, to reach what image/png's
// encoder never writes: grey+alpha, grey below 8 bits, tRNS on grey and RGB,
// chosen filters, interlacing, damage.
type pngSpec struct {
	w, h         int
	depth, ctype byte
	interlace    byte
	plte, trns   []byte
	raw          []byte   // the zlib stream's content: filter byte + samples, a row at a time
	idatSplit    int      // split the zlib stream into IDAT chunks this long (0: one chunk)
	extra        [][]byte // whole chunks inserted before IEND
	zlibTail     []byte   // bytes after the zlib stream, inside the last IDAT chunk
	dictID       []byte   // a preset dictionary's Adler-32, declared in the zlib header
}

func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

func (s pngSpec) encode() []byte {
	out := []byte(pngSignature)
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(s.w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(s.h))
	out = append(out, pngChunk("IHDR", append(ihdr, s.depth, s.ctype, 0, 0, s.interlace))...)
	if s.plte != nil {
		out = append(out, pngChunk("PLTE", s.plte)...)
	}
	if s.trns != nil {
		out = append(out, pngChunk("tRNS", s.trns)...)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(s.raw)
	zw.Close()
	stream := append(z.Bytes(), s.zlibTail...)
	if s.dictID != nil {
		stream = append(append([]byte{0x78, 0xbb}, s.dictID...), stream[2:]...) // 0x78bb: FDICT set
	}
	for len(stream) > 0 {
		n := len(stream)
		if s.idatSplit > 0 {
			n = min(n, s.idatSplit)
		}
		out = append(out, pngChunk("IDAT", stream[:n])...)
		stream = stream[n:]
	}
	for _, c := range s.extra {
		out = append(out, c...)
	}
	return append(out, pngChunk("IEND", nil)...)
}

// channelsOf is the samples a pixel of each PNG colour type.
var channelsOf = map[byte]int{pngGrey: 1, pngRGB: 3, pngPalette: 1, pngGreyAlpha: 2, pngRGBA: 4}

// randomRows fills a spec's raw rows with random samples under random filters.
func (s *pngSpec) randomRows(r *rand.Rand) {
	rowBytes := (channelsOf[s.ctype]*int(s.depth)*s.w + 7) / 8
	s.raw = nil
	for range s.h {
		s.raw = append(s.raw, byte(r.IntN(5)))
		for range rowBytes {
			s.raw = append(s.raw, byte(r.IntN(256)))
		}
	}
}

// errClass names the outcome a caller of the reader sees.
func errClass(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrTooLarge):
		return "too large"
	case errors.Is(err, ErrNotImage):
		return "not an image"
	}
	return "other: " + err.Error()
}

// comparePNG decodes data with decodePNG and with image/png plus FromImage (the
// path it replaces) and fails unless both succeed with the same pixels or fail
// the same way. It returns decodePNG's result.
func comparePNG(t testing.TB, data []byte) (*Gray, error) {
	t.Helper()
	g, err := decodePNG(data)
	if errors.Is(err, guard.ErrInternal) {
		t.Fatalf("decodePNG panicked: %v", err)
	}
	if errors.Is(err, errPNGFallback) {
		g, err = decodeImageStd(data)
	}
	want, werr := decodeImageStd(data)
	if errClass(err) != errClass(werr) {
		t.Fatalf("decodePNG: %v; image/png: %v", err, werr)
	}
	if err != nil {
		return nil, err
	}
	if g.Width != want.Width || g.Height != want.Height {
		t.Fatalf("decodePNG gave %d×%d, image/png %d×%d", g.Width, g.Height, want.Width, want.Height)
	}
	if i := firstDiff(g.Pix, want.Pix); i >= 0 {
		t.Fatalf("pixel (%d,%d): decodePNG %d, image/png %d", i%g.Width, i/g.Width, g.Pix[i], want.Pix[i])
	}
	return g, nil
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// pngCases lists every colour type and bit depth, with and without tRNS.
func pngCases() []pngSpec {
	var cs []pngSpec
	plte := func(n int) []byte {
		b := make([]byte, 3*n)
		for i := range b {
			b[i] = byte(i * 37)
		}
		return b
	}
	for ct, depths := range validDepths {
		for _, d := range depths {
			s := pngSpec{w: 37, h: 9, depth: byte(d), ctype: byte(ct)}
			if ct == pngPalette {
				s.plte = plte(min(1<<d, 200)) // P8 leaves indices 200–255 off the palette
			}
			cs = append(cs, s)
			switch ct {
			case pngGrey:
				s.trns = []byte{0, byte(1<<d - 1)}
				if d == 16 {
					s.trns = []byte{0x80, 0x01}
				}
			case pngRGB:
				s.trns = []byte{0, 7, 0, 9, 0, 11}
			case pngPalette:
				s.trns = []byte{0, 128, 255, 3, 9}
			default:
				continue
			}
			cs = append(cs, s)
		}
	}
	return cs
}

func TestPNGDecodeColourTypes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range pngCases() {
		name := fmt.Sprintf("type%d/depth%d/tRNS=%v", s.ctype, s.depth, s.trns != nil)
		t.Run(name, func(t *testing.T) {
			for range 20 {
				s.randomRows(r)
				if s.ctype == pngRGB && s.trns != nil && s.depth == 8 {
					s.raw[1], s.raw[2], s.raw[3] = 7, 9, 11 // make one pixel the transparent colour
				}
				if _, err := comparePNG(t, s.encode()); err != nil {
					t.Fatalf("valid file refused: %v", err)
				}
			}
		})
	}
}

// TestPNGDecodeKnownPixels checks converted values worked out by hand, so the
// comparison with image/png is not the only thing standing between a wrong
// formula and a pass.
func TestPNGDecodeKnownPixels(t *testing.T) {
	tests := []struct {
		name string
		spec pngSpec
		want []byte
	}{
		{"grey8", pngSpec{w: 3, depth: 8, ctype: pngGrey, raw: []byte{0, 0, 100, 255}}, []byte{0, 100, 255}},
		{"grey8 Sub", pngSpec{w: 3, depth: 8, ctype: pngGrey, raw: []byte{1, 10, 20, 30}}, []byte{10, 30, 60}},
		{"grey1", pngSpec{w: 3, depth: 1, ctype: pngGrey, raw: []byte{0, 0b10100000}}, []byte{255, 0, 255}},
		{"grey2 tRNS", pngSpec{w: 3, depth: 2, ctype: pngGrey, trns: []byte{0, 1}, raw: []byte{0, 0b01100000}}, []byte{255, 170, 0}},
		{"grey+alpha", pngSpec{w: 3, depth: 8, ctype: pngGreyAlpha, raw: []byte{0, 0, 0, 0, 128, 50, 255}}, []byte{255, 127, 50}},
		{"grey16", pngSpec{w: 2, depth: 16, ctype: pngGrey, raw: []byte{0, 0x12, 0x34, 0xff, 0x00}}, []byte{0x12, 0xff}},
		{"rgb8", pngSpec{w: 2, depth: 8, ctype: pngRGB, raw: []byte{0, 255, 0, 0, 0, 0, 255}}, []byte{76, 29}},
		{"rgba8", pngSpec{w: 2, depth: 8, ctype: pngRGBA, raw: []byte{0, 0, 255, 0, 255, 0, 0, 0, 0}}, []byte{150, 255}},
		{"palette2", pngSpec{w: 4, depth: 2, ctype: pngPalette, plte: []byte{255, 255, 255, 0, 0, 0}, raw: []byte{0, 0b00011011}}, []byte{255, 0, 0, 0}},
		{"palette tRNS", pngSpec{w: 2, depth: 8, ctype: pngPalette, plte: []byte{0, 0, 0, 0, 0, 0}, trns: []byte{0, 255}, raw: []byte{0, 0, 1}}, []byte{255, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.h = 1
			g, err := comparePNG(t, tt.spec.encode())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(g.Pix, tt.want) {
				t.Fatalf("got %v, want %v", g.Pix, tt.want)
			}
		})
	}
}

// TestPNGDecodeStdlibFiles decodes what image/png's encoder writes for each image
// type it supports (grey, 16-bit grey, RGB, RGBA, 16-bit RGB(A), paletted at 1 to 8
// bits), in one IDAT chunk and in many.
func TestPNGDecodeStdlibFiles(t *testing.T) {
	qr := renderQR(t, "SP1:HELLO", 2)
	b := qr.Bounds()
	imgs := map[string]image.Image{"grey": qr, "nrgba": toNRGBA(qr), "paletted": paletted(qr)}
	rgba, g16, n64, rgba64 := image.NewRGBA(b), image.NewGray16(b), image.NewNRGBA64(b), image.NewRGBA64(b)
	p16 := image.NewPaletted(b, nil)
	for i := range 16 {
		p16.Palette = append(p16.Palette, color.NRGBA{byte(i * 16), byte(255 - i*16), 99, byte(i * 17)})
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			v := qr.GrayAt(x, y).Y
			rgba.Set(x, y, color.RGBA{v, v / 2, 255 - v, 255})
			g16.Set(x, y, color.Gray16{uint16(v)*257 - uint16(x)})
			n64.Set(x, y, color.NRGBA64{uint16(v) * 200, 3000, uint16(x * 300), uint16(y * 400)})
			rgba64.Set(x, y, color.RGBA64{uint16(v) * 257, uint16(y), uint16(x), 0xffff})
			p16.SetColorIndex(x, y, byte(x+y)%16)
		}
	}
	imgs["rgb"], imgs["grey16"], imgs["nrgba64"], imgs["rgb16"], imgs["paletted4"] = rgba, g16, n64, rgba64, p16
	for name, img := range imgs {
		t.Run(name, func(t *testing.T) {
			if _, err := comparePNG(t, encodePNG(t, img)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// libpngFiles are PNGs written by other encoders (cairo's and poppler's, through
// libpng: 1- and 8-bit grey, RGB, RGBA, with sRGB and pHYs chunks): a 72-dpi
// rendering of a PDF page holding a QR code of "SP1:HELLO", made with
// pdftocairo -r 72 -png [-gray|-mono|-transp] -singlefile and pdftoppm -r 72 -png.
func libpngFiles(t testing.TB) map[string][]byte {
	names, err := filepath.Glob(filepath.Join("..", "testdata", "png", "*.png"))
	if err != nil || len(names) < 5 {
		t.Fatalf("testdata/png holds %d files (%v), want 5", len(names), err)
	}
	files := map[string][]byte{}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(n)] = data
	}
	return files
}

func TestPNGDecodeLibpngFiles(t *testing.T) {
	for name, data := range libpngFiles(t) {
		t.Run(name, func(t *testing.T) {
			// That the reader finds their code is verify/scan's gating corpus (class libpng).
			if _, err := comparePNG(t, data); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPNGDecodeDamage(t *testing.T) {
	base := pngSpec{w: 300, h: 40, depth: 8, ctype: pngGrey}
	base.randomRows(rand.New(rand.NewPCG(3, 4)))
	tail := func(n int) []byte { return bytes.Repeat([]byte{7}, n) }
	tests := []struct {
		name   string
		mutate func(s *pngSpec) []byte
		want   string
	}{
		{"valid, 100-byte IDAT chunks", func(s *pngSpec) []byte { s.idatSplit = 100; return s.encode() }, "ok"},
		{"bad filter type", func(s *pngSpec) []byte { s.raw[0] = 5; return s.encode() }, "not an image"},
		{"bad filter type on row 30", func(s *pngSpec) []byte { s.raw[30*301] = 9; return s.encode() }, "not an image"},
		{"preset dictionary of no bytes", func(s *pngSpec) []byte { s.dictID = []byte{0, 0, 0, 1}; return s.encode() }, "ok"},
		{"preset dictionary", func(s *pngSpec) []byte { s.dictID = []byte{0, 0, 0, 2}; return s.encode() }, "not an image"},
		{"one row short", func(s *pngSpec) []byte { s.raw = s.raw[:len(s.raw)-301]; return s.encode() }, "not an image"},
		{"one byte too many", func(s *pngSpec) []byte { s.raw = append(s.raw, 0); return s.encode() }, "not an image"},
		// image/png reads the IDAT data 4 KiB at a time and only notices leftovers it
		// has not read: decodePNG must draw the same line.
		{"garbage after the stream, same 4 KiB read", func(s *pngSpec) []byte { s.zlibTail = tail(3); return s.encode() }, "ok"},
		{"garbage after the stream, a later read", func(s *pngSpec) []byte { s.zlibTail = tail(9000); return s.encode() }, "not an image"},
		{"garbage IDAT after the stream", func(s *pngSpec) []byte { s.extra = [][]byte{pngChunk("IDAT", tail(50))}; return s.encode() }, "ok"},
		{"ancillary chunk after IDAT", func(s *pngSpec) []byte { s.extra = [][]byte{pngChunk("tEXt", []byte("a\x00b"))}; return s.encode() }, "ok"},
		{"PLTE after IDAT", func(s *pngSpec) []byte { s.extra = [][]byte{pngChunk("PLTE", tail(3))}; return s.encode() }, "not an image"},
		{"PLTE in a grey image", func(s *pngSpec) []byte { s.plte = tail(3); return s.encode() }, "not an image"},
		{"bad IDAT CRC", func(s *pngSpec) []byte { b := s.encode(); b[len(b)-13]++; return b }, "not an image"},
		{"bad Adler-32", func(s *pngSpec) []byte { s.zlibTail = nil; b := s.encode(); b[len(b)-17]++; fixCRCs(b); return b }, "not an image"},
		{"no IEND", func(s *pngSpec) []byte { b := s.encode(); return b[:len(b)-12] }, "not an image"},
		{"truncated", func(s *pngSpec) []byte { b := s.encode(); return b[:len(b)/2] }, "not an image"},
		{"interlaced (image/png decodes it)", func(s *pngSpec) []byte {
			s.interlace = 1
			s.raw = nil // Adam7 rows of 8-bit grey: each pass's rows, filter 0
			for _, p := range []struct{ xf, yf, xo, yo int }{{8, 8, 0, 0}, {8, 8, 4, 0}, {4, 8, 0, 4}, {4, 4, 2, 0}, {2, 4, 0, 2}, {2, 2, 1, 0}, {1, 2, 0, 1}} {
				pw, ph := (s.w-p.xo+p.xf-1)/p.xf, (s.h-p.yo+p.yf-1)/p.yf
				for range ph {
					s.raw = append(s.raw, 0)
					s.raw = append(s.raw, tail(pw)...)
				}
			}
			return s.encode()
		}, "ok"},
		{"40 MP of 16-bit RGBA", func(*pngSpec) []byte { return zeroPNG(t, 8000, 5000, 6, 16) }, "too large"},
		{"over MaxPixels", func(*pngSpec) []byte { return pngHeader(100000, 100000) }, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base
			s.raw = bytes.Clone(base.raw)
			_, err := comparePNG(t, tt.mutate(&s))
			if got := errClass(err); got != tt.want {
				t.Fatalf("got %s (%v), want %s", got, err, tt.want)
			}
		})
	}
}

// fixCRCs rewrites the CRC of every whole chunk in a PNG file, so that a fuzzed or
// hand-damaged file reaches the decoder's later checks.
func fixCRCs(b []byte) {
	for i := len(pngSignature); i+12 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		if n < 0 || n > len(b)-i-12 {
			return
		}
		binary.BigEndian.PutUint32(b[i+8+n:], crc32.ChecksumIEEE(b[i+4:i+8+n]))
		i += 12 + n
	}
}

// FuzzPNGDecode holds decodePNG to image/png plus FromImage on any input: both must
// read it with the same pixels or both refuse it the same way (too large, or not an
// image). With fixCRC the chunk CRCs are recomputed first, so mutations get past
// them to the chunk parser, the inflater and the filters.
func FuzzPNGDecode(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, s := range pngCases() {
		s.w, s.h = 5, 3
		s.randomRows(r)
		f.Add(s.encode(), true)
	}
	qr := renderQR(f, "SP1:HELLO", 1)
	for _, img := range []image.Image{qr, toNRGBA(qr), paletted(qr)} {
		f.Add(encodePNG(f, img), true)
	}
	for _, data := range libpngFiles(f) {
		f.Add(data, false)
	}
	f.Add(pngHeader(100000, 100000), false)
	f.Add(zeroPNG(f, 300, 200, 6, 16), false)
	f.Fuzz(func(t *testing.T, data []byte, fixCRC bool) {
		if fixCRC {
			data = bytes.Clone(data)
			fixCRCs(data)
		}
		comparePNG(t, data)
	})
}

// FuzzPNGRows builds a valid PNG of a fuzzed colour type, size, palette, tRNS
// and row data (so the zlib stream is always sound) and compares the decoders.
func FuzzPNGRows(f *testing.F) {
	f.Add(byte(0), byte(8), byte(5), byte(3), []byte{}, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(byte(3), byte(2), byte(9), byte(2), []byte{0, 1}, []byte{4, 200, 3, 7, 1, 0})
	f.Add(byte(2), byte(16), byte(2), byte(2), []byte{0, 1, 0, 2, 0, 3}, []byte{3, 0, 1, 0, 2, 0, 3})
	f.Fuzz(func(t *testing.T, ctype, depth, w, h byte, trns, rows []byte) {
		s := pngSpec{w: int(w%64) + 1, h: int(h%16) + 1, depth: depth, ctype: ctype}
		if ctype == pngPalette {
			s.plte = bytes.Repeat([]byte{10, 200, 90, 255, 0, 30}, 128)[:3*min(1<<(depth%9), 256)]
		}
		if len(trns) > 0 {
			s.trns = trns
		}
		rowBytes := (channelsOf[ctype]*int(depth)*s.w + 7) / 8
		for y := range s.h {
			s.raw = append(s.raw, 0)
			for x := range rowBytes {
				var v byte
				if len(rows) > 0 {
					v = rows[(y*(rowBytes+1)+x)%len(rows)]
				}
				s.raw = append(s.raw, v)
			}
			if len(rows) > 0 {
				s.raw[len(s.raw)-rowBytes-1] = rows[y%len(rows)] % 6 // filter type, 5 is invalid
			}
		}
		comparePNG(t, s.encode())
	})
}

// noisyPage is an A4 page at dpi holding a 60 mm block of random dark and light
// modules (a code's texture), with scanner-like noise so it compresses as a real
// scan does (about 60% of its raw size, not 1%).
func noisyPage(b *testing.B, dpi float64) []byte {
	w, h := int(210/25.4*dpi), int(297/25.4*dpi)
	page := image.NewGray(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(7, 12))
	module := int(60 / 25.4 * dpi / 57) // a version-10 code, 57 modules across
	for y := range h {
		for x := range w {
			v := 243.0
			if mx, my := x/module, y/module; mx >= 4 && mx < 61 && my >= 4 && my < 61 && (mx*31+my*17+mx*my)%3 == 0 {
				v = 20
			}
			page.Pix[y*page.Stride+x] = byte(min(max(v+r.NormFloat64()*12, 0), 255))
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, page); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkPNGDecode compares decodePNG with image/png plus FromImage on 150- and
// 300-dpi pages; the ratio of the two ns/op is the speed-up.
func BenchmarkPNGDecode(b *testing.B) {
	for _, dpi := range []float64{150, 300} {
		data := noisyPage(b, dpi)
		for _, dec := range []struct {
			name string
			fn   func([]byte) (*Gray, error)
		}{{"decodePNG", decodePNG}, {"image-png", decodeImageStd}} {
			b.Run(fmt.Sprintf("%.0fdpi/%s", dpi, dec.name), func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					if _, err := dec.fn(data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
