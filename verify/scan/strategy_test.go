package scan

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"passport/verify/scan/internal/raster"
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

// A prefilter that enlarges charges the budget for the pixels it makes, not
// only for those it reads, so the work limit still bounds an expensive fallback;
// one that refuses an image's size is charged the same (the reads of
// defaultStrategies were measured so), and a cached output is not charged again.
func TestPrefilterChargesItsCost(t *testing.T) {
	for _, tc := range []struct {
		p     prefilter
		w, h  int
		width int // of the output; 0 for a refused image
		want  int64
	}{
		{pfUp2Small, 100, 50, 200, 5000},
		{pfUp2SharpenCrop, 100, 50, 200, up2SharpenCost * 5000},
		{pfBox1Up4Crop, 100, 50, 400, box1Up4Cost * 5000},
		{pfBox1Up4Crop, 700, 700, 0, box1Up4Cost * 490_000},
	} {
		d := &decodeRun{b: unlimited(), cropCache: map[filterKey]*gray{}}
		g := raster.New(tc.w, tc.h)
		out := d.prepare(tc.p, g, 0)
		switch {
		case tc.width == 0 && out != nil:
			t.Errorf("%s on %dx%d: gave %dx%d, want it refused", prefilters[tc.p].name, tc.w, tc.h, out.Width, out.Height)
		case tc.width != 0 && (out == nil || out.Width != tc.width):
			t.Fatalf("%s on %dx%d: gave %v, want %d wide", prefilters[tc.p].name, tc.w, tc.h, out, tc.width)
		}
		if d.b.Work() != tc.want {
			t.Errorf("%s on %dx%d: charged %d pixel visits, want %d", prefilters[tc.p].name, tc.w, tc.h, d.b.Work(), tc.want)
		}
		if again := d.prepare(tc.p, g, 0); again != out || d.b.Work() != tc.want {
			t.Errorf("%s on %dx%d: a second use recomputed or charged again (%d)", prefilters[tc.p].name, tc.w, tc.h, d.b.Work())
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

// TestDefaultStrategyNames pins the derived names of defaultStrategies, in
// order: the measurements (the ablation, make bench-scan, the tests that name
// the strategy that reads an image) refer to strategies by these names.
func TestDefaultStrategyNames(t *testing.T) {
	want := []string{
		"global",
		"crop+box1+down2+hybrid",
		"crop+rot90+hybrid",
		"crop+box2+piecewise+hybrid",
		"median3+global",
		"box2+hybrid",
		"box2+global",
		"up2+global",
		"crop+sharpen+finders+hybrid",
		"up2+piecewise+hybrid",
		"crop+box1+up4+finders+hybrid",
		"crop+up2+sharpen+piecewise+hybrid",
		"invert+hybrid",
		"crop+flatten+sharpen+piecewise+global",
		"crop+invert+flatten+sharpen+piecewise+global",
		"crop+deblur+finders+hybrid",
		"deblur+finders+hybrid",
	}
	var got []string
	seen := map[string]bool{}
	for _, s := range defaultStrategies() {
		got = append(got, s.Name)
		if seen[s.Name] {
			t.Errorf("two strategies are named %s", s.Name)
		}
		seen[s.Name] = true
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("defaultStrategies are named\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	// Each line of defaultStrategies ends with its strategy's name, so one can
	// be found and deleted by name: the comments must stay true.
	src, err := os.ReadFile("strategy.go")
	if err != nil {
		t.Fatal(err)
	}
	var commented []string
	for _, m := range regexp.MustCompile(`(?m)^\t\tnewStrategy\(.*\), +// (\S+)$`).FindAllSubmatch(src, -1) {
		commented = append(commented, string(m[1]))
	}
	if strings.Join(commented, "\n") != strings.Join(got, "\n") {
		t.Errorf("the lines of defaultStrategies are commented\n\t%s\nbut named\n\t%s", strings.Join(commented, "\n\t"), strings.Join(got, "\n\t"))
	}
}

// decodeRun keeps a prefilter's output under a key derived from the prefilter
// and the image it ran on (filterKey). A crop's and a whole image's version of
// one transform may share a name with different size limits or costs, so a
// cache keyed by name could hand one the other's image. On a small probe and a
// 1.6 MP one (over the webcam-crop prefilters' limits, within the whole-image
// ones'), every prefilter gets its own output, the same prefilter
// gets the same cached output again without a second charge, and a different
// one never gets another's.
func TestPrefilterKeysAreDerived(t *testing.T) {
	hash := func(g *gray) string {
		if g == nil {
			return "refused"
		}
		return fmt.Sprintf("%dx%d:%x", g.Width, g.Height, sha256.Sum256(g.Pix))
	}
	for _, probe := range []*gray{noiseGray(97, 61, 1), noiseGray(1300, 1250, 2)} {
		for _, crop := range []int{wholeKey, 0} {
			var own [numPrefilters]string
			for p := noPrefilter + 1; p < numPrefilters; p++ {
				own[p] = hash((&decodeRun{b: unlimited()}).filter(p, probe))
			}
			d := &decodeRun{b: unlimited(), cropCache: map[filterKey]*gray{}}
			for p := noPrefilter + 1; p < numPrefilters; p++ {
				first := d.prepare(p, probe, crop)
				if got := hash(first); got != own[p] {
					t.Errorf("%dx%d crop %d, prefilter %d (%s): got %s, want its own output %s", probe.Width, probe.Height, crop, p, prefilters[p].name, got, own[p])
				}
				work := d.b.Work()
				if again := d.prepare(p, probe, crop); again != first || d.b.Work() != work {
					t.Errorf("%dx%d crop %d, prefilter %d (%s): the same prefilter again was recomputed", probe.Width, probe.Height, crop, p, prefilters[p].name)
				}
			}
			if crop != wholeKey {
				if len(d.cropCache) != int(numPrefilters)-1 {
					t.Errorf("%dx%d: %d prefilters kept under %d keys", probe.Width, probe.Height, numPrefilters-1, len(d.cropCache))
				}
				// Every output stays under its own key: a later prefilter
				// did not overwrite an earlier one's.
				for p := noPrefilter + 1; p < numPrefilters; p++ {
					if got := hash(d.prepare(p, probe, crop)); got != own[p] {
						t.Errorf("%dx%d: prefilter %d (%s) was handed another's image", probe.Width, probe.Height, p, prefilters[p].name)
					}
				}
			}
		}
	}
}

// The planner yields the reads in the strategies' order, skips a strategy
// whose prefilter refuses the image's size (charging it, as measured), computes
// a prefilter's output once for consecutive strategies, reads a crop strategy
// on every candidate crop, and stops as soon as the budget cannot pay for the
// next prefilter.
func TestPlanOrderAndBudget(t *testing.T) {
	reads := func(d *decodeRun, strategies []strategy) []string {
		var got []string
		for s, img := range d.plan(strategies) {
			got = append(got, fmt.Sprintf("%s %dx%d", s.Name, img.Width, img.Height))
		}
		return got
	}
	// 420,000 pixels: more than box1+up4 takes, few enough for up2.
	g := noiseGray(700, 600, 1)
	n := int64(len(g.Pix))
	// Built here rather than taken from defaultStrategies, whose lines may go.
	list := []strategy{
		newStrategy(wholeImage, noPrefilter, zxingReader, hybridBinarizer),
		newStrategy(wholeImage, pfBox1Up4Crop, zxingReader, hybridBinarizer),
		newStrategy(wholeImage, pfUp2Small, zxingReader, hybridBinarizer),
		newStrategy(wholeImage, pfMedian3, zxingReader, hybridBinarizer),
		newStrategy(wholeImage, pfMedian3, zxingReader, globalBinarizer),
	}

	d := &decodeRun{g: g, b: unlimited(), cropCache: map[filterKey]*gray{}}
	got := reads(d, list)
	want := []string{"hybrid 700x600", "up2+hybrid 1400x1200", "median3+hybrid 700x600", "median3+global 700x600"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("planned %v, want %v", got, want)
	}
	// box1+up4 refused (charged), up2, median3 once.
	if want := (box1Up4Cost + 2) * n; d.b.Work() != want {
		t.Errorf("charged %d pixel visits, want %d", d.b.Work(), want)
	}

	// Work for box1+up4's and up2's charges but not median3's: the plan ends there.
	b := newBudget(context.Background(), Options{Budget: time.Hour, Work: (box1Up4Cost + 1) * n})
	d = &decodeRun{g: g, b: b, cropCache: map[filterKey]*gray{}}
	got = reads(d, list)
	want = []string{"hybrid 700x600", "up2+hybrid 1400x1200"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") || !errors.Is(failed(b), ErrBudget) {
		t.Errorf("with work for two prefilters planned %v (%v), want %v and the budget spent", got, failed(b), want)
	}

	// A code on a page: a crop strategy is read on each candidate crop, in
	// order, and the crops are found once (one pass charged).
	page := whiteGray(620, 620)
	drawQR(page, qrModules(t, payload(300, 1)), 300, 60, 3)
	d = &decodeRun{g: toGray(page), b: unlimited(), cropCache: map[filterKey]*gray{}}
	got = reads(d, []strategy{
		newStrategy(candidateCrops, noPrefilter, zxingReader, hybridBinarizer),
		newStrategy(candidateCrops, noPrefilter, zxingReader, globalBinarizer),
	})
	want = nil
	for _, name := range []string{"crop+hybrid", "crop+global"} {
		for _, c := range d.regions {
			want = append(want, fmt.Sprintf("%s %dx%d", name, c.Width, c.Height))
		}
	}
	if len(d.regions) == 0 || strings.Join(got, ", ") != strings.Join(want, ", ") || d.b.Work() != 620*620 {
		t.Errorf("crop strategies planned %v (%d pixel visits charged), want %v", got, d.b.Work(), want)
	}
}
