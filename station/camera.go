package station

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"net/url"
	"strconv"
	"strings"

	"passport/verify/scan"
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

// blurredBelow is the edge steepness (scan.Frame.EdgeSteepness) under which
// a frame counts as blurred: a sharp black-on-white edge rises over one or two
// pixels (steepness about 0.5 to 1); blurred over five or more pixels it
// stays under 0.2.
const blurredBelow = 0.25

// smallModule is the module size, in frame pixels, under which a code whose
// finder patterns were seen but which did not read is too far away: the
// reader needs about 3 pixels a module on a blurred webcam frame.
const smallModule = 2.5

// frameHint says why a camera frame gave no code, from what the reader
// measured on the frame it already decoded (the frame is never decoded a
// second time, outside the camera budget, for the hint). When the reader saw
// the code's finder patterns their size decides: small modules mean too far,
// big ones a blurred picture. Otherwise the steepness of the frame's edges
// decides; nothing with contrast in view gives no hint.
func frameHint(f scan.Frame) string {
	switch {
	case f.ModuleSize > 0 && f.ModuleSize < smallModule:
		return HintMoveCloser
	case f.ModuleSize > 0:
		return HintHoldStill
	case f.EdgeSteepness == 0:
		return "" // nothing in view, or not measured: the page asks for the code
	case f.EdgeSteepness < blurredBelow:
		return HintHoldStill
	}
	return HintMoveCloser
}
