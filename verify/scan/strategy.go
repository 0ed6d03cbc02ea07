package scan

import (
	"fmt"
	"math"

	"github.com/makiuchi-d/gozxing"
)

// Strategy is one way of preparing an image for the QR reader: a transform of the
// luminance plane followed by a binarizer. Strategies are tried in order until one
// reads a code; to add one, append to DefaultStrategies and measure it on the corpus.
type Strategy struct {
	// Name identifies the strategy in measurements, e.g. "median3+hybrid".
	Name string
	// transform prepares the luminance plane; nil keeps it as is. It returns nil when
	// the strategy does not apply to an image of this size.
	transform func(*gray) *gray
	// transformKey names the transform so consecutive strategies share its output.
	transformKey string
	// global selects GlobalHistogramBinarizer instead of HybridBinarizer.
	global bool
	// region applies the strategy to crops of the candidate regions instead of the
	// whole image.
	region bool
	// finders reads with readFinders (every plausible finder-pattern triple, several
	// dimensions and alignment patterns) instead of gozxing's readers.
	finders bool
	// piecewise reads with readPiecewise (the finder triples of readFinders, sampled
	// cell by cell between the alignment patterns) instead of gozxing's readers.
	piecewise bool
	// deblur reads with readDeblurred (Wiener deconvolution of the crop for a few
	// estimated motion and defocus blurs, each read by readFinders and
	// readPiecewise).
	deblur bool
	// transformCost is the work the transform does per input pixel, charged to the
	// budget before it runs; 0 means 1 (one pass over the input).
	transformCost int64
}

// Transforms used by the default strategies.
var (
	tfInvert    = func(g *gray) *gray { return g.inverted() }
	tfRot90     = func(g *gray) *gray { return g.rotated90() }
	tfMedian    = func(g *gray) *gray { return g.median3() }
	tfBox2      = func(g *gray) *gray { return g.boxBlur(2) }
	tfBox1Down2 = func(g *gray) *gray { return g.boxBlur(1).downscaled2() }
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
		// The transform's cost (invertSharpenCost and the others that include
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
	// tfUp2SharpenCrop enlarges a webcam-sized crop (see tfUp2SmallCrop) and
	// sharpens it with a mask about a module wide at the new scale: at 2 px a module
	// bilinear enlargement alone leaves the finder patterns' 1:1:3:1:1 runs too soft
	// to binarize, and the whole-frame up2+sharpen depends on
	// where the binarizer's 8-pixel blocks fall on the code.
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

// DefaultStrategies returns the strategies Decode uses, in the order they are
// tried: the whole image with a global threshold first, then filters on the whole
// image or on crops of the candidate regions (candidateRegions: the busy squares
// where a code probably is), the costly ones for webcam frames and screens last.
// The slice is new on every call; callers may reorder or extend it.
//
// Each filter answers a failure mode measured on the fixtures/degrade corpus (see
// docs/scanning.md): box blur for sensor noise and faded toner, the median for specks,
// upscaling for modules under ~3.5 pixels. Each strategy reads some image of the
// gating corpus that no other reads (TestStrategyAblation).
func DefaultStrategies() []Strategy {
	return []Strategy{
		{Name: "global", global: true},
		{Name: "crop+box1+down2+hybrid", region: true, transform: tfBox1Down2, transformKey: "box1down2"},
		{Name: "crop+rot90+hybrid", region: true, transform: tfRot90, transformKey: "rot90"},
		{Name: "crop+box2+piecewise+hybrid", region: true, piecewise: true, transform: tfBox2, transformKey: "box2"},
		{Name: "median3+global", transform: tfMedian, transformKey: "median3", global: true},
		{Name: "box2+hybrid", transform: tfBox2, transformKey: "box2"},
		{Name: "box2+global", transform: tfBox2, transformKey: "box2", global: true},
		{Name: "up2+global", transform: tfUp2Small, transformKey: "up2small", global: true},
		// Webcam and phone-screen damage: defocus and motion blur, codes
		// at 1.5–3 pixels a module, dark-mode screens. After the older whole-image
		// fallbacks, so the scans those read (a dense code at 150 dpi needs up2) do not
		// wait for these.
		{Name: "crop+sharpen+finders+hybrid", region: true, finders: true, transform: tfSharpen, transformKey: "sharpen"},
		{Name: "up2+piecewise+hybrid", piecewise: true, transform: tfUp2Small, transformKey: "up2small"},
		// A 100-dpi scan (about 2.5 px a module, often thresholded to black and
		// white by the scanner): nearest-pixel sampling of module centres and the
		// finder patterns' run lengths both work in whole pixels, which at this
		// size is 40% of a module. A light blur and a 4× bilinear enlargement give
		// them sub-pixel positions and grey levels to work with.
		{Name: "crop+box1+up4+finders+hybrid", region: true, finders: true, transform: tfBox1Up4Crop, transformKey: "box1up4crop", transformCost: box1Up4Cost},
		// Codes at 1.5–3 pixels a module in a webcam frame: the candidate crops
		// enlarged, then sharpened to undo the interpolation's and the lens's
		// softness. The enlarged crop is 4× the pixels and the mask 3 passes over it.
		{Name: "crop+up2+sharpen+piecewise+hybrid", region: true, piecewise: true, transform: tfUp2SharpenCrop, transformKey: "up2sharpencrop", transformCost: up2SharpenCost},
		{Name: "invert+hybrid", transform: tfInvert, transformKey: "invert"},
		// Uneven lighting the binarizers' block thresholds do not absorb: a glare
		// spot or shadow over part of a blurred code, flattened and sharpened.
		// Once the lighting is even one threshold fits the whole crop, where the
		// hybrid binarizer's blocks inside a glare spot still see washed-out dark
		// modules as light.
		{Name: "crop+flatten+sharpen+piecewise+global", region: true, piecewise: true, global: true, transform: tfFlattenSharpen, transformKey: "flattensharpen", transformCost: flattenSharpenCost},
		// The same for a dark-mode screen, inverted first: flattening divides by the
		// local mean, which on light modules over black is the noise of the black.
		{Name: "crop+invert+flatten+sharpen+piecewise+global", region: true, piecewise: true, global: true, transform: tfInvertFlattenSharpen, transformKey: "invertflattensharpen", transformCost: flattenSharpenCost + 1},
		// Defocus and motion too strong for the unsharp mask: the crop
		// deconvolved for a few estimated blurs. Last, as the most expensive: tens
		// of milliseconds a candidate, and only crops of webcam size.
		{Name: "crop+deblur+finders+hybrid", region: true, deblur: true},
		// A small image whose blur hid the code from candidateRegions is
		// deconvolved whole (readDeblurred leaves larger ones alone).
		{Name: "deblur+finders+hybrid", deblur: true, transform: tfDeblurWhole, transformKey: "deblurwhole"},
	}
}

// decodeHints ask the reader to spend more time looking (denser row scan).
var decodeHints = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}

// decodeGray runs the strategies over g and returns the deduplicated codes of the
// first strategy that reads anything, and that strategy's name. It checks b before
// every strategy and on every crop, and returns b's *BudgetError when it runs out.
func decodeGray(g *gray, strategies []Strategy, b *budget) ([]Code, string, error) {
	d := &decodeRun{g: g, b: b, cropCache: map[string]*gray{}}
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
	g         *gray
	b         *budget
	failure   error
	lastKey   string
	lastImg   *gray
	regions   []*gray
	regionsOK bool
	// Transformed crops are small; keep them all so strategies sharing a
	// transform do not recompute it.
	cropCache map[string]*gray
}

// transform applies a strategy's transform, charging the budget for the output.
func (d *decodeRun) transform(s Strategy, img *gray) *gray {
	if !d.b.spend(max(s.transformCost, 1) * int64(len(img.pix))) {
		return nil
	}
	return s.transform(img)
}

func (d *decodeRun) try(img *gray, s Strategy) []Code {
	read := readOnce
	switch {
	case s.finders:
		read = readFinders
	case s.piecewise:
		read = readPiecewise
	case s.deblur:
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
		if s.transform != nil {
			key := fmt.Sprintf("%d/%s", i, s.transformKey)
			var ok bool
			if img, ok = d.cropCache[key]; !ok || s.transformKey == "" {
				img = d.transform(s, c)
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
	if s.transform != nil {
		if s.transformKey == "" || s.transformKey != d.lastKey {
			d.lastImg, d.lastKey = d.transform(s, d.g), s.transformKey
		}
		img = d.lastImg
		if img == nil {
			return nil
		}
	}
	return d.try(img, s)
}
