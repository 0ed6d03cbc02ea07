package scan

import (
	"crypto/sha256"
	"fmt"
	"strings"
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
		out := d.transform(Strategy{transform: tfUp2SharpenCrop, transformCost: tc.cost}, g)
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
		// finders of three. Read by crop+flatten+sharpen+piecewise+hybrid.
		{"screen-glare-01.jpg", "glare over a finder pattern"},
		// Glare over the top-left finder and the modules round it: flattened and
		// sharpened, the washed-out dark modules are still lighter than the
		// hybrid binarizer's local blocks expect; one threshold over the flattened
		// crop reads them. Read by crop+flatten+sharpen+piecewise+global.
		{"screen-glare-02.jpg", "glare washing out dark modules"},
		// Dark mode (light modules on black), out of focus, tilted: the sharpen
		// strategies ran only on the crop as shown, where no finder pattern of
		// the right polarity sets the mask's size. Read by
		// crop+invert+sharpen+finders+hybrid.
		{"screen-dark-tilt-01.jpg", "dark mode, blurred"},
		{"screen-dark-tilt-02.jpg", "dark mode, blurred, steep tilt"},
		// Dark mode under glare: flattening must come after the inversion, since
		// dividing by the local mean of a black background amplifies its noise.
		// Read by crop+invert+flatten+sharpen+piecewise+hybrid.
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

// TestTransformKeysAreUnique: decodeRun caches a transform's output under its
// strategy's transformKey, so two transforms under one key would silently hand
// one the other's image. Strategies that share a key must share the transform
// (the same output on every probe image) and its cost. Keys whose transforms
// agree on every probe are logged: they differ at most in a pixel cap, and
// cost a second computation of the same image where both apply.
func TestTransformKeysAreUnique(t *testing.T) {
	probes := []*gray{noiseGray(97, 61, 1), noiseGray(400, 300, 2), noiseGray(1100, 1000, 3)}
	signature := func(s Strategy) string {
		var sig strings.Builder
		for _, p := range probes {
			out := s.transform(p)
			if out == nil {
				sig.WriteString("nil;")
				continue
			}
			fmt.Fprintf(&sig, "%dx%d:%x;", out.Width, out.Height, sha256.Sum256(out.pix))
		}
		return sig.String()
	}
	type seen struct {
		name, sig string
		cost      int64
	}
	byKey := map[string]seen{}
	for _, s := range DefaultStrategies() {
		if s.transform == nil {
			continue
		}
		if s.transformKey == "" {
			t.Errorf("%s: a transform without a cache key", s.Name)
			continue
		}
		sig := signature(s)
		if prev, ok := byKey[s.transformKey]; ok {
			if prev.sig != sig || prev.cost != s.transformCost {
				t.Errorf("%s and %s share the key %q but not the transform or its cost", prev.name, s.Name, s.transformKey)
			}
			continue
		}
		byKey[s.transformKey] = seen{s.Name, sig, s.transformCost}
	}
	keys := map[string]string{}
	for key, s := range byKey {
		if other, ok := keys[s.sig]; ok {
			t.Logf("keys %q and %q give the same images on every probe (%dx%d to %dx%d)", key, other,
				probes[0].Width, probes[0].Height, probes[2].Width, probes[2].Height)
		}
		keys[s.sig] = key
	}
	if len(byKey) < 10 {
		t.Fatalf("only %d transform keys found", len(byKey))
	}
}
