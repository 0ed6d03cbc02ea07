package layout

import (
	"bytes"
	"image"
	"image/png"
	"math/rand"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/encoder"
	"rsc.io/qr/coding"

	"passport/verify/scan"
)

const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// fakeCredential is a deterministic stand-in for an "SP1:" credential text:
// the prefix and n base45 characters.
func fakeCredential(seed int64, n int) string {
	r := rand.New(rand.NewSource(seed))
	var b strings.Builder
	b.WriteString("SP1:")
	for i := 0; i < n; i++ {
		b.WriteByte(base45Alphabet[r.Intn(len(base45Alphabet))])
	}
	return b.String()
}

// decodeQR reads one QR code from img with gozxing the way the verifier
// does (HybridBinarizer, TRY_HARDER) and returns its text and ECC level.
func decodeQR(t testing.TB, img image.Image) (text, ecc string, err error) {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(gozxing.NewLuminanceSourceFromImage(img)))
	if err != nil {
		return "", "", err
	}
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", "", err
	}
	lvl, _ := res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL].(string)
	return res.GetText(), lvl, nil
}

func TestQRRoundTrip(t *testing.T) {
	texts := map[string]string{
		"short":        "SP1:HELLO",
		"numeric":      "0123456789012345",
		"bytes":        "sp1:lower case and punctuation (bytes mode) #42",
		"credential":   fakeCredential(1, 700),
		"large":        fakeCredential(2, 1400),
		"version-edge": fakeCredential(3, 122), // crosses the v5/v6 boundary at some levels
	}
	for name, text := range texts {
		for _, ecc := range []string{"L", "M", "Q", "H"} {
			t.Run(name+"/"+ecc, func(t *testing.T) {
				const px = 4
				img, err := QR(text, ecc, px)
				if err != nil {
					t.Fatal(err)
				}
				v, err := QRVersion(text, ecc)
				if err != nil {
					t.Fatal(err)
				}
				n := 17 + 4*v
				if want := (n + 2*QuietZoneModules) * px; img.Bounds().Dx() != want || img.Bounds().Dy() != want {
					t.Fatalf("image is %v, want %d×%d for version %d", img.Bounds(), want, want, v)
				}
				checkPixels(t, img, px)
				got, lvl, err := decodeQR(t, img)
				if err != nil {
					t.Fatalf("gozxing cannot read our QR (version %d): %v", v, err)
				}
				if got != text {
					t.Fatalf("decoded %q, want %q", got, text)
				}
				if lvl != ecc {
					t.Fatalf("decoded ECC level %q, want %q", lvl, ecc)
				}
			})
		}
	}
}

// checkPixels asserts the image is pure black and white, the quiet zone is
// white, and every module is a solid px×px block.
func checkPixels(t *testing.T, img *image.Gray, px int) {
	t.Helper()
	side := img.Bounds().Dx()
	qz := QuietZoneModules * px
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			v := img.Pix[y*img.Stride+x]
			if v != 0 && v != 255 {
				t.Fatalf("pixel (%d,%d) = %d, want 0 or 255", x, y, v)
			}
			if (x < qz || y < qz || x >= side-qz || y >= side-qz) && v != 255 {
				t.Fatalf("quiet zone pixel (%d,%d) is black", x, y)
			}
			if v != img.Pix[(y/px*px)*img.Stride+x/px*px] {
				t.Fatalf("module at pixel (%d,%d) is not a solid %d×%d block", x, y, px, px)
			}
		}
	}
	// The top-left finder pattern: a 7×7 dark ring starting at the quiet zone.
	if img.Pix[qz*img.Stride+qz] != 0 || img.Pix[(qz+px)*img.Stride+qz+px] != 255 {
		t.Fatal("no finder pattern at the top-left corner")
	}
}

func TestQRVersion(t *testing.T) {
	text := fakeCredential(7, 696) // 700 characters with the prefix
	if len(text) != 700 {
		t.Fatalf("test text is %d characters", len(text))
	}
	// 700 alphanumeric characters take 4+11+350×11 = 3865 bits = 484 bytes:
	// ISO/IEC 18004 Table 7 capacities give L: v15 (523 bytes; v14 holds 461),
	// M: v17 (504; v16 holds 450), Q: v20 (485; v19 holds 442), H: v24 (514;
	// v23 holds 464).
	want := map[string]int{"L": 15, "M": 17, "Q": 20, "H": 24, "": 17, "m": 17}
	for ecc, v := range want {
		got, err := QRVersion(text, ecc)
		if err != nil {
			t.Fatalf("QRVersion(700 chars, %q): %v", ecc, err)
		}
		if got != v {
			t.Errorf("QRVersion(700 chars, %q) = %d, want %d", ecc, got, v)
		}
	}
	// Cross-check with gozxing's independent encoder over many lengths.
	levels := map[string]decoder.ErrorCorrectionLevel{"L": decoder.ErrorCorrectionLevel_L, "M": decoder.ErrorCorrectionLevel_M,
		"Q": decoder.ErrorCorrectionLevel_Q, "H": decoder.ErrorCorrectionLevel_H}
	for _, n := range []int{1, 20, 77, 200, 500, 999, 1500, 2500} {
		text := fakeCredential(int64(n), n)
		for name, lvl := range levels {
			got, err := QRVersion(text, name)
			code, zerr := encoder.Encoder_encodeWithoutHint(text, lvl)
			if (err != nil) != (zerr != nil) {
				t.Fatalf("%d chars at %s: our error %v, gozxing's %v", n, name, err, zerr)
			}
			if err != nil {
				continue
			}
			if want := code.GetVersion().GetVersionNumber(); got != want {
				t.Errorf("%d chars at %s: version %d, gozxing says %d", len(text), name, got, want)
			}
		}
	}
}

func TestQRErrors(t *testing.T) {
	tests := []struct {
		name, text, ecc string
		px              int
		want            string
	}{
		{"bad level", "SP1:X", "X", 4, "unknown QR error-correction level"},
		{"zero px", "SP1:X", "M", 0, "out of range"},
		{"huge px", "SP1:X", "M", MaxPixelsPerModule + 1, "out of range"},
		{"too long", strings.Repeat("A", MaxQRText+1), "L", 1, "more than"},
		{"too long at H", strings.Repeat("A", MaxQRText), "H", 1, "does not fit"},
		{"bytes too long", strings.Repeat("a", 2954), "L", 1, "does not fit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := QR(tt.text, tt.ecc, tt.px)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("QR error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	// The boundary itself encodes.
	if _, err := QR(strings.Repeat("A", MaxQRText), "L", 1); err != nil {
		t.Fatalf("QR at MaxQRText: %v", err)
	}
	if v, err := QRVersion(strings.Repeat("A", MaxQRText), "L"); err != nil || v != 40 {
		t.Fatalf("QRVersion at MaxQRText = %d, %v; want 40", v, err)
	}
}

// TestMaskChoice checks that we pick the mask with the lowest penalty, and
// that the choice is not always mask 0 (what rsc.io/qr does by itself).
func TestMaskChoice(t *testing.T) {
	chosen := map[int]bool{}
	for i := 0; i < 20; i++ {
		text := fakeCredential(int64(100+i), 300)
		m, err := encodeMatrix(text, "M")
		if err != nil {
			t.Fatal(err)
		}
		best := penalty(m)
		v, _ := QRVersion(text, "M")
		for mask := 0; mask < 8; mask++ {
			p, err := coding.NewPlan(coding.Version(v), coding.M, coding.Mask(mask))
			if err != nil {
				t.Fatal(err)
			}
			cc, err := p.Encode(coding.Alpha(text))
			if err != nil {
				t.Fatal(err)
			}
			other := &matrix{n: cc.Size, dark: make([]bool, cc.Size*cc.Size)}
			for y := 0; y < cc.Size; y++ {
				for x := 0; x < cc.Size; x++ {
					other.dark[y*cc.Size+x] = cc.Black(x, y)
				}
			}
			s := penalty(other)
			if s < best {
				t.Fatalf("mask %d has penalty %d, below the chosen %d", mask, s, best)
			}
			if s == best && sameMatrix(m, other) {
				chosen[mask] = true
			}
		}
	}
	if len(chosen) < 2 {
		t.Fatalf("masks chosen over 20 texts: %v; want several", chosen)
	}
}

func sameMatrix(a, b *matrix) bool {
	if a.n != b.n {
		return false
	}
	for i := range a.dark {
		if a.dark[i] != b.dark[i] {
			return false
		}
	}
	return true
}

// TestPenaltyRules checks the scoring on tiny hand-made matrices.
func TestPenaltyRules(t *testing.T) {
	mk := func(rows ...string) *matrix {
		m := &matrix{n: len(rows)}
		for _, r := range rows {
			for _, c := range r {
				m.dark = append(m.dark, c == '#')
			}
		}
		return m
	}
	// All light 5×5: N1 = 10 lines × 3, N2 = 16 × 3, N4 = 10 × 10 (0% dark).
	if got, want := penalty(mk(".....", ".....", ".....", ".....", ".....")), 30+48+100; got != want {
		t.Errorf("all light 5×5: %d, want %d", got, want)
	}
	// Checkerboard 4×4: no runs, no blocks, 50% dark.
	if got := penalty(mk("#.#.", ".#.#", "#.#.", ".#.#")); got != 0 {
		t.Errorf("checkerboard: %d, want 0", got)
	}
	// One finder-like row 1011101 0000 in an 11-wide matrix whose other rows
	// are a checkerboard: N3 counts it once (and the 4-light run is short).
	rows := make([]string, 11)
	for i := range rows {
		if i%2 == 0 {
			rows[i] = "#.#.#.#.#.#"
		} else {
			rows[i] = ".#.#.#.#.#."
		}
	}
	base := penalty(mk(rows...))
	rows[5] = "#.###.#...."
	if got := penalty(mk(rows...)); got-base < 40 {
		t.Errorf("finder-like row adds %d, want at least 40", got-base)
	}
}

func BenchmarkQR(b *testing.B) {
	text := fakeCredential(1, 700)
	for i := 0; i < b.N; i++ {
		if _, err := QR(text, "M", 4); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzQR: any text either encodes to a symbol the verifier's reader reads
// back, or fails with an error; never a panic. The oracle is verify/scan,
// not plain gozxing: testdata/fuzz/FuzzQR/a89ea7f9bec43d7f is a valid
// version-10 symbol (zbarimg and ZXingReader read it) on which gozxing's
// detector misjudges the dimension (55) at 2+ px per module; verify/scan's
// finder path re-estimates it.
func FuzzQR(f *testing.F) {
	f.Add("SP1:HELLO", "M")
	f.Add(fakeCredential(1, 300), "H")
	f.Add("", "L")
	f.Add("ünïcode", "q")
	f.Fuzz(func(t *testing.T, text, ecc string) {
		if len(text) > 600 {
			return // keep each run fast; length limits are tested above
		}
		img, err := QR(text, ecc, 2)
		if err != nil {
			return
		}
		if text == "" || coding.Alpha(text).Check() != nil {
			return // gozxing guesses a charset for byte mode
		}
		codes, err := scan.Decode(img)
		if err != nil {
			t.Fatalf("cannot read back %q: %v", text, err)
		}
		if len(codes) != 1 || codes[0].Text != text {
			t.Fatalf("read back %+v, want %q", codes, text)
		}
	})
}

// TestGrayPNG checks our fast PNG writer against image/png's decoder.
func TestGrayPNG(t *testing.T) {
	for _, px := range []int{1, 3, 4} {
		img, err := QR(fakeCredential(5, 500), "M", px)
		if err != nil {
			t.Fatal(err)
		}
		b, err := grayPNG(img, px)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("px %d: our PNG does not decode: %v", px, err)
		}
		g, ok := dec.(*image.Gray)
		if !ok {
			t.Fatalf("px %d: decoded as %T, want *image.Gray (8-bit grayscale)", px, dec)
		}
		if g.Bounds() != img.Bounds() || !bytes.Equal(g.Pix, img.Pix) {
			t.Fatalf("px %d: decoded pixels differ from the original", px)
		}
	}
}

func BenchmarkGrayPNG(b *testing.B) {
	img, _ := QR(fakeCredential(1, 700), "M", PixelsPerModule)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		grayPNG(img, PixelsPerModule)
	}
}
