package scan

// Frames of a live camera: consecutive frames show the code in
// nearly the same place, so the reader is told where the previous frame had it
// (Options.Region) and reads that part first, and it says where it saw the code in
// this frame (Frame.Region) for the caller to pass back with the next one. A crop of
// the code reads in a fraction of the whole frame's time, which matters under a
// budget of a few hundred milliseconds a frame.

import (
	"context"
	"fmt"
	"image"
	"math"
	"sort"
	"time"

	"github.com/makiuchi-d/gozxing/qrcode/detector"

	"passport/verify/scan/internal/detect"
	"passport/verify/scan/internal/guard"
)

// Frame is what ReadFrame found in one camera frame.
type Frame struct {
	// Codes are the codes read, as from ImageContext.
	Codes []Code
	// Region is where, in the frame's pixels, the code was read or, when none
	// was, where three finder patterns of one code were seen; when the reader
	// saw neither, the Options.Region it was given, else the frame's busiest
	// square if small, else empty (see frameRegion). A located code's region
	// covers the whole code (finder patterns included) but not its quiet zone.
	Region image.Rectangle
	// ModuleSize is the code's module size in frame pixels, estimated from its
	// finder patterns; 0 when they were not seen.
	ModuleSize float64
	// EdgeSteepness, for a frame in which no code was read and no finder
	// patterns were seen (ModuleSize 0), says whether the frame is blurred: in
	// the few 32-pixel tiles with the most contrast (where a code would be), the
	// steepest step between neighbouring pixels divided by the tile's contrast,
	// their median. A sharp edge rises over a pixel or two (near 1), blur
	// spreads it (below about 0.25: hold still); 0 when nothing in view has
	// contrast, or when it was not worked out (a code or finder patterns seen,
	// a frame over locateMaxPixels, a cancelled request). It is worked out from
	// the frame already decoded for the read, so a caller need not decode the
	// frame again for a hint.
	EdgeSteepness float64
	// Elapsed is the time the read took, image decoding included.
	Elapsed time.Duration
}

const (
	// regionMargin is the share of the region's larger side added on every side
	// before cropping: a hand moves the page a few millimetres between frames.
	regionMargin = 0.35
	// regionMinMargin is the least margin in pixels (a small code's quiet zone
	// and a jitter of a few pixels).
	regionMinMargin = 24
	// regionShare is the share of the budget the region may use before the
	// whole frame is tried: a code in the region reads in a few tens of
	// milliseconds, and one that moved out must leave the frame time to find it.
	regionShare = 0.5
	// finderHalfExtent is how many modules a code reaches beyond the centre of
	// a finder pattern (the pattern is 7 modules wide).
	finderHalfExtent = 4
	// maxGuessShare: a busy square (no finder patterns seen) is reported as the
	// region only when it is at most this fraction of the frame; a larger one,
	// grown by the margin, is nearly the whole frame, and reading it first
	// would only take budget from the whole frame.
	maxGuessShare = 4
	// locateMaxPixels bounds the area locate scans and edgeSteepness judges,
	// as they run after the read's budget: a webcam frame of up to 1920×1080
	// (2 MP) and some room.
	locateMaxPixels = 4_000_000
	// afterReadWork is the work allowed for what ReadFrame does after the read:
	// frameRegion's two locates (a binarization and a finder scan each) and
	// busiest's pass, and edgeSteepness's pass, six passes of locateMaxPixels
	// at most; eight leave room.
	afterReadWork = 8 * locateMaxPixels
	// hintTile is the side of the tiles edgeSteepness judges a frame in, and
	// minHintContrast the brightness range below which a tile holds nothing.
	hintTile        = 32
	minHintContrast = 64
)

// ReadFrame reads an image as a camera frame: within opts (Budget, Work), trying
// opts.Region first when set, and reporting where the code was. Only images are
// read (a camera sends no PDFs); the errors are ImageContext's.
func ReadFrame(ctx context.Context, data []byte, opts Options) (f Frame, err error) {
	defer guard.Catch(&err, true)
	start := time.Now()
	if Sniff(data) != KindImage {
		return Frame{}, fmt.Errorf("%w (a camera frame must be an image)", ErrNotImage)
	}
	if len(data) > MaxInputBytes {
		return Frame{}, fmt.Errorf("%w: the frame is %d bytes, over the limit of %d MiB", ErrTooLarge, len(data), MaxInputBytes>>20)
	}
	b := newBudget(ctx, opts)
	g, err := decodeImageFile(data)
	if err != nil {
		return Frame{}, err
	}
	codes, where, err := decodeRegionFirst(g, opts.Region, b)
	f = Frame{Codes: codes}
	after := b.AfterRead(afterReadWork)
	f.Region, f.ModuleSize = frameRegion(g, opts.Region, where, len(codes) > 0, after)
	if len(codes) == 0 && f.ModuleSize == 0 {
		f.EdgeSteepness = edgeSteepness(g, after)
	}
	f.Elapsed = time.Since(start)
	return f, err
}

// frameRegion works out the region to report for a frame of g read with the
// hint region (maybe empty): the code's finder patterns, looked for where it
// was read (where) or in the whole frame, at the frame's size and then at twice
// it (a code too small or soft for the finder scan at its size often shows its
// finder patterns enlarged, as the reader's up2 strategies find). When none are
// seen: where the code was read, else the hint (the hand holds the page still
// between frames more often than not, and one blurred frame should not lose a
// good region), else the frame's busiest square when it is small. It runs
// after the read's budget, within b (ReadFrame's afterRead allowance: one or
// two binarizations and finder scans of at most locateMaxPixels): the next
// frame needs it most when the read's budget is spent.
func frameRegion(g *gray, hint, where image.Rectangle, read bool, b *budget) (image.Rectangle, float64) {
	whole := image.Rect(0, 0, g.Width, g.Height)
	if !read {
		where = whole
	}
	if r, ms := locate(g, where, 1, b); !r.Empty() {
		return r, ms
	}
	search := where
	if !read && !hint.Empty() {
		search = grow(hint, whole)
	} else if search == whole {
		search = busiest(g, b)
	}
	if r, ms := locate(g, search, 2, b); !r.Empty() {
		return r, ms
	}
	switch {
	case read && where != whole:
		if !hint.Empty() {
			return hint, 0
		}
		return where, 0
	case !read && !hint.Empty():
		return hint, 0
	case search.Dx()*search.Dy()*maxGuessShare <= g.Width*g.Height:
		return search, 0
	}
	return image.Rectangle{}, 0
}

// decodeRegionFirst reads the crop of region (grown by regionMargin) with part of
// b, then, if it read nothing and b has time left, the whole of g. It returns the
// codes and the rectangle of g they were read in.
func decodeRegionFirst(g *gray, region image.Rectangle, b *budget) ([]Code, image.Rectangle, error) {
	whole := image.Rect(0, 0, g.Width, g.Height)
	// A region of half the frame or more saves little and would take budget
	// from the whole frame.
	if r := grow(region, whole); !r.Empty() && 2*r.Dx()*r.Dy() <= g.Width*g.Height {
		sub := b.Share(regionShare)
		codes, _, _ := decodeGray(g.Cropped(r), defaultStrategies(), sub)
		b.Add(sub.Work())
		if len(codes) > 0 {
			return codes, r, nil
		}
		if !b.OK() {
			return nil, whole, failed(b)
		}
	}
	codes, _, err := decodeGray(g, defaultStrategies(), b)
	return codes, whole, err
}

// busiest is, when no finder patterns were seen, the best guess at where a code
// is: the busiest square of the frame (detect.Regions, a pass over g charged
// to b); empty when it has none.
func busiest(g *gray, b *budget) image.Rectangle {
	if len(g.Pix) > locateMaxPixels || !b.Spend(int64(len(g.Pix))) {
		return image.Rectangle{}
	}
	rs := detect.Regions(g)
	if len(rs) == 0 {
		return image.Rectangle{}
	}
	return rs[0]
}

// grow adds the margin to region and clips it to frame; it returns an empty
// rectangle when region is empty or the crop would be too small to hold a code.
func grow(region, frame image.Rectangle) image.Rectangle {
	if region.Empty() {
		return image.Rectangle{}
	}
	m := max(int(regionMargin*float64(max(region.Dx(), region.Dy()))), regionMinMargin)
	r := region.Inset(-m).Intersect(frame)
	if r.Dx() < minUsefulSide || r.Dy() < minUsefulSide {
		return image.Rectangle{}
	}
	return r
}

// locate looks for the three finder patterns of one code in the part of g within
// area, enlarged scale times, and returns the rectangle the code covers, in g's
// pixels, and its module size; an empty rectangle when no plausible triple is
// seen. Its cost is bounded like detect.Read's candidate search: one binarization
// and one finder scan of at most locateMaxPixels, charged to b.
func locate(g *gray, area image.Rectangle, scale int, b *budget) (image.Rectangle, float64) {
	area = area.Intersect(image.Rect(0, 0, g.Width, g.Height))
	if area.Dx() < minUsefulSide || area.Dy() < minUsefulSide || scale*scale*area.Dx()*area.Dy() > locateMaxPixels {
		return image.Rectangle{}, 0
	}
	img := g
	if area != image.Rect(0, 0, g.Width, g.Height) {
		img = g.Cropped(area)
	}
	if scale > 1 {
		img = img.Upscaled(scale, false)
	}
	tl, tr, bl, ok := detect.Triple(img, b)
	if !ok {
		return image.Rectangle{}, 0
	}
	var sizes []float64
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range []*detector.FinderPattern{tl, tr, bl} {
		sizes = append(sizes, p.GetEstimatedModuleSize())
		x0, y0 = min(x0, p.GetX()), min(y0, p.GetY())
		x1, y1 = max(x1, p.GetX()), max(y1, p.GetY())
	}
	sort.Float64s(sizes)
	ms := sizes[1]
	// The fourth corner, where a parallelogram puts it; the finder patterns reach
	// finderHalfExtent modules past their centres.
	bx, by := tr.GetX()+bl.GetX()-tl.GetX(), tr.GetY()+bl.GetY()-tl.GetY()
	x0, y0, x1, y1 = min(x0, bx), min(y0, by), max(x1, bx), max(y1, by)
	e, k := finderHalfExtent*ms, float64(scale)
	r := image.Rect(int((x0-e)/k), int((y0-e)/k), int(math.Ceil((x1+e)/k)), int(math.Ceil((y1+e)/k))).Add(area.Min)
	return r.Intersect(image.Rect(0, 0, g.Width, g.Height)), ms / k
}

// edgeSteepness is Frame.EdgeSteepness for g, charged to b (one pass); 0 for a
// frame over locateMaxPixels or when b is spent.
func edgeSteepness(g *gray, b *budget) float64 {
	if len(g.Pix) > locateMaxPixels || !b.Spend(int64(len(g.Pix))) {
		return 0
	}
	type tile struct{ contrast, step int }
	var tiles []tile
	w := g.Width
	for ty := 0; ty+hintTile <= g.Height; ty += hintTile {
		for tx := 0; tx+hintTile <= w; tx += hintTile {
			lo, hi, step := 255, 0, 0
			for y := ty; y < ty+hintTile; y++ {
				row := g.Pix[y*w+tx : y*w+tx+hintTile]
				for x, v := range row {
					p := int(v)
					lo, hi = min(lo, p), max(hi, p)
					if x > 0 {
						step = max(step, absInt(p-int(row[x-1])))
					}
					if y > ty {
						step = max(step, absInt(p-int(g.Pix[(y-1)*w+tx+x])))
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

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
