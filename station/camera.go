package station

import (
	"bytes"
	"image"
	"image/color"
	"sort"
)

// Hints for a camera frame in which no code could be read, in
// VerifyResponse.Hint; the page words them.
const (
	HintHoldStill  = "hold_still"  // the picture is blurred (moving, or out of focus)
	HintMoveCloser = "move_closer" // the picture is sharp, so the code is too small or not in view
)

// maxHintPixels bounds the frames a hint is worked out for: the page sends
// frames of at most 1600 pixels a side.
const maxHintPixels = 4_000_000

// blurredBelow is the edge steepness under which a frame counts as blurred:
// a sharp black-on-white edge rises over one or two pixels (steepness about
// 0.5 to 1); blurred over five or more pixels it stays under 0.2.
const blurredBelow = 0.25

// cameraHint says why a camera frame gave no code. The reader (verify/scan)
// reports only codes, so the hint is worked out here from the frame itself:
// how steep its strongest edges are against its contrast.
func cameraHint(data []byte) string {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width*cfg.Height > maxHintPixels || cfg.Width < 8 || cfg.Height < 8 {
		return ""
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return ""
	}
	switch st := edgeSteepness(img); {
	case st == 0:
		return "" // nothing in view: the page asks for the code
	case st < blurredBelow:
		return HintHoldStill
	}
	return HintMoveCloser
}

// edgeSteepness looks at the tiles of the frame with the most contrast
// (where a code would be) and returns, for the median of the best few, the
// steepest step between neighbouring pixels divided by the tile's contrast.
// A sharp black-on-white edge rises over one or two pixels; blur spreads it
// over many, which lowers the step and not the contrast. A frame with no
// contrast anywhere gives 0.
func edgeSteepness(img image.Image) float64 {
	b := img.Bounds()
	gray := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			gray.SetGray(x, y, color.GrayModel.Convert(img.At(x, y)).(color.Gray))
		}
	}
	type tile struct{ contrast, step int }
	var tiles []tile
	for ty := b.Min.Y; ty+hintTile <= b.Max.Y; ty += hintTile {
		for tx := b.Min.X; tx+hintTile <= b.Max.X; tx += hintTile {
			lo, hi, step := 255, 0, 0
			for y := ty; y < ty+hintTile; y++ {
				for x := tx; x < tx+hintTile; x++ {
					g := int(gray.GrayAt(x, y).Y)
					lo, hi = min(lo, g), max(hi, g)
					if x > tx {
						step = max(step, abs(g-int(gray.GrayAt(x-1, y).Y)))
					}
					if y > ty {
						step = max(step, abs(g-int(gray.GrayAt(x, y-1).Y)))
					}
				}
			}
			tiles = append(tiles, tile{hi - lo, step})
		}
	}
	sort.Slice(tiles, func(i, j int) bool { return tiles[i].contrast > tiles[j].contrast })
	if len(tiles) == 0 || tiles[0].contrast < minHintContrast {
		return 0
	}
	var ratios []float64
	for _, t := range tiles[:min(len(tiles), 5)] {
		if t.contrast >= minHintContrast {
			ratios = append(ratios, float64(t.step)/float64(t.contrast))
		}
	}
	sort.Float64s(ratios)
	return ratios[len(ratios)/2]
}

// hintTile is the side of the tiles a frame is judged in, and
// minHintContrast the brightness range below which a tile holds nothing.
const (
	hintTile        = 32
	minHintContrast = 64
)

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
