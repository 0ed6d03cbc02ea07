package scan

import (
	"fmt"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/multi/qrcode"
	qrsingle "github.com/makiuchi-d/gozxing/qrcode"
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
}

// Transforms used by the default strategies.
var (
	tfInvert = func(g *gray) *gray { return g.inverted() }
	tfRot90  = func(g *gray) *gray { return g.rotated90() }
	tfMedian = func(g *gray) *gray { return g.median3() }
	// tfUp2 enlarges small modules (under ~3.5 px each) so the finder patterns'
	// run-length checks have pixels to work with (SCANNING.md, item 3).
	tfUp2 = func(g *gray) *gray {
		if 4*len(g.pix) > maxWorkPixels {
			return nil
		}
		return g.upscaled(2, false)
	}
	tfBox2      = func(g *gray) *gray { return g.boxBlur(2) }
	tfMax3      = func(g *gray) *gray { return g.morph3(false) }
	tfMax3x2    = func(g *gray) *gray { return g.morph3(false).morph3(false) }
	tfMin3      = func(g *gray) *gray { return g.morph3(true) }
	tfDown2Max3 = func(g *gray) *gray { return g.downscaled2().morph3(false) }
	tfBox1Down2 = func(g *gray) *gray { return g.boxBlur(1).downscaled2() }
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
	// tfFit blows a tiny image (such as a QR image embedded in a PDF at one pixel a
	// module) up with nearest neighbour, exactly, to at least fitSide pixels.
	tfFit = func(g *gray) *gray {
		side := max(g.Width, g.Height)
		if side >= fitSide {
			return nil
		}
		f := (fitSide + side - 1) / side
		return g.upscaled(f, true)
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

const (
	// fitSide is the side a tiny image is enlarged to: at least 2 px a module for the
	// densest code (version 40, 177 modules) and well above the 40 px HybridBinarizer
	// needs before it falls back to a global threshold.
	fitSide = 400
	// downMinPixels is the size from which halving is tried: 4 megapixels (a 150-dpi
	// A4 scan is 2.2 MP and has no pixels to spare).
	downMinPixels = 4_000_000
	// upSmallMaxPixels is the largest whole image the up2 fallback enlarges: a
	// 150- or 200-dpi A4 scan (2.2 or 3.9 MP) is where modules get small; a 300-dpi page has big
	// modules and would cost 35 MP of work.
	upSmallMaxPixels = 4_500_000
)

// DefaultStrategies returns the strategies Decode uses, cheapest and most often
// successful first: the whole image as it is, then a list of filters on crops of the
// candidate regions (candidateRegions: the busy squares where a code probably is),
// then a few whole-image fallbacks for codes the region finder missed. The slice is
// new on every call; callers may reorder or extend it.
//
// Each filter answers a failure mode measured on the fixtures/degrade corpus (see
// docs/scanning.md): box blur for sensor noise and faded toner, a 3×3 maximum (thinner
// dark modules) for photocopies and ink spread, a 3×3 minimum for faded or dropped-out
// toner, the median for specks, upscaling for modules under ~3.5 pixels.
func DefaultStrategies() []Strategy {
	return []Strategy{
		{Name: "hybrid"},
		{Name: "fit+hybrid", transform: tfFit, transformKey: "fit"},
		{Name: "global", global: true},
		{Name: "crop+hybrid", region: true},
		{Name: "crop+global", region: true, global: true},
		{Name: "crop+finders+hybrid", region: true, finders: true},
		{Name: "crop+down2+finders+hybrid", region: true, finders: true, transform: tfDown2Big, transformKey: "down2big"},
		{Name: "crop+piecewise+hybrid", region: true, piecewise: true},
		{Name: "crop+box2+hybrid", region: true, transform: tfBox2, transformKey: "box2"},
		{Name: "crop+max3+hybrid", region: true, transform: tfMax3, transformKey: "max3"},
		{Name: "crop+max3+global", region: true, transform: tfMax3, transformKey: "max3", global: true},
		{Name: "crop+min3+hybrid", region: true, transform: tfMin3, transformKey: "min3"},
		{Name: "crop+box2+global", region: true, transform: tfBox2, transformKey: "box2", global: true},
		{Name: "crop+median3+hybrid", region: true, transform: tfMedian, transformKey: "median3"},
		{Name: "crop+median3+global", region: true, transform: tfMedian, transformKey: "median3", global: true},
		{Name: "crop+up2+hybrid", region: true, transform: tfUp2, transformKey: "up2"},
		{Name: "crop+up2+global", region: true, transform: tfUp2, transformKey: "up2", global: true},
		{Name: "crop+max3x2+hybrid", region: true, transform: tfMax3x2, transformKey: "max3x2"},
		{Name: "crop+down2+max3+hybrid", region: true, transform: tfDown2Max3, transformKey: "down2max3"},
		{Name: "crop+box1+down2+hybrid", region: true, transform: tfBox1Down2, transformKey: "box1down2"},
		{Name: "crop+rot90+hybrid", region: true, transform: tfRot90, transformKey: "rot90"},
		{Name: "crop+box2+piecewise+hybrid", region: true, piecewise: true, transform: tfBox2, transformKey: "box2"},
		{Name: "median3+hybrid", transform: tfMedian, transformKey: "median3"},
		{Name: "median3+global", transform: tfMedian, transformKey: "median3", global: true},
		{Name: "box2+hybrid", transform: tfBox2, transformKey: "box2"},
		{Name: "box2+global", transform: tfBox2, transformKey: "box2", global: true},
		{Name: "up2+hybrid", transform: tfUp2Small, transformKey: "up2small"},
		{Name: "up2+global", transform: tfUp2Small, transformKey: "up2small", global: true},
		{Name: "down2+hybrid", transform: tfDown2, transformKey: "down2"},
		{Name: "invert+hybrid", transform: tfInvert, transformKey: "invert"},
		{Name: "rot90+hybrid", transform: tfRot90, transformKey: "rot90"},
	}
}

// decodeHints ask the reader to spend more time looking (denser row scan).
var decodeHints = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}

// decodeGray runs the strategies over g and returns the deduplicated codes of the
// first strategy that reads anything, and that strategy's name.
func decodeGray(g *gray, strategies []Strategy) ([]Code, string, error) {
	var (
		lastKey   string
		lastImg   *gray
		failure   error
		regions   []*gray
		regionsOK bool
		// Transformed crops are small; keep them all so strategies sharing a
		// transform do not recompute it.
		cropCache = map[string]*gray{}
	)
	try := func(img *gray, s Strategy) []Code {
		read := readOnce
		switch {
		case s.finders:
			read = readFinders
		case s.piecewise:
			read = readPiecewise
		}
		codes, err := read(img, s.global)
		if err != nil && failure == nil {
			failure = err
		}
		return codes
	}
	for _, s := range strategies {
		if s.region {
			if !regionsOK {
				regionsOK = true
				for _, r := range candidateRegions(g) {
					regions = append(regions, g.crop(r))
				}
			}
			for i, c := range regions {
				img := c
				if s.transform != nil {
					key := fmt.Sprintf("%d/%s", i, s.transformKey)
					var ok bool
					if img, ok = cropCache[key]; !ok || s.transformKey == "" {
						img = s.transform(c)
						cropCache[key] = img
					}
					if img == nil {
						continue
					}
				}
				if codes := try(img, s); len(codes) > 0 {
					return codes, s.Name, nil
				}
			}
			continue
		}
		img := g
		if s.transform != nil {
			if s.transformKey == "" || s.transformKey != lastKey {
				lastImg, lastKey = s.transform(g), s.transformKey
			}
			img = lastImg
			if img == nil {
				continue
			}
		}
		if codes := try(img, s); len(codes) > 0 {
			return codes, s.Name, nil
		}
	}
	if failure != nil {
		return nil, "", fmt.Errorf("%w (reader: %v)", ErrNoBarcode, failure)
	}
	return nil, "", ErrNoBarcode
}

// readOnce binarizes img once and looks for QR codes in it, first with the reader for
// several codes, then with the single-code reader (whose detector picks the three best
// finder patterns and sometimes succeeds where the combinations do not). It returns
// an error only for an internal reader failure, not for "nothing found".
func readOnce(img *gray, global bool) (codes []Code, err error) {
	defer func() {
		if r := recover(); r != nil {
			codes, err = nil, fmt.Errorf("QR reader failed: %v", r)
		}
	}()
	var bin gozxing.Binarizer
	if global {
		bin = gozxing.NewGlobalHistgramBinarizer(img)
	} else {
		bin = gozxing.NewHybridBinarizer(img)
	}
	bmp, err := gozxing.NewBinaryBitmap(bin)
	if err != nil {
		return nil, nil
	}
	var results []*gozxing.Result
	if rs, err := qrcode.NewQRCodeMultiReader().DecodeMultiple(bmp, decodeHints); err == nil {
		results = rs
	}
	if len(results) == 0 {
		// Errors here are gozxing's ordinary not-found, checksum and format
		// exceptions: this strategy found nothing and the next one may.
		if r, err := qrsingle.NewQRCodeReader().Decode(bmp, decodeHints); err == nil {
			results = []*gozxing.Result{r}
		}
	}
	seen := map[string]bool{}
	for _, r := range results {
		if r == nil || seen[r.GetText()] {
			continue
		}
		seen[r.GetText()] = true
		codes = append(codes, Code{Text: r.GetText(), Format: r.GetBarcodeFormat().String()})
	}
	return codes, nil
}
