package detect

// A perspective guessed from the three finder patterns alone, for the first alignment
// patterns of a steeply tilted code. The parallelogram of the finders assumes the
// modules keep their size across the code; under a 20–30° tilt the finder nearer the
// camera is a quarter wider along the edge than the far one, and the alignment
// patterns between them lie several modules from where the parallelogram puts them,
// so the grid search locks onto 1:1:1 runs in the data instead. Each finder's width
// measured along the two edges it starts (7 modules) gives the foreshortening of
// each edge, hence its vanishing point, hence the fourth corner.

import (
	"math"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// keystoneMinTilt is the least foreshortening (|w-1|, w the square root of the ratio of
// the finder widths along an edge) worth a second grid search: below it the
// parallelogram's prediction is within the search radius anyway.
const keystoneMinTilt = 0.05

// keystoneTransform returns the transform of a dim-module code with finder centres
// tl, tr and bl whose fourth corner follows the edges' foreshortening, measured as the
// finders' widths along the edges in bm. ok is false when a width cannot be measured
// or neither edge is foreshortened enough to differ from the parallelogram.
func keystoneTransform(bm *gozxing.BitMatrix, tl, tr, bl *detector.FinderPattern, dim int) (*common.PerspectiveTransform, bool) {
	p0 := pt2{tl.GetX(), tl.GetY()}
	pr := pt2{tr.GetX(), tr.GetY()}
	pb := pt2{bl.GetX(), bl.GetY()}
	wTop, ok1 := edgeForeshortening(bm, p0, pr)
	wLeft, ok2 := edgeForeshortening(bm, p0, pb)
	if !ok1 || !ok2 || (math.Abs(wTop-1) < keystoneMinTilt && math.Abs(wLeft-1) < keystoneMinTilt) {
		return nil, false
	}
	// Lines parallel in the code meet at their edge's vanishing point in the image:
	// the right edge runs from tr toward the left edge's, the bottom edge from bl
	// toward the top edge's.
	br, ok := intersectLines(pr, vanishingDir(p0, pb, pr, wLeft), pb, vanishingDir(p0, pr, pb, wTop))
	if !ok {
		return nil, false
	}
	far := float64(dim) - 3.5
	return common.PerspectiveTransform_QuadrilateralToQuadrilateral(
		3.5, 3.5, far, 3.5, far, far, 3.5, far,
		p0.x, p0.y, pr.x, pr.y, br.x, br.y, pb.x, pb.y), true
}

type pt2 struct{ x, y float64 }

// edgeForeshortening returns w = sqrt(s1/s0), where s0 and s1 are the widths of the
// finders at a and b measured along the line through both: on that line the image
// position of the fraction u of the way is u/(u + w(1-u)) of the distance.
func edgeForeshortening(bm *gozxing.BitMatrix, a, b pt2) (float64, bool) {
	s0, ok0 := finderWidth(bm, a, b)
	s1, ok1 := finderWidth(bm, b, a)
	if !ok0 || !ok1 {
		return 0, false
	}
	return math.Sqrt(s1 / s0), true
}

// vanishingDir returns the direction, from q, of the line through q parallel in the
// code to the edge from a to b whose foreshortening is w: toward the edge's vanishing
// point a + (b-a)/(1-w), the image of u → ∞, or along the edge when it has none.
func vanishingDir(a, b, q pt2, w float64) pt2 {
	d := pt2{b.x - a.x, b.y - a.y}
	if math.Abs(w-1) < 1e-3 {
		return d
	}
	u := 1 / (1 - w)
	return pt2{a.x + u*d.x - q.x, a.y + u*d.y - q.y}
}

// intersectLines returns where the line through p along d meets the line through q
// along e; ok is false when they are (nearly) parallel.
func intersectLines(p, d, q, e pt2) (pt2, bool) {
	den := d.x*e.y - d.y*e.x
	if math.Abs(den) < 1e-9*math.Hypot(d.x, d.y)*math.Hypot(e.x, e.y) {
		return pt2{}, false
	}
	s := ((q.x-p.x)*e.y - (q.y-p.y)*e.x) / den
	return pt2{p.x + s*d.x, p.y + s*d.y}, true
}

// finderWidth measures the finder pattern centred at c along the line toward other:
// from the dark centre outward both ways through the light ring and the dark ring,
// to the light beyond. It fails when the runs do not look like a finder's.
func finderWidth(bm *gozxing.BitMatrix, c, other pt2) (float64, bool) {
	dx, dy := other.x-c.x, other.y-c.y
	n := math.Hypot(dx, dy)
	if n < 1 {
		return 0, false
	}
	dx, dy = dx/n, dy/n
	limit := n / 2 // a finder is at most half the distance to another
	total := 0.0
	for _, sign := range []float64{1, -1} {
		r, ok := finderRun(bm, c, sign*dx, sign*dy, limit)
		if !ok {
			return 0, false
		}
		total += r
	}
	return total, true
}

// finderRun walks from c along (dx, dy) and returns the distance at which the third
// dark-to-light or light-to-dark change after the dark centre (centre, light ring,
// dark ring, outside) happens.
func finderRun(bm *gozxing.BitMatrix, c pt2, dx, dy, limit float64) (float64, bool) {
	w, h := bm.GetWidth(), bm.GetHeight()
	want, changes := true, 0
	for t := 0.0; t < limit; t += 0.5 {
		x, y := int(c.x+t*dx), int(c.y+t*dy)
		if x < 0 || y < 0 || x >= w || y >= h {
			return 0, false
		}
		if bm.Get(x, y) != want {
			if t == 0 {
				return 0, false // the centre is not dark
			}
			changes++
			if changes == 3 {
				return t, true
			}
			want = !want
		}
	}
	return 0, false
}
