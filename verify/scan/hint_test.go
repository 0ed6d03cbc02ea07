package scan

import (
	"context"
	"errors"
	"image"
	"math/rand/v2"
	"testing"
	"time"
)

// cameraFrame is a 1280×720 grey frame with text's code drawn at (ox, oy), px
// pixels a module, and the rectangle the code's modules cover.
func cameraFrame(t testing.TB, text string, ox, oy, px int) (*image.Gray, image.Rectangle) {
	img := whiteGray(1280, 720)
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	mods := qrModules(t, text)
	side := len(mods) * px
	q := image.Rect(ox-4*px, oy-4*px, ox+side+4*px, oy+side+4*px)
	for y := q.Min.Y; y < q.Max.Y; y++ {
		for x := q.Min.X; x < q.Max.X; x++ {
			img.Pix[img.PixOffset(x, y)] = 245
		}
	}
	drawQR(img, mods, ox, oy, px)
	return img, image.Rect(ox, oy, ox+side, oy+side)
}

// TestReadFrameReportsRegion: a code read in a frame comes back with the
// rectangle it covers (within a module or two) and its module size, and the
// next frame read with that region as the hint reads it again.
func TestReadFrameReportsRegion(t *testing.T) {
	text := payload(300, 1)
	img, code := cameraFrame(t, text, 700, 150, 4)
	data := encodeJPEG(t, img, 85)
	f, err := ReadFrame(context.Background(), data, Options{Budget: time.Minute})
	if err != nil || len(f.Codes) != 1 || f.Codes[0].Text != text {
		t.Fatalf("frame not read: %v %+v", err, f.Codes)
	}
	if !near(f.Region, code, 2*4) {
		t.Errorf("region %v, the code covers %v", f.Region, code)
	}
	if f.ModuleSize < 3.5 || f.ModuleSize > 4.5 {
		t.Errorf("module size %.2f, drawn at 4", f.ModuleSize)
	}
	again, err := ReadFrame(context.Background(), data, Options{Budget: time.Minute, Region: f.Region})
	if err != nil || len(again.Codes) != 1 || !near(again.Region, code, 2*4) {
		t.Fatalf("read with its own region: %v, region %v", err, again.Region)
	}
}

func near(a, b image.Rectangle, tol int) bool {
	d := func(x, y int) bool { return absInt(x-y) <= tol }
	return d(a.Min.X, b.Min.X) && d(a.Min.Y, b.Min.Y) && d(a.Max.X, b.Max.X) && d(a.Max.Y, b.Max.Y)
}

// TestRegionFirstIsCheaper: with the code's region as the hint the read does a
// fraction of the whole frame's work; a hint where the code is not (the page
// moved) still reads it, from the whole frame.
func TestRegionFirstIsCheaper(t *testing.T) {
	text := payload(300, 2)
	img, code := cameraFrame(t, text, 200, 300, 3)
	g := toGray(img)
	work := func(region image.Rectangle) (int64, image.Rectangle) {
		b := unlimited()
		codes, where, err := decodeRegionFirst(g, region, b)
		if err != nil || len(codes) != 1 || codes[0].Text != text {
			t.Fatalf("region %v: not read (%v)", region, err)
		}
		return b.Work(), where
	}
	whole, _ := work(image.Rectangle{})
	hinted, where := work(code)
	if hinted*3 > whole {
		t.Errorf("reading the region first took %d pixel visits, the whole frame %d: want under a third", hinted, whole)
	}
	if where == image.Rect(0, 0, 1280, 720) {
		t.Error("the code was read from the whole frame although the region held it")
	}
	moved, where := work(image.Rect(900, 50, 1100, 250))
	if where != image.Rect(0, 0, 1280, 720) || moved <= whole {
		t.Errorf("a wrong region: read in %v with %d pixel visits (whole frame alone %d)", where, moved, whole)
	}
}

// TestReadFrameUnreadableLocatesFinders: a code whose data is destroyed is not
// read (nothing is invented), but where its finder patterns are is reported.
func TestReadFrameUnreadableLocatesFinders(t *testing.T) {
	text := payload(300, 3)
	img, code := cameraFrame(t, text, 500, 200, 4)
	r := rand.New(rand.NewPCG(3, 3))
	// Scramble everything but the three finder corners (9 modules each).
	for y := code.Min.Y; y < code.Max.Y; y += 4 {
		for x := code.Min.X; x < code.Max.X; x += 4 {
			mx, my := (x-code.Min.X)/4, (y-code.Min.Y)/4
			n := code.Dx() / 4
			if (mx < 9 && my < 9) || (mx >= n-9 && my < 9) || (mx < 9 && my >= n-9) {
				continue
			}
			v := byte(0)
			if r.IntN(2) == 0 {
				v = 245
			}
			for dy := range 4 {
				for dx := range 4 {
					img.Pix[img.PixOffset(x+dx, y+dy)] = v
				}
			}
		}
	}
	f, err := ReadFrame(context.Background(), encodePNG(t, img), Options{Budget: 300 * time.Millisecond})
	if len(f.Codes) != 0 || !errors.Is(err, ErrNoBarcode) {
		t.Fatalf("scrambled code: %+v, %v", f.Codes, err)
	}
	if !near(f.Region, code, 2*4) || f.ModuleSize < 3.5 || f.ModuleSize > 4.5 {
		t.Errorf("finders located at %v (module %.2f), the code covers %v", f.Region, f.ModuleSize, code)
	}
}

// TestReadFrameLimits: blank frames, frames that are not images and a budget
// spent in the region all end with the usual errors.
func TestReadFrameLimits(t *testing.T) {
	blank := encodePNG(t, whiteGray(640, 480))
	f, err := ReadFrame(context.Background(), blank, Options{Budget: time.Second})
	if !errors.Is(err, ErrNoBarcode) || len(f.Codes) != 0 || !f.Region.Empty() {
		t.Errorf("blank frame: %+v, %v", f, err)
	}
	// A frame with nothing seen keeps the hint: one blurred frame must not
	// lose where the code was.
	hint := image.Rect(10, 10, 200, 200)
	if f, err = ReadFrame(context.Background(), blank, Options{Budget: time.Second, Region: hint}); !errors.Is(err, ErrNoBarcode) || f.Region != hint {
		t.Errorf("blank frame with a region: %+v, %v", f, err)
	}
	if _, err := ReadFrame(context.Background(), []byte("SP1:ABC"), Options{}); !errors.Is(err, ErrNotImage) {
		t.Errorf("text as a frame: %v", err)
	}
	img, code := cameraFrame(t, payload(300, 4), 100, 100, 3)
	_, err = ReadFrame(context.Background(), encodePNG(t, img), Options{Budget: time.Nanosecond, Region: code})
	if !errors.Is(err, ErrBudget) {
		t.Errorf("a 1 ns budget: %v", err)
	}
	for _, c := range []struct{ region, want image.Rectangle }{
		{image.Rectangle{}, image.Rectangle{}},
		{image.Rect(-50, -50, 10, 10), image.Rect(0, 0, 34, 34)},
		{image.Rect(1200, 700, 1280, 720), image.Rect(1172, 672, 1280, 720)},
		{image.Rect(2000, 2000, 2100, 2100), image.Rectangle{}},
	} {
		if got := grow(c.region, image.Rect(0, 0, 1280, 720)); got != c.want {
			t.Errorf("grow(%v) = %v, want %v", c.region, got, c.want)
		}
	}
}

// BenchmarkReadFrame: a 1280×720 webcam-like frame (a code at 2.5 pixels a
// module, softened, JPEG) read whole and with its region as the hint, as
// the station reads consecutive camera frames; compare the two in one run.
func BenchmarkReadFrame(b *testing.B) {
	text := payload(300, 5)
	img, _ := cameraFrame(b, text, 500, 200, 2)
	data := encodeJPEG(b, scaleTo(blur(img), 1.25), 80)
	f, err := ReadFrame(context.Background(), data, Options{Budget: time.Minute})
	if err != nil || len(f.Codes) != 1 || f.Region.Empty() {
		b.Fatalf("the frame does not read: %v, region %v", err, f.Region)
	}
	for _, c := range []struct {
		name   string
		region image.Rectangle
	}{{"whole", image.Rectangle{}}, {"region", f.Region}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if got, err := ReadFrame(context.Background(), data, Options{Budget: time.Minute, Region: c.region}); err != nil || len(got.Codes) != 1 {
					b.Fatalf("not read: %v", err)
				}
			}
		})
	}
}

// TestReadFrameCancelledStops: once the request is cancelled, ReadFrame does
// no more work after the read either (no finder search, no edge measure), as
// it did when those steps ran on a budget of their own that nothing stopped.
func TestReadFrameCancelledStops(t *testing.T) {
	img, _ := cameraFrame(t, payload(300, 6), 500, 200, 4)
	data := encodePNG(t, img)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f, err := ReadFrame(ctx, data, Options{})
	if !errors.Is(err, ErrBudget) || len(f.Codes) != 0 {
		t.Fatalf("cancelled read: %+v, %v", f.Codes, err)
	}
	if f.ModuleSize != 0 || !f.Region.Empty() || f.EdgeSteepness != 0 {
		t.Errorf("cancelled read went on to locate the code: region %v, module %.2f, steepness %.2f", f.Region, f.ModuleSize, f.EdgeSteepness)
	}
	// Not cancelled, the same frame's code is read and located.
	if f, err = ReadFrame(context.Background(), data, Options{}); err != nil || f.ModuleSize == 0 {
		t.Errorf("uncancelled read: %+v, %v", f, err)
	}
}

// checkerFrame is a 1280×720 frame holding a checkerboard of side-pixel
// squares (contrast, but no finder pattern and no code).
func checkerFrame(side int) *image.Gray {
	img := whiteGray(1280, 720)
	for y := 200; y < 500; y++ {
		for x := 400; x < 800; x++ {
			if (x/side+y/side)%2 == 0 {
				img.Pix[img.PixOffset(x, y)] = 20
			}
		}
	}
	return img
}

// TestReadFrameEdgeSteepness: a frame with no code says whether it is sharp
// or blurred, worked out from the grey plane the read decoded, so a caller
// need not decode the frame a second time for its hint.
func TestReadFrameEdgeSteepness(t *testing.T) {
	sharp := checkerFrame(6)
	blurred := sharp
	for range 4 {
		blurred = blur(blurred)
	}
	for _, c := range []struct {
		name   string
		img    *image.Gray
		lo, hi float64
	}{
		{"sharp", sharp, 0.5, 1.01},
		{"blurred", blurred, 0.01, 0.25},
		{"blank", whiteGray(640, 480), 0, 0},
	} {
		f, err := ReadFrame(context.Background(), encodePNG(t, c.img), Options{Budget: time.Second})
		if !errors.Is(err, ErrNoBarcode) || f.ModuleSize != 0 {
			t.Fatalf("%s: %+v, %v", c.name, f, err)
		}
		t.Logf("%s frame: steepness %.3f", c.name, f.EdgeSteepness)
		if f.EdgeSteepness < c.lo || f.EdgeSteepness > c.hi {
			t.Errorf("%s frame: steepness %.3f, want %.2f to %.2f", c.name, f.EdgeSteepness, c.lo, c.hi)
		}
	}
}
