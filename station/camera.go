package station

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Region is a rectangle in a camera frame's pixels: X, Y its top left
// corner, W, H its size.
type Region struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

func regionOf(r image.Rectangle) *Region {
	if r.Empty() {
		return nil
	}
	return &Region{r.Min.X, r.Min.Y, r.Dx(), r.Dy()}
}

// maxROIDigits bounds each number of a roi parameter: a frame is at most
// a few thousand pixels a side.
const maxROIDigits = 5

// frameROI reads the roi=x,y,w,h parameter a camera frame may carry (the
// region of the previous frame's answer): four whole numbers, the
// rectangle inside the frame. A request without it gets an empty
// rectangle; a malformed one, one outside the frame, or one on a request
// that is not a camera frame is an error saying what to send.
func frameROI(q url.Values, camera bool, data []byte) (image.Rectangle, error) {
	vals, ok := q["roi"]
	if !ok {
		return image.Rectangle{}, nil
	}
	if !camera {
		return image.Rectangle{}, errors.New("roi is only for camera frames: add source=camera, or leave roi out")
	}
	const form = "roi must be x,y,w,h in the frame's pixels (four whole numbers, w and h above 0), as the previous answer's region gave it"
	if len(vals) != 1 {
		return image.Rectangle{}, errors.New("roi is given more than once: " + form)
	}
	parts := strings.Split(vals[0], ",")
	if len(parts) != 4 {
		return image.Rectangle{}, errors.New(form)
	}
	var n [4]int
	for i, p := range parts {
		if p == "" || len(p) > maxROIDigits || strings.Trim(p, "0123456789") != "" {
			return image.Rectangle{}, errors.New(form)
		}
		n[i], _ = strconv.Atoi(p)
	}
	if n[2] == 0 || n[3] == 0 {
		return image.Rectangle{}, errors.New(form)
	}
	r := image.Rect(n[0], n[1], n[0]+n[2], n[1]+n[3])
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return image.Rectangle{}, nil // not an image: the decode says so
	}
	if !r.In(image.Rect(0, 0, cfg.Width, cfg.Height)) {
		return image.Rectangle{}, fmt.Errorf("roi %d,%d,%d,%d reaches outside the %d×%d frame: send the region of the previous answer for a frame of the same size, or leave roi out", n[0], n[1], n[2], n[3], cfg.Width, cfg.Height)
	}
	return r, nil
}

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

// smallModule is the module size, in frame pixels, under which a code whose
// finder patterns were seen but which did not read is too far away: the
// reader needs about 3 pixels a module on a blurred webcam frame.
const smallModule = 2.5

// frameHint says why a camera frame gave no code. When the reader saw the
// code's finder patterns (moduleSize > 0) their size decides: small modules
// mean too far, big ones a blurred picture. Otherwise the frame's edges
// decide (cameraHint).
func frameHint(moduleSize float64, data []byte) string {
	switch {
	case moduleSize <= 0:
		return cameraHint(data)
	case moduleSize < smallModule:
		return HintMoveCloser
	}
	return HintHoldStill
}

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
	gray := grayOf(img)
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

// grayOf is img's luminance: a JPEG's own Y plane when it has one (the
// page's frames are JPEG), else converted pixel by pixel.
func grayOf(img image.Image) *image.Gray {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		return m
	case *image.YCbCr:
		return &image.Gray{Pix: m.Y, Stride: m.YStride, Rect: m.Rect}
	}
	gray := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			gray.SetGray(x, y, color.GrayModel.Convert(img.At(x, y)).(color.Gray))
		}
	}
	return gray
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
