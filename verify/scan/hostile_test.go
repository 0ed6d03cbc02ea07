package scan

// Hostile inputs: images that cost the reader minutes or
// hundreds of megabytes before the budget and the size checks existed.

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passport/verify/scan/internal/detect"
)

// finderGrid tiles a side×side white image with QR finder patterns (7×7 modules of
// px pixels, every step pixels): every square passes the finder pattern checks and
// any three of them look like a code's corners. At side 240, px 2, step 16 this
// stalled the reader for 25 s before the candidate caps.
func finderGrid(side, px, step int) *image.Gray {
	img := whiteGray(side, side)
	for oy := 1; oy+7*px <= side; oy += step {
		for ox := 1; ox+7*px <= side; ox += step {
			for y := 0; y < 7; y++ {
				for x := 0; x < 7; x++ {
					if min(x, y, 6-x, 6-y) == 1 { // the light ring
						continue
					}
					for dy := 0; dy < px; dy++ {
						off := (oy+y*px+dy)*side + ox + x*px
						for dx := 0; dx < px; dx++ {
							img.Pix[off+dx] = 0
						}
					}
				}
			}
		}
	}
	return img
}

// gridSides are the finder-grid sizes tested, from the 200 to 1000 pixels.
var gridSides = []int{200, 240, 300, 400, 600, 1000}

// fuzzGridSides are the sizes kept in the fuzz corpus (every `go test` runs it, with
// the race detector in CI, so the largest are not all repeated there).
var fuzzGridSides = []int{200, 240, 600, 1000}

// hostileBudget is the budget the tests give; the bound they check is five times it,
// so a loaded CI machine (and the race detector) cannot make them flake.
const hostileBudget = 2 * time.Second

func TestFinderGridUnreadableWithinBudget(t *testing.T) {
	sides := gridSides
	if testing.Short() {
		sides = []int{240, 600}
	}
	for _, side := range sides {
		t.Run(fmt.Sprint(side), func(t *testing.T) {
			data := encodePNG(t, finderGrid(side, 2, 16))
			start := time.Now()
			codes, err := ImageContext(context.Background(), data, Options{Budget: hostileBudget})
			took := time.Since(start)
			if len(codes) != 0 || !errors.Is(err, ErrNoBarcode) {
				t.Fatalf("finder grid %d px (%d bytes): %v, %v; want no code", side, len(data), codes, err)
			}
			if took > 5*hostileBudget {
				t.Fatalf("finder grid %d px took %v, over 5× the %v budget", side, took, hostileBudget)
			}
			t.Logf("%d px, %d bytes: %v in %v", side, len(data), err, took.Round(time.Millisecond))
		})
	}
}

// TestFinderGridWorkIsBounded checks the finder search's cost is bounded by the
// candidate caps, not by the image's content: the work a finder grid costs must not
// exceed what a blank image of the same size costs by more than the triple caps allow.
// (Before the caps, a 240-pixel grid cost 25 s: thousands of triples were sampled.)
func TestFinderGridWorkIsBounded(t *testing.T) {
	for _, side := range []int{240, 600} {
		grid := newBudget(context.Background(), Options{Budget: time.Hour})
		if _, _, err := decodeGray(toGray(finderGrid(side, 2, 16)), defaultStrategies(), grid); !errors.Is(err, ErrNoBarcode) || errors.Is(err, ErrBudget) {
			t.Fatalf("grid %d: %v, want no code without running out of budget", side, err)
		}
		blank := newBudget(context.Background(), Options{Budget: time.Hour})
		if _, _, err := decodeGray(toGray(whiteGray(side, side)), defaultStrategies(), blank); !errors.Is(err, ErrNoBarcode) {
			t.Fatalf("blank %d: %v", side, err)
		}
		// What the caps allow over a blank image: each of the about 60 detect.Read
		// calls (whole image and crops, every strategy) samples at most detect.MaxTriples
		// triples, each finders/piecewise call detect.FinderMaxAttempts.
		tripleCalls := int64(0)
		for _, s := range defaultStrategies() {
			if s.sampler == finderTriples || s.sampler == piecewiseSampling {
				tripleCalls++
			}
		}
		limit := blank.Work() + 60*detect.MaxTriples*int64(1024*2*2+177*177) + tripleCalls*detect.FinderMaxAttempts*int64(256*2*2+177*177)
		t.Logf("side %d: grid work %d M, blank %d M, limit %d M", side, grid.Work()/1e6, blank.Work()/1e6, limit/1e6)
		if grid.Work() > limit {
			t.Errorf("side %d: the grid cost %d pixel visits, over %d", side, grid.Work(), limit)
		}
	}
}

// TestFinderGridPDF is the 2.4 KB one-page PDF holding four finder grids
// (86 s before the budget).
func TestFinderGridPDF(t *testing.T) {
	data := gridPDF(t, 300, 4)
	start := time.Now()
	codes, err := PDFContext(context.Background(), data, Options{Budget: hostileBudget})
	if took := time.Since(start); took > 5*hostileBudget {
		t.Fatalf("four-grid PDF took %v", took)
	}
	if len(codes) != 0 || !errors.Is(err, ErrNoBarcode) {
		t.Fatalf("four-grid PDF (%d bytes): %v, %v; want no code", len(data), codes, err)
	}
}

// gridPDF writes a one-page PDF with n side×side finder grids as Flate-compressed
// grey image XObjects.
func gridPDF(t testing.TB, side, n int) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(finderGrid(side, 2, 16).Pix); err != nil {
		t.Fatal(err)
	}
	zw.Close()
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
	var xobjs, content strings.Builder
	for i := range n {
		fmt.Fprintf(&xobjs, "/Im%d %d 0 R ", i, 5+i)
		fmt.Fprintf(&content, "q 200 0 0 200 %d %d cm /Im%d Do Q\n", 50+(i%2)*250, 50+(i/2)*250, i)
	}
	b.WriteString("%PDF-1.4\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << %s>> >> /Contents 4 0 R >>", xobjs.String()), nil)
	obj(fmt.Sprintf("<< /Length %d >>", content.Len()), []byte(content.String()))
	for range n {
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>", side, side, z.Len()), z.Bytes())
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// TestCancelStopsDecode cancels the context of a decode that would run every
// strategy over a blank 300-dpi A4 page and checks it returns promptly with an error
// that says it was cancelled.
func TestCancelStopsDecode(t *testing.T) {
	page := whiteGray(2480, 3508)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := DecodeContext(ctx, page, Options{Budget: time.Hour})
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	cancelled := time.Now()
	select {
	case err := <-done:
		if !errors.Is(err, ErrBudget) || !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled decode returned %v; want ErrBudget wrapping context.Canceled", err)
		}
		if !strings.Contains(err.Error(), "gave up after") {
			t.Errorf("message %q does not say when it gave up", err)
		}
		t.Logf("returned %v after cancel: %v", time.Since(cancelled).Round(time.Millisecond), err)
	case <-time.After(5 * time.Second):
		t.Fatal("decode still running 5 s after its context was cancelled")
	}
}

// TestBudgetLimits checks each limit stops a decode with a BudgetError naming it,
// and that a generous budget still reads a code.
func TestBudgetLimits(t *testing.T) {
	page := gaussNoise(whiteGray(1240, 1754), 100, 1) // busy: every strategy has work
	_, err := DecodeContext(context.Background(), page, Options{Work: 20_000_000})
	var be *BudgetError
	if !errors.As(err, &be) || be.Limit != "work" || !errors.Is(err, ErrNoBarcode) {
		t.Fatalf("work-limited decode = %v; want a BudgetError for work that is also ErrNoBarcode", err)
	}
	if be.Work < 20_000_000 || be.Work > 30_000_000 {
		t.Errorf("stopped after %d pixel visits; the limit was 20 M", be.Work)
	}
	_, err = DecodeContext(context.Background(), page, Options{Budget: time.Millisecond})
	if !errors.As(err, &be) || be.Limit != "time" || !strings.Contains(err.Error(), "gave up after") {
		t.Fatalf("time-limited decode = %v; want a BudgetError for time", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	time.Sleep(2 * time.Millisecond)
	if _, err = DecodeContext(ctx, page, Options{}); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrBudget) {
		t.Fatalf("decode with an expired context = %v", err)
	}
	text := payload(300, 7)
	codes, err := DecodeContext(context.Background(), renderQR(t, text, 4), Options{Budget: 10 * time.Second})
	if err != nil || len(codes) != 1 || codes[0].Text != text {
		t.Fatalf("budgeted decode of a clean code = %v, %v", codes, err)
	}
}

// TestFuzzCorpusHasFinderGrids checks the finder grids are in the fuzz corpus, so
// `go test` (which runs the corpus) and every fuzzing run start from them. Set
// UPDATE_FUZZ_CORPUS=1 to write them.
func TestFuzzCorpusHasFinderGrids(t *testing.T) {
	write := os.Getenv("UPDATE_FUZZ_CORPUS") != ""
	files := map[string][]byte{}
	for _, side := range fuzzGridSides {
		files[filepath.Join("FuzzImage", fmt.Sprintf("finder-grid-%d", side))] = encodePNG(t, finderGrid(side, 2, 16))
	}
	files[filepath.Join("FuzzPDF", "finder-grid-4x300")] = gridPDF(t, 300, 4)
	for name, data := range files {
		path := filepath.Join("testdata", "fuzz", name)
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if write {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v; run UPDATE_FUZZ_CORPUS=1 go test -run FuzzCorpus ./verify/scan", err)
		}
		if string(got) != want {
			t.Errorf("%s differs from the generator; run UPDATE_FUZZ_CORPUS=1 go test -run FuzzCorpus ./verify/scan", path)
		}
	}
}

// BenchmarkFinderGrid measures the reader on finder grids against a blank image of
// the same size (the ratio is what matters: the grid must cost about what any
// unreadable image costs).
func BenchmarkFinderGrid(b *testing.B) {
	for _, side := range []int{240, 600, 1000} {
		grid, blank := finderGrid(side, 2, 16), whiteGray(side, side)
		b.Run(fmt.Sprintf("grid%d", side), func(b *testing.B) {
			for b.Loop() {
				if _, err := Decode(grid); !errors.Is(err, ErrNoBarcode) {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("blank%d", side), func(b *testing.B) {
			for b.Loop() {
				if _, err := Decode(blank); !errors.Is(err, ErrNoBarcode) {
					b.Fatal(err)
				}
			}
		})
	}
}
