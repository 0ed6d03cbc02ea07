package scan

import (
	"errors"
	"testing"
)

// A 1280×720 webcam frame (a scanbench small-class miss, seed 8): a version-17
// code about 180 px wide, 2.1 px a module, slightly blurred and JPEG-compressed.
// zxing-cpp and WeChat read it; before crop+up2+sharpen+piecewise every strategy of
// ours missed it, because at 2× bilinear the crop's finder patterns were too soft
// for the binarizer to find all three, and the whole frame's up2+sharpen, which
// finds them, sampled a grid that did not decode.
func TestImageSmallWebcamCode(t *testing.T) {
	readsTestdataCode(t, "testdata/small/webcam-small-04.jpg", "a webcam frame at 2.1 px a module")
}

// 100-dpi fax-like pages (fixtures/degrade dpi100 class: a noisy scan thresholded
// to black and white, about 2.4 px a module), each missed by our reader in a
// scanbench run while zbarimg read it. At this size whole-pixel sampling and
// run lengths are 40% of a module; crop+box1+up4 (a 3×3 blur, then 4× bilinear)
// reads them.
func TestImageFax100(t *testing.T) {
	for _, file := range []string{"fax100-01.png", "fax100-02.png", "fax100-03.png"} {
		t.Run(file, func(t *testing.T) {
			readsTestdataCode(t, "testdata/dpi100/"+file, "a 100-dpi bilevel page")
		})
	}
}

// A transform that enlarges charges the budget for the pixels it makes, not
// only for those it reads, so the work limit still bounds an expensive fallback.
func TestTransformChargesItsCost(t *testing.T) {
	g := newGray(100, 50)
	for _, tc := range []struct {
		cost, want int64
	}{{0, 5000}, {1, 5000}, {up2SharpenCost, up2SharpenCost * 5000}} {
		d := &decodeRun{b: unlimited()}
		out := d.filter(&filter{apply: tfUp2SharpenCrop, cost: tc.cost}, g)
		if out == nil || out.Width != 200 {
			t.Fatalf("cost %d: transform gave %v", tc.cost, out)
		}
		if d.b.work != tc.want {
			t.Errorf("cost %d: charged %d pixel visits, want %d", tc.cost, d.b.work, tc.want)
		}
	}
}

// Phone screens photographed by a webcam (fixtures/degrade screen class), each an
// image of ours missed by make bench-scan or a larger screen corpus while a peer
// (zxing-cpp 3, WeChat, zbarimg) read it. Each needed a strategy added for it.
func TestImageScreenMisses(t *testing.T) {
	tests := []struct {
		file string
		why  string
	}{
		// A blurred version-18 code at a tilt, a glare spot over its top-right
		// finder: under HybridBinarizer's block thresholds that finder's inner
		// white ring merged with its dark rings, so every strategy found two
		// finders of three. Read by crop+flatten+sharpen+piecewise+global.
		{"screen-glare-01.jpg", "glare over a finder pattern"},
		// Glare over the top-left finder and the modules round it: flattened and
		// sharpened, the washed-out dark modules are still lighter than the
		// hybrid binarizer's local blocks expect; one threshold over the flattened
		// crop reads them. Read by crop+flatten+sharpen+piecewise+global.
		{"screen-glare-02.jpg", "glare washing out dark modules"},
		// Dark mode (light modules on black), out of focus, tilted: the sharpen
		// strategies ran only on the crop as shown, where no finder pattern of
		// the right polarity sets the mask's size. Read by
		// crop+invert+flatten+sharpen+piecewise+global.
		{"screen-dark-tilt-01.jpg", "dark mode, blurred"},
		{"screen-dark-tilt-02.jpg", "dark mode, blurred, steep tilt"},
		// Dark mode under glare: flattening must come after the inversion, since
		// dividing by the local mean of a black background amplifies its noise.
		// Read by crop+invert+flatten+sharpen+piecewise+global.
		{"screen-dark-glare-01.jpg", "dark mode under glare"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			readsTestdataCode(t, "testdata/screen/"+tc.file, "a phone screen ("+tc.why+")")
		})
	}
}

// Flattening removes a lighting gradient: a one-pixel checkerboard of dark (40%) and
// light pixels lit from 60 to 250 across the frame comes out with the same two levels
// everywhere, away from the box's reach of the edges.
func TestFlattenedEvensOutLighting(t *testing.T) {
	const w, h, r = 200, 60, 8
	g := newGray(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			light := 60 + 190*x/(w-1)
			v := light
			if (x+y)%2 == 0 {
				v = light * 4 / 10
			}
			g.pix[y*w+x] = byte(v)
		}
	}
	f := g.flattened(r)
	lo, hi := [2]int{255, 255}, [2]int{0, 0} // min and max of dark, light pixels
	for y := r; y < h-r; y++ {
		for x := r; x < w-r; x++ {
			v, i := int(f.pix[y*w+x]), 1
			if (x+y)%2 == 0 {
				i = 0
			}
			lo[i], hi[i] = min(lo[i], v), max(hi[i], v)
		}
	}
	if hi[0]-lo[0] > 12 || hi[1]-lo[1] > 12 || hi[0] >= lo[1] {
		t.Errorf("flattened dark %d..%d, light %d..%d: want two narrow, separate bands", lo[0], hi[0], lo[1], hi[1])
	}
	if gd, gl := int(g.pix[(h/2)*w+r+1]), int(g.pix[(h/2)*w+w-r-1]); gl-gd < 100 {
		t.Fatalf("test image: the gradient is too weak (%d..%d)", gd, gl)
	}
}

// TestFilterOutputIsKeyedByTheFilter: decodeRun keeps a filter's output under
// the filter itself, so strategies that use one filter compute it once (on
// the whole image and on each crop), and two filters, even of the same name,
// never share an output.
func TestFilterOutputIsKeyedByTheFilter(t *testing.T) {
	calls := map[string]int{}
	counted := func(tag string) func(*gray) *gray {
		return func(g *gray) *gray { calls[tag]++; return g.inverted() }
	}
	a := &filter{name: "same", apply: counted("a")}
	b := &filter{name: "same", apply: counted("b")}
	strategies := []Strategy{
		newStrategy(wholeImage, a, byDetector, hybridBinarizer),
		newStrategy(wholeImage, a, byDetector, globalBinarizer),
		newStrategy(wholeImage, b, byDetector, hybridBinarizer),
		newStrategy(eachCrop, a, byDetector, hybridBinarizer),
		newStrategy(eachCrop, a, byDetector, globalBinarizer),
		newStrategy(eachCrop, b, byDetector, globalBinarizer),
	}
	g := noiseGray(300, 300, 4)
	crops := len(candidateRegions(g))
	if crops == 0 {
		t.Fatal("the noise image has no candidate regions; the test needs some")
	}
	if _, _, err := decodeGray(g, strategies, unlimited()); !errors.Is(err, ErrNoBarcode) {
		t.Fatalf("noise read: %v", err)
	}
	if want := 1 + crops; calls["a"] != want || calls["b"] != want {
		t.Errorf("filter a ran %d times, b %d; want %d each (the whole image, then each of %d crops once)", calls["a"], calls["b"], want, crops)
	}
}

// TestStrategyNames: a strategy's name is made from its options, so two
// strategies of the default list have the same name only if they are the same
// strategy, and two filters of the same name would make the measurements'
// names ambiguous.
func TestStrategyNames(t *testing.T) {
	names := map[string]bool{}
	filters := map[string]*filter{}
	for _, s := range DefaultStrategies() {
		if names[s.Name] {
			t.Errorf("%s twice in DefaultStrategies", s.Name)
		}
		names[s.Name] = true
		if s.filter == nil {
			continue
		}
		if f, ok := filters[s.filter.name]; ok && f != s.filter {
			t.Errorf("two filters are named %q", s.filter.name)
		}
		filters[s.filter.name] = s.filter
	}
	if got := newStrategy(eachCrop, fFlattenSharpen, byPiecewise, globalBinarizer).Name; got != "crop+flatten+sharpen+piecewise+global" {
		t.Errorf("name %q", got)
	}
}
