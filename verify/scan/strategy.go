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
}

// Transforms used by the default strategies.
var (
	tfInvert = func(g *gray) *gray { return g.inverted() }
	tfRot90  = func(g *gray) *gray { return g.rotated90() }
	tfRot180 = func(g *gray) *gray { return g.rotated180() }
	tfRot270 = func(g *gray) *gray { return g.rotated90().rotated180() }
	tfMedian = func(g *gray) *gray { return g.median3() }
	// tfUp2 enlarges small modules (under ~3.5 px each) so the finder patterns'
	// run-length checks have pixels to work with (SCANNING.md, item 3).
	tfUp2 = func(g *gray) *gray {
		if 4*len(g.pix) > maxWorkPixels {
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
)

// DefaultStrategies returns the strategies Decode uses, cheapest and most often
// successful first. The slice is new on every call; callers may reorder or extend it.
func DefaultStrategies() []Strategy {
	return []Strategy{
		{Name: "hybrid"},
		{Name: "fit+hybrid", transform: tfFit, transformKey: "fit"},
		{Name: "global", global: true},
		{Name: "median3+hybrid", transform: tfMedian, transformKey: "median3"},
		{Name: "median3+global", transform: tfMedian, transformKey: "median3", global: true},
		{Name: "up2+hybrid", transform: tfUp2, transformKey: "up2"},
		{Name: "up2+global", transform: tfUp2, transformKey: "up2", global: true},
		{Name: "down2+hybrid", transform: tfDown2, transformKey: "down2"},
		{Name: "invert+hybrid", transform: tfInvert, transformKey: "invert"},
		{Name: "rot90+hybrid", transform: tfRot90, transformKey: "rot90"},
		{Name: "rot180+hybrid", transform: tfRot180, transformKey: "rot180"},
		{Name: "rot270+hybrid", transform: tfRot270, transformKey: "rot270"},
	}
}

// decodeHints ask the reader to spend more time looking (denser row scan).
var decodeHints = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}

// decodeGray runs the strategies over g and returns the deduplicated codes of the
// first strategy that reads anything, and that strategy's name.
func decodeGray(g *gray, strategies []Strategy) ([]Code, string, error) {
	var (
		lastKey string
		lastImg *gray
		failure error
	)
	for _, s := range strategies {
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
		codes, err := readOnce(img, s.global)
		if err != nil && failure == nil {
			failure = err
		}
		if len(codes) > 0 {
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
