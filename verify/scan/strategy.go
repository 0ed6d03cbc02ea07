package scan

import (
	"fmt"
	"math"
	"strings"

	"github.com/makiuchi-d/gozxing"
)

// Strategy is one way of reading an image, made of independent options: where
// (the whole image or each candidate crop), a filter of the luminance plane, a
// reader (detector and sampler) and a binarizer. Strategies are tried in order
// until one reads a code; to add one, add the images it is for to the gating
// corpus, then add it to DefaultStrategies (see docs/scanning.md).
type Strategy struct {
	// Name identifies the strategy in measurements, e.g. "median3+hybrid". It
	// is derived from the options (newStrategy), never written by hand.
	Name string
	// region applies the strategy to crops of the candidate regions instead of the
	// whole image.
	region bool
	// filter prepares the luminance plane; nil keeps it as is.
	filter *filter
	// reader is the detector and sampler.
	reader reader
	// global selects GlobalHistogramBinarizer instead of HybridBinarizer.
	global bool
}

// reader is how a strategy finds and samples a code in a binarized image.
type reader int

const (
	// byDetector is gozxing's detector on the best finder triples (readOnce).
	byDetector reader = iota
	// byFinders is readFinders: every plausible finder-pattern triple, several
	// dimensions and alignment patterns.
	byFinders
	// byPiecewise is readPiecewise: the finder triples of readFinders, sampled
	// cell by cell between the alignment patterns.
	byPiecewise
	// byDeblur is readDeblurred: Wiener deconvolution for a few estimated motion
	// and defocus blurs, each read by readFinders and readPiecewise.
	byDeblur
)

// readerNames are the readers' parts of a strategy's name.
var readerNames = [...]string{byDetector: "", byFinders: "finders+", byPiecewise: "piecewise+", byDeblur: "deblur+finders+"}

// filter is a transform of the luminance plane. The filter itself is the key
// under which decodeRun keeps its output, so strategies that use one filter
// share its output, and two filters can never be handed each other's image.
type filter struct {
	// name is the filter's part of the strategy's name.
	name string
	// apply returns the filtered plane, or nil when the filter is not for an
	// image of this size.
	apply func(*gray) *gray
	// cost is the work apply does per input pixel, charged to the budget before
	// it runs; 0 means 1 (one pass over the input).
	cost int64
}

// area is where a strategy reads: the whole image or each candidate crop.
type area bool

const (
	wholeImage area = false
	eachCrop   area = true
)

// binarizer is the binarizer a strategy uses.
type binarizer bool

const (
	hybridBinarizer binarizer = false
	globalBinarizer binarizer = true
)

// newStrategy returns the strategy of these options, named after them.
func newStrategy(where area, f *filter, r reader, bin binarizer) Strategy {
	region, global := bool(where), bool(bin)
	var name strings.Builder
	if region {
		name.WriteString("crop+")
	}
	if f != nil {
		name.WriteString(f.name + "+")
	}
	name.WriteString(readerNames[r])
	if global {
		name.WriteString("global")
	} else {
		name.WriteString("hybrid")
	}
	return Strategy{Name: name.String(), region: region, filter: f, reader: r, global: global}
}

// The filters of the default strategies.
var (
	fDown2                = &filter{name: "down2", apply: tfDown2}
	fDown2Crop            = &filter{name: "down2big", apply: tfDown2Big}
	fMax3                 = &filter{name: "max3", apply: tfMax3}
	fMedian3              = &filter{name: "median3", apply: tfMedian}
	fSharpen              = &filter{name: "sharpen", apply: tfSharpen}
	fUp2                  = &filter{name: "up2", apply: tfUp2Small}
	fBox1Up4              = &filter{name: "box1+up4", apply: tfBox1Up4Crop, cost: box1Up4Cost}
	fUp2Sharpen           = &filter{name: "up2+sharpen", apply: tfUp2SharpenCrop, cost: up2SharpenCost}
	fInvert               = &filter{name: "invert", apply: tfInvert}
	fFlattenSharpen       = &filter{name: "flatten+sharpen", apply: tfFlattenSharpen, cost: flattenSharpenCost}
	fInvertFlattenSharpen = &filter{name: "invert+flatten+sharpen", apply: tfInvertFlattenSharpen, cost: flattenSharpenCost + 1}
	fSmall                = &filter{name: "small", apply: tfDeblurWhole}
)

// Transforms used by the default strategies.
var (
	tfInvert = func(g *gray) *gray { return g.inverted() }
	tfMedian = func(g *gray) *gray { return g.median3() }
	tfMax3   = func(g *gray) *gray { return g.morph3(false) }
	// tfDown2Big halves crops of a megapixel or more (close-up phone photos, where
	// modules are 10+ pixels and texture and noise at full size split the finder
	// patterns' runs): the first level of a pyramid.
	tfDown2Big = func(g *gray) *gray {
		if len(g.pix) < 1_000_000 {
			return nil
		}
		return g.downscaled2()
	}
	// tfUp2Small upscales only images small enough that modules may be under 3.5
	// pixels over the whole frame (a 150-dpi A4 page is 2.2 megapixels).
	tfUp2Small = func(g *gray) *gray {
		if len(g.pix) > upSmallMaxPixels {
			return nil
		}
		return g.upscaled(2, false)
	}
	// tfSharpen undoes part of a defocus or motion blur: an unsharp mask
	// about a module wide, the module size estimated from the finder candidates.
	tfSharpen = func(g *gray) *gray {
		if len(g.pix) > sharpenMaxPixels {
			return nil
		}
		r := 3
		// The transform's cost (flattenSharpenCost and the others that include
		// it) pays for the estimate.
		if ms := moduleSizeEstimate(g, nil); ms > 0 {
			r = min(max(int(math.Round(ms*0.6)), 1), 6)
		}
		return g.unsharp(r, 1.5)
	}
	// tfBox1Up4Crop smooths a crop small enough to hold a code at about 2.5 px a
	// module (a 100-dpi code is 0.16 MP, a 150-dpi one 0.36 MP) over 3×3 and
	// enlarges it 4× (bilinear).
	tfBox1Up4Crop = func(g *gray) *gray {
		if len(g.pix) > box1Up4MaxPixels {
			return nil
		}
		return g.boxBlur(1).upscaled(4, false)
	}
	// tfUp2SharpenCrop enlarges a crop small enough to hold a code at under 3
	// pixels a module (a webcam frame's crop, under 1.5 MP) and sharpens it with a
	// mask about a module wide at the new scale: at 2 px a module bilinear
	// enlargement alone leaves the finder patterns' 1:1:3:1:1 runs too soft to
	// binarize.
	tfUp2SharpenCrop = func(g *gray) *gray {
		if len(g.pix) > sharpenMaxPixels {
			return nil
		}
		return g.upscaled(2, false).unsharp(2, 1)
	}
	// tfFlattenSharpen evens out the lighting of a webcam-sized crop (gray.flattened,
	// over a box a twentieth of the crop's side: several modules of any code that
	// fills a fair part of it) and then sharpens it as tfSharpen does. A glare spot
	// on a phone screen lifts the dark modules under it towards the white ones, and
	// with the screen's blur on top the finder pattern there loses its inner white
	// ring in HybridBinarizer's block thresholds.
	tfFlattenSharpen = func(g *gray) *gray {
		if len(g.pix) > sharpenMaxPixels {
			return nil
		}
		r := min(max(min(g.Width, g.Height)/20, 8), 127)
		return tfSharpen(g.flattened(r))
	}
	// tfInvertFlattenSharpen is tfFlattenSharpen on the inverted crop: glare on a
	// dark-mode screen.
	tfInvertFlattenSharpen = invertedFirst(tfFlattenSharpen)
	// tfDeblurWhole passes on only images small enough to deconvolve whole
	// (deblurWholeMaxArea); larger ones are deconvolved crop by crop.
	tfDeblurWhole = func(g *gray) *gray {
		if fftSideAtLeast(g.Width+8)*fftSideAtLeast(g.Height+8) > deblurWholeMaxArea {
			return nil
		}
		return g
	}
	// tfDown2 halves huge images (phone photos) whose noise and texture at full size
	// confuse the binarizer, and makes reading them faster.
	tfDown2 = func(g *gray) *gray {
		if len(g.pix) < downMinPixels {
			return nil
		}
		return g.downscaled2()
	}
)

// invertedFirst returns tf applied to the inverted crop, for the webcam-sized
// crops (sharpenMaxPixels) that the sharpening transforms take: larger ones are
// refused before they are inverted.
func invertedFirst(tf func(*gray) *gray) func(*gray) *gray {
	return func(g *gray) *gray {
		if len(g.pix) > sharpenMaxPixels {
			return nil
		}
		return tf(g.inverted())
	}
}

const (
	// downMinPixels is the size from which halving is tried: 4 megapixels (a 150-dpi
	// A4 scan is 2.2 MP and has no pixels to spare).
	downMinPixels = 4_000_000
	// upSmallMaxPixels is the largest whole image the up2 fallback enlarges: a
	// 150- or 200-dpi A4 scan (2.2 or 3.9 MP) is where modules get small; a 300-dpi page has big
	// modules and would cost 35 MP of work.
	upSmallMaxPixels = 4_500_000
	// sharpenMaxPixels is the largest crop the webcam strategies (sharpen, 2×
	// enlargement before piecewise sampling) work on: a 1280×720 frame is 0.9 MP;
	// the crops of 12 MP phone photos, which these do not help, are larger.
	sharpenMaxPixels = 1_500_000
	// up2SharpenCost is tfUp2SharpenCrop's work per input pixel: the 2× enlargement
	// writes 4 pixels, the unsharp mask's box blur and difference pass 3 times over them.
	up2SharpenCost = 16
	// box1Up4MaxPixels is the largest crop tfBox1Up4Crop enlarges: 16× the pixels
	// are made, so 6.4 MP at most.
	box1Up4MaxPixels = 400_000
	// box1Up4Cost is tfBox1Up4Crop's work per input pixel: the box blur's two
	// passes and the 16 pixels the enlargement writes.
	box1Up4Cost = 18
	// flattenSharpenCost is tfFlattenSharpen's work per input pixel: a box blur and
	// a division for the flattening, the module size estimate's binarization and
	// finder scan, and the unsharp mask's box blur and difference.
	flattenSharpenCost = 8
)

// DefaultStrategies returns the strategies Decode uses, in order: each one
// reads some image of the gating corpus (testdata) that no other reads
// (TestStrategyAblation), and they run cheapest and most often successful
// first: whole-image reads, then filters on crops of the candidate regions
// (candidateRegions: the busy squares where a code probably is), then the
// enlargements, screen and blur strategies of webcams and phones. The slice is
// new on every call; callers may reorder or extend it.
func DefaultStrategies() []Strategy {
	return []Strategy{
		// A page of 4 MP or more (a 300-dpi scan, a phone photo) halved first:
		// a code that fills a fair part of a page has modules of 5 pixels or
		// more there, and the binarizer's pass over a quarter of the pixels
		// is most of the cost of reading a clean page. Texture and noise of a
		// 12 MP photo at full size also split the finder patterns' runs.
		newStrategy(wholeImage, fDown2, byDetector, hybridBinarizer),
		// The whole image as it is: a clean scan of up to 4 MP (150 and 200
		// dpi) or a screenshot, read in one pass.
		newStrategy(wholeImage, nil, byDetector, hybridBinarizer),
		// One threshold for the whole image: faded toner, whose light dark
		// modules the hybrid binarizer's blocks split.
		newStrategy(wholeImage, nil, byDetector, globalBinarizer),
		// Crops of close-up phone photos, halved (see tfDown2Big).
		newStrategy(eachCrop, fDown2Crop, byFinders, hybridBinarizer),
		// Ink spread and dot gain on a low-contrast print: a 3×3 maximum of the
		// crop thins the dark modules back, thresholded globally.
		newStrategy(eachCrop, fMax3, byDetector, globalBinarizer),
		// Dust and toner specks: a 3×3 median of the whole image.
		newStrategy(wholeImage, fMedian3, byDetector, hybridBinarizer),
		// Defocus: an unsharp mask about a module wide (tfSharpen), then every
		// plausible finder triple.
		newStrategy(eachCrop, fSharpen, byFinders, hybridBinarizer),
		// Modules under 3.5 pixels on a page of up to 4.5 MP (a dense code at
		// 150 dpi, a crumpled or copied page): enlarged 2×, sampled cell by
		// cell between the alignment patterns.
		newStrategy(wholeImage, fUp2, byPiecewise, hybridBinarizer),
		// A 100-dpi scan (about 2.5 px a module, often thresholded to black and
		// white by the scanner) or a copy of a copy: nearest-pixel sampling of
		// module centres and the finder patterns' run lengths both work in whole
		// pixels, which at this size is 40% of a module. A light blur and a 4×
		// bilinear enlargement give them sub-pixel positions and grey levels.
		newStrategy(eachCrop, fBox1Up4, byFinders, hybridBinarizer),
		// Codes at 1.5–3 pixels a module in a webcam frame: the crop enlarged,
		// then sharpened to undo the interpolation's and the lens's softness.
		// The enlarged crop is 4× the pixels and the mask 3 passes over it.
		newStrategy(eachCrop, fUp2Sharpen, byPiecewise, hybridBinarizer),
		// Light modules on a dark ground (a phone in dark mode), whole.
		newStrategy(wholeImage, fInvert, byDetector, hybridBinarizer),
		// A glare spot or shadow over part of a blurred code: the crop's
		// lighting evened out, sharpened, and one threshold for the whole crop,
		// where the hybrid binarizer's blocks inside a glare spot still see
		// washed-out dark modules as light.
		newStrategy(eachCrop, fFlattenSharpen, byPiecewise, globalBinarizer),
		// The same for a dark-mode screen, inverted first: flattening divides by the
		// local mean, which on light modules over black is the noise of the black.
		newStrategy(eachCrop, fInvertFlattenSharpen, byPiecewise, globalBinarizer),
		// Defocus and motion too strong for the unsharp mask: the crop
		// deconvolved for a few estimated blurs. Last, as the most expensive: tens
		// of milliseconds a candidate, and only crops of webcam size.
		newStrategy(eachCrop, nil, byDeblur, hybridBinarizer),
		// A small image whose blur hid the code from candidateRegions is
		// deconvolved whole (readDeblurred leaves larger ones alone).
		newStrategy(wholeImage, fSmall, byDeblur, hybridBinarizer),
	}
}

// decodeHints ask the reader to spend more time looking (denser row scan).
var decodeHints = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}

// decodeGray runs the strategies over g and returns the deduplicated codes of the
// first strategy that reads anything, and that strategy's name. It checks b before
// every strategy and on every crop, and returns b's *BudgetError when it runs out.
func decodeGray(g *gray, strategies []Strategy, b *budget) ([]Code, string, error) {
	d := &decodeRun{g: g, b: b, cropCache: map[cropKey]*gray{}}
	for _, s := range strategies {
		if !b.ok() {
			break
		}
		var codes []Code
		if s.region {
			codes = d.tryRegions(s)
		} else {
			codes = d.tryWhole(s)
		}
		if len(codes) > 0 {
			return codes, s.Name, nil
		}
	}
	if err := b.failed(); err != nil {
		return nil, "", err
	}
	if d.failure != nil {
		return nil, "", fmt.Errorf("%w (reader: %v)", ErrNoBarcode, d.failure)
	}
	return nil, "", ErrNoBarcode
}

// decodeRun is the state of one decodeGray call: the transformed images shared by
// consecutive strategies and the first internal reader failure.
type decodeRun struct {
	g          *gray
	b          *budget
	failure    error
	lastFilter *filter
	lastImg    *gray
	regions    []*gray
	regionsOK  bool
	// Transformed crops are small; keep them all so strategies sharing a
	// transform do not recompute it.
	cropCache map[cropKey]*gray
}

// cropKey names a filtered crop: the crop's index and the filter.
type cropKey struct {
	crop   int
	filter *filter
}

// filter applies f to img, charging the budget for f's work first.
func (d *decodeRun) filter(f *filter, img *gray) *gray {
	if !d.b.spend(max(f.cost, 1) * int64(len(img.pix))) {
		return nil
	}
	return f.apply(img)
}

func (d *decodeRun) try(img *gray, s Strategy) []Code {
	read := readOnce
	switch s.reader {
	case byFinders:
		read = readFinders
	case byPiecewise:
		read = readPiecewise
	case byDeblur:
		read = readDeblurred
	}
	codes, err := read(img, s.global, d.b)
	if err != nil && d.failure == nil {
		d.failure = err
	}
	return codes
}

func (d *decodeRun) tryRegions(s Strategy) []Code {
	if !d.regionsOK {
		d.regionsOK = true
		if !d.b.spend(int64(len(d.g.pix))) {
			return nil
		}
		for _, r := range candidateRegions(d.g) {
			d.regions = append(d.regions, d.g.crop(r))
		}
	}
	for i, c := range d.regions {
		img := c
		if s.filter != nil {
			key := cropKey{i, s.filter}
			var ok bool
			if img, ok = d.cropCache[key]; !ok {
				img = d.filter(s.filter, c)
				d.cropCache[key] = img
			}
			if img == nil {
				continue
			}
		}
		if codes := d.try(img, s); len(codes) > 0 || !d.b.ok() {
			return codes
		}
	}
	return nil
}

func (d *decodeRun) tryWhole(s Strategy) []Code {
	img := d.g
	if s.filter != nil {
		if s.filter != d.lastFilter {
			d.lastImg, d.lastFilter = d.filter(s.filter, d.g), s.filter
		}
		img = d.lastImg
		if img == nil {
			return nil
		}
	}
	return d.try(img, s)
}
