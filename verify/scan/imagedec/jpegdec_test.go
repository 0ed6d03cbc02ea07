package imagedec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"passport/verify/scan/internal/qrtest"
)

// stdJPEGGray decodes with image/jpeg and takes the grey plane as Decode's
// fallback does.
func stdJPEGGray(data []byte) (*Gray, error) {
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return adopt(img), nil
}

// jpegLevelDiff is the largest difference between two planes of one size.
func jpegLevelDiff(t *testing.T, name string, got, want *Gray) int {
	t.Helper()
	if got.Width != want.Width || got.Height != want.Height {
		t.Fatalf("%s: %d×%d, image/jpeg %d×%d", name, got.Width, got.Height, want.Width, want.Height)
	}
	worst := 0
	for i, v := range got.Pix {
		worst = max(worst, absInt(int(v)-int(want.Pix[i])))
	}
	return worst
}

// TestJPEGFixtures decodes files from libjpeg-turbo's cjpeg (grey with
// restart markers, 16-bit quantization tables in an extended frame, colour
// at each chroma subsampling this decoder takes) within one level of
// image/jpeg, and leaves to image/jpeg the ones it does not take: progressive,
// arithmetic-coded, RGB, and chroma factors image/jpeg refuses too.
func TestJPEGFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/jpeg/*.jpg")
	if err != nil || len(files) < 10 {
		t.Fatalf("testdata/jpeg: %d files, %v", len(files), err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want, stdErr := stdJPEGGray(data)
			got, err := decodeJPEG(data)
			if strings.HasPrefix(name, "fallback-") {
				if !errors.Is(err, errJPEGFallback) {
					t.Fatalf("decodeJPEG = %v, want errJPEGFallback", err)
				}
				// Decode gives image/jpeg's answer.
				g, err := Decode(data)
				if (err == nil) != (stdErr == nil) {
					t.Fatalf("Decode error %v, image/jpeg's %v", err, stdErr)
				}
				if err == nil {
					if d := jpegLevelDiff(t, name, g, want); d != 0 {
						t.Fatalf("Decode differs from image/jpeg by %d", d)
					}
				}
				return
			}
			if stdErr != nil {
				t.Fatalf("image/jpeg: %v", stdErr)
			}
			if err != nil {
				t.Fatalf("decodeJPEG: %v", err)
			}
			if d := jpegLevelDiff(t, name, got, want); d > 1 {
				t.Fatalf("differs from image/jpeg by %d levels", d)
			}
		})
	}
}

// TestJPEGMatchesStdOnCorpus decodes every JPEG the reader's tests commit
// (scans, phone photos, webcam frames, the gating corpus) within one level
// of image/jpeg, taking each itself. It measures pixels, not concurrency, and
// takes ten times as long under the race detector, so make test runs it in
// the pass without it.
func TestJPEGMatchesStdOnCorpus(t *testing.T) {
	if raceDetector {
		t.Skip("pixels, not concurrency: run without -race (make test does)")
	}
	var files []string
	for _, pat := range []string{"../testdata/*/*.jpg", "../testdata/*/*/*.jpg"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) < 100 {
		t.Fatalf("found %d JPEG files under ../testdata, want the corpus's 100 or more", len(files))
	}
	worst := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := stdJPEGGray(data)
		if err != nil {
			t.Fatalf("%s: image/jpeg: %v", f, err)
		}
		got, err := decodeJPEG(data)
		if err != nil {
			t.Fatalf("%s: decodeJPEG: %v", f, err)
		}
		worst = max(worst, jpegLevelDiff(t, f, got, want))
	}
	if worst > 1 {
		t.Fatalf("%d files: largest difference from image/jpeg %d levels, want at most 1", len(files), worst)
	}
}

// TestJPEGShapes round-trips image/jpeg's own encoder output at sizes that end
// mid-block and mid-MCU, grey and colour (image/jpeg writes 4:2:0).
func TestJPEGShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, size := range [][2]int{{1, 1}, {7, 9}, {8, 8}, {15, 17}, {16, 16}, {33, 5}, {64, 48}, {101, 67}} {
		for _, colour := range []bool{false, true} {
			w, h := size[0], size[1]
			var img image.Image
			if colour {
				m := image.NewRGBA(image.Rect(0, 0, w, h))
				for i := range m.Pix {
					m.Pix[i] = uint8(rng.IntN(256))
				}
				img = m
			} else {
				m := image.NewGray(image.Rect(0, 0, w, h))
				for y := range h {
					for x := range w {
						m.SetGray(x, y, color.Gray{uint8((x*7 + y*13 + rng.IntN(40)) % 256)})
					}
				}
				img = m
			}
			for _, q := range []int{10, 75, 100} {
				var b bytes.Buffer
				if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%dx%d colour=%v q%d", w, h, colour, q)
				want, err := stdJPEGGray(b.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				got, err := decodeJPEG(b.Bytes())
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if d := jpegLevelDiff(t, name, got, want); d > 1 {
					t.Errorf("%s: differs from image/jpeg by %d levels", name, d)
				}
			}
		}
	}
}

// TestJPEGDamage cuts and corrupts a real scan: whatever decodeJPEG makes of
// it, it never reads a file image/jpeg refuses, and what it reads is within
// one level of image/jpeg's picture.
func TestJPEGDamage(t *testing.T) {
	data, err := os.ReadFile("testdata/jpeg/grey-restart.jpg")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	took, fellBack := 0, 0
	for i := range 400 {
		d := bytes.Clone(data)
		switch i % 3 {
		case 0:
			d = d[:rng.IntN(len(d))]
		case 1:
			d[rng.IntN(len(d))] ^= byte(1 << rng.IntN(8))
		case 2:
			p := rng.IntN(len(d))
			d = append(d[:p:p], d[min(len(d), p+1+rng.IntN(8)):]...)
		}
		if checkJPEGAgainstStd(t, d) {
			took++
		} else {
			fellBack++
		}
	}
	if took == 0 || fellBack == 0 {
		t.Fatalf("took %d, left %d of 400 damaged files: the test no longer exercises both", took, fellBack)
	}
}

// checkJPEGAgainstStd is the property FuzzJPEGDecode checks: decodeJPEG
// reads a file only if image/jpeg does, to the same size and within one
// level. It reports whether decodeJPEG read it.
func checkJPEGAgainstStd(t *testing.T, data []byte) bool {
	t.Helper()
	got, err := decodeJPEG(data)
	if err != nil {
		if !errors.Is(err, errJPEGFallback) {
			t.Fatalf("decodeJPEG error %v is not errJPEGFallback", err)
		}
		return false
	}
	want, err := stdJPEGGray(data)
	if err != nil {
		t.Fatalf("decodeJPEG read a file image/jpeg refuses (%v)", err)
	}
	if d := jpegLevelDiff(t, "input", got, want); d > 1 {
		t.Fatalf("differs from image/jpeg by %d levels", d)
	}
	return true
}

func FuzzJPEGDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/jpeg/*.jpg")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, colour := range []bool{false, true} {
		var img image.Image = image.NewGray(image.Rect(0, 0, 19, 11))
		if colour {
			img = image.NewRGBA(image.Rect(0, 0, 19, 11))
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 50}); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// image/jpeg allocates what the header says before finding the data
		// short; keep each input's cost small.
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(data)); err == nil && cfg.Width*cfg.Height > 1<<18 {
			return
		}
		checkJPEGAgainstStd(t, data)
	})
}

// TestJPEGIDCTAccuracy holds the inverse DCT within one level of the exact
// transform (in float64, rounded) on the blocks of the IEEE 1180 test: random
// pixels in [-L, H] through an exact forward DCT, rounded, for (L, H) = (256,
// 255), (5, 5) and (300, 300); each block cut after a random zig-zag index,
// where the sparse paths must give exactly the full transform's result.
func TestJPEGIDCTAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var cosTab [8][8]float64 // cosTab[x][u] = C(u) cos((2x+1)uπ/16)
	for x := range 8 {
		for u := range 8 {
			c := 1.0
			if u == 0 {
				c = 1 / math.Sqrt2
			}
			cosTab[x][u] = c * math.Cos(float64(2*x+1)*float64(u)*math.Pi/16)
		}
	}
	worst := 0
	for _, r := range [][2]int{{256, 255}, {5, 5}, {300, 300}} {
		for range 3000 {
			var px [64]float64
			for i := range px {
				px[i] = float64(rng.IntN(r[0]+r[1]+1) - r[0])
			}
			var blk [64]int32
			last := rng.IntN(64)
			for k := 0; k <= last; k++ {
				u, v := int(unzigzag[k]&7), int(unzigzag[k]>>3)
				s := 0.0
				for y := range 8 {
					for x := range 8 {
						s += px[8*y+x] * cosTab[x][u] * cosTab[y][v]
					}
				}
				blk[unzigzag[k]] = int32(min(max(math.Round(s/4), -2048), 2047))
			}
			var got, full [64]byte
			in := blk
			idct(&in, &got, last)
			in = blk
			idct(&in, &full, 63)
			if got != full {
				t.Fatalf("last=%d: the sparse path differs from the full transform", last)
			}
			for y := range 8 {
				for x := range 8 {
					s := 0.0
					for v := range 8 {
						for u := range 8 {
							s += float64(blk[8*v+u]) * cosTab[x][u] * cosTab[y][v]
						}
					}
					exact := min(max(int(math.Round(s/4))+128, 0), 255)
					worst = max(worst, absInt(int(got[8*y+x])-exact))
				}
			}
		}
	}
	if worst > 1 {
		t.Fatalf("inverse DCT is %d levels from the exact transform, want at most 1", worst)
	}
}

// BenchmarkJPEGDecode compares decodeJPEG with image/jpeg (plus taking its
// plane, as Decode's fallback does) in the same run, on a committed scan
// re-encoded as a scanner saves it (grey, quality 75) and on the same page in
// colour (4:2:0).
func BenchmarkJPEGDecode(b *testing.B) {
	src, err := os.ReadFile("../testdata/dpi100/fax100-01.png")
	if err != nil {
		b.Skip(err)
	}
	img, err := Decode(src)
	if err != nil {
		b.Fatal(err)
	}
	grey := &image.Gray{Pix: img.Pix, Stride: img.Width, Rect: image.Rect(0, 0, img.Width, img.Height)}
	colour := image.NewRGBA(grey.Rect)
	for i, v := range grey.Pix {
		colour.Pix[4*i], colour.Pix[4*i+1], colour.Pix[4*i+2], colour.Pix[4*i+3] = v, v/2+64, 255-v/3, 255
	}
	for _, c := range []struct {
		name string
		img  image.Image
	}{{"grey", grey}, {"colour", colour}} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, c.img, &jpeg.Options{Quality: 75}); err != nil {
			b.Fatal(err)
		}
		data := buf.Bytes()
		b.Run(c.name+"/passport", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := decodeJPEG(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/image-jpeg", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := stdJPEGGray(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestPDFImageTakesJPEG checks that a scan-to-PDF's JPEG goes through
// decodeJPEG, and one it leaves (progressive) through image/jpeg: PDFImage
// decodes as Decode does.
func TestPDFImageTakesJPEG(t *testing.T) {
	model.ConfigPath = "disable" // pdfcpu would otherwise write a configuration folder
	for _, c := range []struct {
		file string
		fast bool
	}{{"grey-restart.jpg", true}, {"fallback-progressive.jpg", false}} {
		data, err := os.ReadFile(filepath.Join("testdata/jpeg", c.file))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		pdf := qrtest.OneImagePDF(fmt.Sprintf("/Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode", cfg.Width, cfg.Height), data)
		ctx, err := api.ReadValidateAndOptimize(bytes.NewReader(pdf), model.NewDefaultConfiguration())
		if err != nil {
			t.Fatalf("%s: pdfcpu: %v", c.file, err)
		}
		nrs := pdfcpu.ImageObjNrs(ctx, 1)
		if len(nrs) != 1 {
			t.Fatalf("%s: %d images on the page, want 1", c.file, len(nrs))
		}
		got, err := PDFImage(ctx, ctx.Optimize.ImageObjects[nrs[0]], 1, nrs[0])
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		want, err := stdJPEGGray(data)
		if c.fast {
			want, err = decodeJPEG(data)
		}
		if err != nil {
			t.Fatal(err)
		}
		if d := jpegLevelDiff(t, c.file, got, want); d != 0 {
			t.Errorf("%s: differs by %d from the decoder it should have used", c.file, d)
		}
	}
}

// TestJPEGColourModelFromAnyMarker: whether three components are RGB is
// image/jpeg's decision at the end of the file, so an Adobe segment saying
// "no transform" after the frame header still makes the file RGB, which
// decodeJPEG leaves to image/jpeg rather than reading its first component as
// luminance.
func TestJPEGColourModelFromAnyMarker(t *testing.T) {
	data, err := os.ReadFile("testdata/jpeg/colour-444.jpg")
	if err != nil {
		t.Fatal(err)
	}
	// Drop the JFIF segment (which makes a file YCbCr whatever else it says)
	// and put an Adobe APP14 with transform 0 straight after SOF0.
	var out []byte
	out = append(out, data[:2]...)
	for p := 2; p+4 <= len(data); {
		marker, n := data[p+1], int(data[p+2])<<8|int(data[p+3])
		seg := data[p : p+2+n]
		if marker == 0xDA { // SOS: the rest is the scan and EOI
			out = append(out, data[p:]...)
			break
		}
		if marker != 0xE0 {
			out = append(out, seg...)
		}
		if marker == 0xC0 {
			adobe := []byte{0xFF, 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0}
			out = append(out, adobe...)
		}
		p += 2 + n
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("image/jpeg: %v", err)
	}
	if _, ok := img.(*image.YCbCr); ok {
		t.Fatal("image/jpeg read the edited file as YCbCr: the test no longer builds an RGB file")
	}
	if _, err := decodeJPEG(out); !errors.Is(err, errJPEGFallback) {
		t.Fatalf("decodeJPEG = %v, want errJPEGFallback for an RGB file", err)
	}
}
