package detect

import (
	"image"

	"passport/verify/scan/internal/raster"
)

// Candidate regions: where on a page a QR code probably is, so the expensive fallback
// strategies run on a crop of about a megapixel instead of the whole page.

const (
	// regionBlocks is how many blocks the shorter side of the image is cut into when
	// looking for busy areas: 128 makes a block about 3 modules of a 60 mm code on an
	// A4 page at any resolution.
	regionBlocks = 128
	// maxRegions is how many candidate crops are tried.
	maxRegions = 2
	// minRegionBlocks is the smallest candidate side in blocks (a code under ~8% of
	// the shorter side is left to the full-image strategies).
	minRegionBlocks = 10
	// regionFill is the share of busy blocks a candidate square must have.
	regionFill = 0.8
)

// Regions returns up to maxRegions squares (with a margin) where the image is
// busy in nearly every block, as inside a QR code and rarely in text, largest first.
func Regions(g *raster.Gray) []image.Rectangle {
	w, h := g.Width, g.Height
	bs := max(min(w, h)/regionBlocks, 4)
	bw, bh := w/bs, h/bs
	if bw < minRegionBlocks || bh < minRegionBlocks {
		return nil
	}
	// Contrast of each block; the busy threshold is relative to the page's range so
	// low-contrast and dim images work.
	span := make([]int, bw*bh)
	hist := [256]int{}
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			lo, hi := byte(255), byte(0)
			for y := by * bs; y < (by+1)*bs; y++ {
				row := g.Pix[y*w+bx*bs : y*w+(bx+1)*bs]
				for _, v := range row {
					lo, hi = min(lo, v), max(hi, v)
				}
			}
			span[by*bw+bx] = int(hi) - int(lo)
			hist[hi-lo]++
		}
	}
	// Threshold: a third of the 95th-percentile block contrast, at least 24 levels.
	n95, acc, p95 := bw*bh*95/100, 0, 255
	for v := 0; v < 256; v++ {
		acc += hist[v]
		if acc >= n95 {
			p95 = v
			break
		}
	}
	thr := max(p95/3, 24)
	// Summed-area table of busy blocks.
	sat := make([]int, (bw+1)*(bh+1))
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			b := 0
			if span[by*bw+bx] >= thr {
				b = 1
			}
			sat[(by+1)*(bw+1)+bx+1] = b + sat[by*(bw+1)+bx+1] + sat[(by+1)*(bw+1)+bx] - sat[by*(bw+1)+bx]
		}
	}
	sum := func(x0, y0, s int) int {
		x1, y1 := x0+s, y0+s
		return sat[y1*(bw+1)+x1] - sat[y0*(bw+1)+x1] - sat[y1*(bw+1)+x0] + sat[y0*(bw+1)+x0]
	}
	var out []image.Rectangle
	taken := func(x0, y0, s int) bool {
		for _, r := range out {
			if x0*bs < r.Max.X && (x0+s)*bs > r.Min.X && y0*bs < r.Max.Y && (y0+s)*bs > r.Min.Y {
				return true
			}
		}
		return false
	}
	for s := min(bw, bh); s >= minRegionBlocks && len(out) < maxRegions; s-- {
		need := int(regionFill * float64(s*s))
		bestX, bestY, best := -1, -1, need-1
		for y0 := 0; y0+s <= bh; y0++ {
			for x0 := 0; x0+s <= bw; x0++ {
				if c := sum(x0, y0, s); c > best && !taken(x0, y0, s) {
					bestX, bestY, best = x0, y0, c
				}
			}
		}
		if bestX < 0 {
			continue
		}
		// Margin: the quiet zone and a module or two of the code may lie in blocks
		// that were not busy enough.
		m := s*bs/5 + 2*bs
		out = append(out, image.Rectangle{
			Min: image.Pt(max(bestX*bs-m, 0), max(bestY*bs-m, 0)),
			Max: image.Pt(min((bestX+s)*bs+m, w), min((bestY+s)*bs+m, h)),
		})
	}
	return out
}
