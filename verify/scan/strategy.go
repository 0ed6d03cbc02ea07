package scan

import (
	"fmt"
	"iter"
	"math"
	"strings"

	"github.com/makiuchi-d/gozxing"

	"passport/verify/scan/internal/detect"
	"passport/verify/scan/internal/raster"
)

// strategy is one way of reading an image, made of four independent options:
// where it reads (the whole image or each candidate crop), a prefilter of the
// luminance plane, a detector and sampler, and a binarizer. Its name and its
// prefilter's cache key are derived from the options, never written by hand.
// The planner (plan) tries strategies in order until one reads a code; to add
// one, add the images it is for to the gating corpus, then a line to
// defaultStrategies, and measure it (see docs/scanning.md).
type strategy struct {
	// Name identifies the strategy in measurements, e.g. "crop+median3+hybrid":
	// its options' names joined by "+" (newStrategy).
	Name      string
	region    region
	prefilter prefilter
	sampler   sampler
	binarizer binarizer
}

// region is where a strategy reads.
type region uint8

const (
	// wholeImage reads the image as it is.
	wholeImage region = iota
	// candidateCrops reads each crop of detect.Regions (the busy squares where
	// a code probably is), in their order, until one reads.
	candidateCrops
)

// sampler is the detector and sampler: how a strategy finds and samples a code
// in the binarized image.
type sampler uint8

const (
	// zxingReader is gozxing's detector and sampler (detect.Read).
	zxingReader sampler = iota
	// finderTriples is detect.ReadFinders: every plausible finder-pattern triple,
	// several dimensions and alignment patterns.
	finderTriples
	// piecewiseSampling is detect.ReadPiecewise: the finder triples of detect.ReadFinders,
	// sampled cell by cell between the alignment patterns.
	piecewiseSampling
	// deblurred is detect.ReadDeblurred: Wiener deconvolution for a few estimated
	// motion and defocus blurs, each read by detect.ReadFinders and detect.ReadPiecewise.
	deblurred
)

// binarizer is the binarizer a strategy's sampler reads through.
type binarizer uint8

const (
	// hybridBinarizer is gozxing's HybridBinarizer (local block thresholds).
	hybridBinarizer binarizer = iota
	// globalBinarizer is gozxing's GlobalHistogramBinarizer (one threshold a row).
	globalBinarizer
)

// newStrategy returns the strategy of these options, named after them: "crop"
// for candidateCrops, the prefilter's name, the sampler's, then "hybrid" or
// "global".
func newStrategy(r region, p prefilter, d sampler, b binarizer) strategy {
	var parts []string
	if r == candidateCrops {
		parts = append(parts, "crop")
	}
	if name := prefilters[p].name; name != "" {
		parts = append(parts, name)
	}
	switch d {
	case finderTriples:
		parts = append(parts, "finders")
	case piecewiseSampling:
		parts = append(parts, "piecewise")
	case deblurred:
		parts = append(parts, "deblur", "finders")
	}
	switch b {
	case globalBinarizer:
		parts = append(parts, "global")
	default:
		parts = append(parts, "hybrid")
	}
	return strategy{Name: strings.Join(parts, "+"), region: r, prefilter: p, sampler: d, binarizer: b}
}

// prefilter names one transform of the luminance plane made before the
// binarizer; its definition is prefilters[p]. The value itself, with the image
// it ran on, is the cache key of its output (filterKey), so strategies that use
// one prefilter share its output and two prefilters can never be handed each
// other's image, whatever their names.
type prefilter uint8

// The prefilters of the default strategies. A name may be shared by two
// prefilters that differ in the images they take or in their cost (a crop's
// and a whole image's version): the value, not the name, is the cache key.
const (
	noPrefilter prefilter = iota
	pfBox2
	pfMedian3
	pfBox1Down2
	pfRot90
	pfUp2Small
	pfSharpen
	pfInvert
	pfBox1Up4Crop
	pfUp2SharpenCrop
	pfFlattenSharpen
	pfInvertFlattenSharpen
	pfDeblurWhole
	numPrefilters
)

// prefilterDef is what a prefilter does.
type prefilterDef struct {
	// name is the prefilter's part of a strategy's name ("box1+up4"); empty for
	// none and for a prefilter that only selects images (pfDeblurWhole).
	name string
	// apply transforms the plane; nil keeps it as is.
	apply func(*gray) *gray
	// fits reports whether the prefilter is for an image of this size; nil
	// means any size. It is the only place a prefilter refuses an image.
	fits func(*gray) bool
	// cost is apply's work per input pixel, charged to the budget before fits
	// and apply run (decodeRun.prepare).
	cost int64
}

// prefilters defines every prefilter, indexed by its value.
var prefilters = [numPrefilters]prefilterDef{
	noPrefilter: {cost: 0},
	pfBox2:      {name: "box2", apply: func(g *gray) *gray { return g.BoxBlur(2) }, cost: 1},
	pfRot90:     {name: "rot90", apply: func(g *gray) *gray { return g.Rotated90() }, cost: 1},
	// Dust and toner specks.
	pfMedian3: {name: "median3", apply: func(g *gray) *gray { return g.Median3() }, cost: 1},
	// Light modules on a dark ground (a phone in dark mode).
	pfInvert:    {name: "invert", apply: func(g *gray) *gray { return g.Inverted() }, cost: 1},
	pfBox1Down2: {name: "box1+down2", apply: func(g *gray) *gray { return g.BoxBlur(1).Downscaled2() }, cost: 1},
	// Small modules (under ~3.5 px each) enlarged so the finder patterns'
	// run-length checks have pixels to work with, on whole images small enough
	// that modules may be that small over the whole frame (a 150-dpi A4 page is
	// 2.2 megapixels).
	pfUp2Small: {name: "up2", apply: doubled, fits: pixelsAtMost(upSmallMaxPixels), cost: 1},
	// Part of a defocus or motion blur undone: an unsharp mask about a module
	// wide, on webcam-sized crops.
	pfSharpen: {name: "sharpen", apply: sharpened, fits: pixelsAtMost(sharpenMaxPixels), cost: 1},
	// A crop small enough to hold a code at about 2.5 px a module (a 100-dpi
	// code is 0.16 MP, a 150-dpi one 0.36 MP) smoothed over 3×3 and enlarged
	// 4× (bilinear).
	pfBox1Up4Crop: {name: "box1+up4", apply: func(g *gray) *gray { return g.BoxBlur(1).Upscaled(4, false) }, fits: pixelsAtMost(box1Up4MaxPixels), cost: box1Up4Cost},
	// A webcam-sized crop (up to sharpenMaxPixels) enlarged and sharpened: at 2 px
	// a module bilinear enlargement alone leaves the finder patterns' 1:1:3:1:1
	// runs too soft to binarize, and the whole-frame up2+sharpen depends on
	// where the binarizer's 8-pixel blocks fall on the code.
	pfUp2SharpenCrop: {name: "up2+sharpen", apply: doubledSharpened, fits: pixelsAtMost(sharpenMaxPixels), cost: up2SharpenCost},
	// The lighting of a webcam-sized crop evened out (raster's Flattened, over a box
	// a twentieth of the crop's side: several modules of any code that fills a
	// fair part of it), then sharpened. A glare spot on a phone screen lifts the
	// dark modules under it towards the white ones, and with the screen's blur
	// on top the finder pattern there loses its inner white ring in
	// HybridBinarizer's block thresholds.
	pfFlattenSharpen: {name: "flatten+sharpen", apply: flattenedSharpened, fits: pixelsAtMost(sharpenMaxPixels), cost: flattenSharpenCost},
	// The same on the inverted crop: glare on a dark-mode screen.
	pfInvertFlattenSharpen: {name: "invert+flatten+sharpen", apply: func(g *gray) *gray { return flattenedSharpened(g.Inverted()) }, fits: pixelsAtMost(sharpenMaxPixels), cost: flattenSharpenCost + 1},
	// Only images small enough to deconvolve whole (deblurWholeMaxArea) pass;
	// larger ones are deconvolved crop by crop.
	pfDeblurWhole: {fits: func(g *gray) bool {
		return raster.FFTSideAtLeast(g.Width+8)*raster.FFTSideAtLeast(g.Height+8) <= deblurWholeMaxArea
	}, cost: 1},
}

// pixelsAtMost is the size limit of most prefilters' fits.
func pixelsAtMost(n int) func(*gray) bool { return func(g *gray) bool { return len(g.Pix) <= n } }

// The transforms the prefilters share.
func doubled(g *gray) *gray          { return g.Upscaled(2, false) }
func doubledSharpened(g *gray) *gray { return g.Upscaled(2, false).Unsharp(2, 1) }

// sharpened is g under an unsharp mask about a module wide, the module size
// estimated from the finder candidates.
func sharpened(g *gray) *gray {
	r := 3
	// The prefilter's cost (flattenSharpenCost and the others that include it)
	// pays for the estimate.
	if ms := detect.ModuleSize(g, nil); ms > 0 {
		r = min(max(int(math.Round(ms*0.6)), 1), 6)
	}
	return g.Unsharp(r, 1.5)
}

// flattenedSharpened evens out g's lighting over a box a twentieth of its
// side, then sharpens it.
func flattenedSharpened(g *gray) *gray {
	r := min(max(min(g.Width, g.Height)/20, 8), 127)
	return sharpened(g.Flattened(r))
}

const (
	// upSmallMaxPixels is the largest whole image the up2 fallback enlarges: a
	// 150- or 200-dpi A4 scan (2.2 or 3.9 MP) is where modules get small; a 300-dpi page has big
	// modules and would cost 35 MP of work.
	upSmallMaxPixels = 4_500_000
	// sharpenMaxPixels is the largest crop the webcam strategies (sharpen, 2×
	// enlargement before piecewise sampling) work on: a 1280×720 frame is 0.9 MP;
	// the crops of 12 MP phone photos, which these do not help, are larger.
	sharpenMaxPixels = 1_500_000
	// up2SharpenCost is pfUp2SharpenCrop's work per input pixel: the 2× enlargement
	// writes 4 pixels, the unsharp mask's box blur and difference pass 3 times over them.
	up2SharpenCost = 16
	// box1Up4MaxPixels is the largest crop pfBox1Up4Crop enlarges: 16× the pixels
	// are made, so 6.4 MP at most.
	box1Up4MaxPixels = 400_000
	// box1Up4Cost is pfBox1Up4Crop's work per input pixel: the box blur's two
	// passes and the 16 pixels the enlargement writes.
	box1Up4Cost = 18
	// flattenSharpenCost is pfFlattenSharpen's work per input pixel: a box blur and
	// a division for the flattening, the module size estimate's binarization and
	// finder scan, and the unsharp mask's box blur and difference.
	flattenSharpenCost = 8
	// deblurWholeMaxArea is the largest padded whole image deconvolved (besides
	// its crops): 512×512, a small image where detect.Regions may miss a code
	// whose blur lowered its blocks' contrast. Larger frames have crops.
	deblurWholeMaxArea = 512 * 512
)

// defaultStrategies returns the strategies Decode uses, one a line (each line's
// comment is its derived name), in the planner's order of expected value per
// cost: one threshold over the whole image (clean scans and screenshots, and
// faded toner the hybrid binarizer's blocks split), then crops of the
// candidate regions (detect.Regions: the busy squares where a code probably
// is) with a few prefilters, whole-image fallbacks for codes the region finder
// missed, then the expensive webcam, phone-screen and deblurring strategies.
// Each is there because some image of the gating corpus is read by it and by
// no other (TestStrategyAblation fails otherwise); the order was set by hand
// from the reads each adds first on that corpus and its time in make
// bench-scan (docs/scanning.md). The slice is new on every call; callers may
// reorder, filter or extend it.
//
// Each prefilter answers a failure mode measured on damaged scans: box blur
// for sensor noise and faded toner, the median for specks, a blur then
// halving for noise at 300 dpi, a quarter turn for codes the binarizer's rows
// cut badly, enlargement for modules under ~3.5 pixels.
func defaultStrategies() []strategy {
	return []strategy{
		newStrategy(wholeImage, noPrefilter, zxingReader, globalBinarizer),      // global
		newStrategy(candidateCrops, pfBox1Down2, zxingReader, hybridBinarizer),  // crop+box1+down2+hybrid
		newStrategy(candidateCrops, pfRot90, zxingReader, hybridBinarizer),      // crop+rot90+hybrid
		newStrategy(candidateCrops, pfBox2, piecewiseSampling, hybridBinarizer), // crop+box2+piecewise+hybrid
		newStrategy(wholeImage, pfMedian3, zxingReader, globalBinarizer),        // median3+global
		newStrategy(wholeImage, pfBox2, zxingReader, hybridBinarizer),           // box2+hybrid
		newStrategy(wholeImage, pfBox2, zxingReader, globalBinarizer),           // box2+global
		newStrategy(wholeImage, pfUp2Small, zxingReader, globalBinarizer),       // up2+global
		// Webcam and phone-screen damage: defocus and motion blur, codes
		// at 1.5–3 pixels a module, dark-mode screens. After the whole-image
		// fallbacks, so the scans those read (a dense code at 150 dpi needs up2) do not
		// wait for these.
		newStrategy(candidateCrops, pfSharpen, finderTriples, hybridBinarizer),  // crop+sharpen+finders+hybrid
		newStrategy(wholeImage, pfUp2Small, piecewiseSampling, hybridBinarizer), // up2+piecewise+hybrid
		// A 100-dpi scan (about 2.5 px a module, often thresholded to black and
		// white by the scanner): nearest-pixel sampling of module centres and the
		// finder patterns' run lengths both work in whole pixels, which at this
		// size is 40% of a module. A light blur and a 4× bilinear enlargement give
		// them sub-pixel positions and grey levels to work with.
		newStrategy(candidateCrops, pfBox1Up4Crop, finderTriples, hybridBinarizer), // crop+box1+up4+finders+hybrid
		// Codes at 1.5–3 pixels a module in a webcam frame: the candidate crops
		// enlarged, then sharpened to undo the interpolation's and the lens's
		// softness. The enlarged crop is 4× the pixels and the mask 3 passes over it.
		newStrategy(candidateCrops, pfUp2SharpenCrop, piecewiseSampling, hybridBinarizer), // crop+up2+sharpen+piecewise+hybrid
		newStrategy(wholeImage, pfInvert, zxingReader, hybridBinarizer),                   // invert+hybrid
		// Uneven lighting the binarizers' block thresholds do not absorb: a glare
		// spot or shadow over part of a blurred code, flattened and sharpened.
		// Once the lighting is even one threshold fits the whole crop, where the
		// hybrid binarizer's blocks inside a glare spot still see washed-out dark
		// modules as light.
		newStrategy(candidateCrops, pfFlattenSharpen, piecewiseSampling, globalBinarizer), // crop+flatten+sharpen+piecewise+global
		// The same for a dark-mode screen, inverted first: flattening divides by the
		// local mean, which on light modules over black is the noise of the black.
		newStrategy(candidateCrops, pfInvertFlattenSharpen, piecewiseSampling, globalBinarizer), // crop+invert+flatten+sharpen+piecewise+global
		// Defocus and motion too strong for the unsharp mask: the crop
		// deconvolved for a few estimated blurs. Last, as the most expensive: tens
		// of milliseconds a candidate, and only crops of webcam size.
		newStrategy(candidateCrops, noPrefilter, deblurred, hybridBinarizer), // crop+deblur+finders+hybrid
		// A small image whose blur hid the code from detect.Regions is
		// deconvolved whole (detect.ReadDeblurred leaves larger ones alone).
		newStrategy(wholeImage, pfDeblurWhole, deblurred, hybridBinarizer), // deblur+finders+hybrid
	}
}

// decodeGray runs the strategies over g and returns the deduplicated codes of the
// first strategy that reads anything, and that strategy's name. It checks b before
// every strategy and on every crop, and returns b's *BudgetError when it runs out.
func decodeGray(g *gray, strategies []strategy, b *budget) ([]Code, string, error) {
	d := &decodeRun{g: g, b: b, cropCache: map[filterKey]*gray{}}
	for s, img := range d.plan(strategies) {
		if codes := d.read(s, img); len(codes) > 0 {
			return codes, s.Name, nil
		}
	}
	if err := failed(b); err != nil {
		return nil, "", err
	}
	if d.failure != nil {
		return nil, "", fmt.Errorf("%w (reader: %v)", ErrNoBarcode, d.failure)
	}
	return nil, "", ErrNoBarcode
}

// plan is the planner: it yields the reads to try on d.g, in order, each a
// strategy and the image it reads (the whole image or one candidate crop, with
// the strategy's prefilter applied), while the budget lasts. It is the one
// place that decides whether a strategy applies to an image (the prefilter's
// fits, through prepare) and whether it is affordable: the budget is checked
// before every strategy and after every read of a crop, and each prefilter's
// cost is charged before it runs.
//
// The order is that of strategies. For defaultStrategies it follows expected
// value per cost: a strategy belongs before another when the reads it is
// expected to add (the images it reads that the strategies before it miss: on
// the gating corpus, TestStrategyAblation's reads, alone and first counts) per
// pixel visit and millisecond it spends (its prefilter's cost and its reader's,
// timed by make bench-scan) are higher. That order was set by hand from those
// measurements as strategies were added; the planner takes it as given and does
// not reorder at run time. A strategy whose prefilter refuses an image's size
// costs only the prefilter's charge.
func (d *decodeRun) plan(strategies []strategy) iter.Seq2[strategy, *gray] {
	return func(yield func(strategy, *gray) bool) {
		for _, s := range strategies {
			if !d.b.OK() {
				return
			}
			switch s.region {
			case wholeImage:
				if img := d.prepare(s.prefilter, d.g, wholeKey); img != nil && !yield(s, img) {
					return
				}
			case candidateCrops:
				for i, c := range d.crops() {
					img := d.prepare(s.prefilter, c, i)
					if img == nil {
						continue
					}
					if !yield(s, img) {
						return
					}
					if !d.b.OK() {
						break
					}
				}
			}
		}
	}
}

// read reads img with s's sampler and binarizer, keeping the first internal
// reader failure for the error message.
func (d *decodeRun) read(s strategy, img *gray) []Code {
	read := detect.Read
	switch s.sampler {
	case finderTriples:
		read = detect.ReadFinders
	case piecewiseSampling:
		read = detect.ReadPiecewise
	case deblurred:
		read = detect.ReadDeblurred
	}
	texts, err := read(img, s.binarizer == globalBinarizer, d.b)
	if err != nil && d.failure == nil {
		d.failure = err
	}
	return qrCodes(texts)
}

// qrCodes are the Codes of the texts a reader of package detect decoded, all QR
// codes.
func qrCodes(texts []string) []Code {
	var codes []Code
	for _, t := range texts {
		codes = append(codes, Code{Text: t, Format: gozxing.BarcodeFormat_QR_CODE.String()})
	}
	return codes
}

// decodeRun is the state of one decodeGray call: the candidate crops, the
// prefiltered images shared by strategies and the first internal reader failure.
type decodeRun struct {
	g         *gray
	b         *budget
	failure   error
	regions   []*gray
	regionsOK bool
	// The whole image's last prefiltered version: strategies that share a
	// prefilter on the whole image are consecutive, and a whole image's copy
	// can be large.
	lastKey filterKey
	lastImg *gray
	// Prefiltered crops are small; keep them all so strategies sharing a
	// prefilter do not recompute it.
	cropCache map[filterKey]*gray
}

// wholeKey is the crop index of filterKey for the whole image.
const wholeKey = -1

// filterKey is the cache key of a prefilter's output: the prefilter and the
// image it ran on (a candidate crop's index, or wholeKey). It is derived from
// the options, so two prefilters can never share one.
type filterKey struct {
	prefilter prefilter
	crop      int
}

// crops returns the candidate crops of d.g, computing them on first use; none
// when the budget cannot pay for the search.
func (d *decodeRun) crops() []*gray {
	if !d.regionsOK {
		d.regionsOK = true
		if !d.b.Spend(int64(len(d.g.Pix))) {
			return nil
		}
		for _, r := range detect.Regions(d.g) {
			d.regions = append(d.regions, d.g.Cropped(r))
		}
	}
	return d.regions
}

// prepare returns img under prefilter p, or nil when p does not fit img or the
// budget cannot pay for it. The output, nil included, is kept under
// filterKey{p, crop}. The cost is charged before fits is asked, as when the
// reads of defaultStrategies were measured, so a refused image costs the same
// as one filtered.
func (d *decodeRun) prepare(p prefilter, img *gray, crop int) *gray {
	if p == noPrefilter {
		return img
	}
	key := filterKey{p, crop}
	if crop == wholeKey {
		if key != d.lastKey {
			d.lastImg, d.lastKey = d.filter(p, img), key
		}
		return d.lastImg
	}
	out, ok := d.cropCache[key]
	if !ok {
		out = d.filter(p, img)
		d.cropCache[key] = out
	}
	return out
}

// filter charges p's cost for img to the budget, then applies p if it fits.
func (d *decodeRun) filter(p prefilter, img *gray) *gray {
	def := prefilters[p]
	if !d.b.Spend(max(def.cost, 1) * int64(len(img.Pix))) {
		return nil
	}
	if def.fits != nil && !def.fits(img) {
		return nil
	}
	if def.apply == nil {
		return img
	}
	return def.apply(img)
}
